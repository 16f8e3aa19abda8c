// What sharing misses across processes costs a miss, and how fast an answer
// reaches a waiting process. A miss through memory → Redis exact with and
// without `sharingMisses(through:)` (A/B, same server, back to back): the
// caller's latency (the lease's claim is on its path; storing and releasing
// happen after the answer), the miss until its Redis writes are done, and
// the Redis script calls per miss (`INFO commandstats`, `cmdstat_evalsha`);
// one claim and release on its own; and two stacks with their own clients
// missing the same request at once: how much later the waiter answers than
// the one that called the model (a 20 ms stand-in).
//
//   scripts/bench.sh SharedFlightBenchmark [--runs 5] [--misses 2000] [--json]
//   (or: swift build -c release --product SharedFlightBenchmark &&
//        scripts/with-redis.sh .build/release/SharedFlightBenchmark --json)
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let misses = Int(BenchmarkReport.argument("misses") ?? "") ?? 2_000
let handovers = Int(BenchmarkReport.argument("handovers") ?? "") ?? 200
guard let url = ProcessInfo.processInfo.environment["LLMCACHE_REDIS8_URL"] else {
    FileHandle.standardError.write(Data("SharedFlightBenchmark: set LLMCACHE_REDIS8_URL (scripts/with-redis.sh does)\n".utf8))
    exit(2)
}

let answer = BenchmarkPayload.response(answer: BenchmarkPayload.prose(bytes: 2048))
let client = try RedisClient(url: url)
let otherClient = try RedisClient(url: url)
let name = ThrowawayNamespace.uniqueName("bench-flight")
let namespace = try await RedisNamespace(name: name, client: client)
let otherNamespace = try await RedisNamespace(name: name, client: otherClient)

func makeStack(_ namespace: RedisNamespace, sharing: Bool) -> CacheStack {
    let configuration = CacheStack.Configuration()
    return CacheStack(
        tiers: [MemoryTier(maxEntries: 10_000), RedisExactTier(namespace: namespace)],
        configuration: sharing ? configuration.sharingMisses(through: namespace) : configuration,
        versionSource: namespace)
}

/// Top-level `EVALSHA` calls the server has run (scripts' own commands are counted under their names).
func scriptCalls() async throws -> Int {
    let text = try await client.execute(RedisCommand("INFO", "commandstats")).string ?? ""
    guard let line = text.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_evalsha:") }),
        let calls = line.split(separator: ",").first?.split(separator: "=").last
    else { return 0 }
    return Int(calls) ?? 0
}

var callerWithout: [Double] = [], callerWith: [Double] = []
var callerP99Without: [Double] = [], callerP99With: [Double] = []
var completeWithout: [Double] = [], completeWith: [Double] = []
var scriptsWithout: [Double] = [], scriptsWith: [Double] = []
var claimRelease: [Double] = []
var handoverGaps: [Double] = []
var singleCallRounds = 0
for run in 0..<runs {
    for sharing in [false, true] {
        let stack = makeStack(namespace, sharing: sharing)
        let label = "\(run) \(sharing)"
        let before = try await scriptCalls()
        let (caller, complete) = try await missLatencies(stack, label: label, count: misses, answer: answer)
        let perMiss = Double(try await scriptCalls() - before) / Double(2 * misses)
        if sharing {
            callerWith.append(caller.p50); callerP99With.append(caller.p99); completeWith.append(complete)
            scriptsWith.append(perMiss)
        } else {
            callerWithout.append(caller.p50); callerP99Without.append(caller.p99); completeWithout.append(complete)
            scriptsWithout.append(perMiss)
        }
    }
    claimRelease.append(try await claimAndReleaseP50(RedisMissCoordinator(namespace: namespace), count: misses))
    let shared = try await handover(
        makeStack(namespace, sharing: true), makeStack(otherNamespace, sharing: true), count: handovers,
        modelTime: .milliseconds(20), answer: answer)
    handoverGaps.append(shared.p50)
    singleCallRounds += shared.singleCalls
}

try await ThrowawayNamespace.delete(namespace, client: client)
await otherNamespace.shutdown()
await namespace.shutdown()
await otherClient.shutdown()
await client.shutdown()

var report = BenchmarkReport(name: "shared-flight")
report.add("runs", runs)
report.add("server", url)
report.add("misses_per_run", misses)
report.add("miss_caller_p50_us_without_lease", median(callerWithout))
report.add("miss_caller_p50_us_with_lease", median(callerWith))
report.add("miss_caller_p50_us_added", median(callerWith) - median(callerWithout))
report.add("miss_caller_p99_us_without_lease", median(callerP99Without))
report.add("miss_caller_p99_us_with_lease", median(callerP99With))
report.add("miss_complete_p50_us_without_lease", median(completeWithout))
report.add("miss_complete_p50_us_with_lease", median(completeWith))
report.add("miss_complete_p50_us_added", median(completeWith) - median(completeWithout))
report.add("script_calls_per_miss_without_lease", median(scriptsWithout))
report.add("script_calls_per_miss_with_lease", median(scriptsWith))
report.add("claim_and_release_p50_us", median(claimRelease))
report.add("handovers_per_run", handovers)
report.add("handover_after_model_p50_us", median(handoverGaps))
report.add("handover_rounds_with_one_model_call", "\(singleCallRounds) of \(runs * handovers)")
report.emit()
