// What a stalled Redis costs callers: the server is paused (`CLIENT PAUSE`)
// while distinct requests arrive at once through memory → Redis exact, with a
// model that answers at once. Reports per-request latency (p50, p99, max),
// the breaker's state afterwards, and the process's resident memory before and
// after a larger burst. Uses only the stack's public request API, so the same
// file builds against earlier versions for a before/after comparison.
//
//   scripts/bench.sh StallBenchmark [--runs 3] [--requests 1000] [--burst 20000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 3
let requests = Int(BenchmarkReport.argument("requests") ?? "") ?? 1_000
let burst = Int(BenchmarkReport.argument("burst") ?? "") ?? 20_000
let pause = Int(BenchmarkReport.argument("pause-ms") ?? "") ?? 3_000
guard let url = BenchmarkReport.argument("url") ?? ProcessInfo.processInfo.environment["LLMCACHE_REDIS8_URL"] else {
    FileHandle.standardError.write(Data("set LLMCACHE_REDIS8_URL or pass --url (scripts/bench.sh starts a server)\n".utf8))
    exit(2)
}

/// Resident memory of this process in MiB (Linux `VmRSS`).
func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return kilobytes / 1024
}

struct Burst {
    var latencies: [Double]  // milliseconds, sorted
    var answered: Int
    var breakerOpen: Bool
    var elapsed: Double
}

/// Pauses the server and sends `count` distinct requests at once through a
/// fresh stack of memory → Redis exact (or memory alone, as a control for
/// what the burst itself costs).
func stalledBurst(
    _ count: Int, label: String, client: RedisClient, control: RedisClient, redis: Bool = true
) async throws -> Burst {
    let namespace = try await RedisNamespace(name: ThrowawayNamespace.uniqueName("stall"), client: client)
    let memory = MemoryTier(maxEntries: 100_000, maxBytes: 256 << 20)
    let stack = CacheStack(tiers: redis ? [memory, RedisExactTier(namespace: namespace)] : [memory])
    if redis { _ = try await control.execute(RedisCommand("CLIENT", "PAUSE", pause)) }
    let start = ContinuousClock.now
    let results = try await withThrowingTaskGroup(of: (Double, Bool).self) { group in
        for index in 0..<count {
            group.addTask {
                let started = ContinuousClock.now
                let result = try await stack.response(for: "\(label) question \(index)") { "answer to \($0)" }
                let elapsed = ContinuousClock.now - started
                let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
                return (milliseconds, result.value.hasPrefix("answer to"))
            }
        }
        var results: [(Double, Bool)] = []
        for try await result in group { results.append(result) }
        return results
    }
    let total = ContinuousClock.now - start
    let breakerOpen = redis && stack.statistics.tiers[1].breaker == .open
    // Let the pause end and the server drain before the next burst.
    if redis { try await Task.sleep(for: .milliseconds(pause + 500)) }
    await namespace.shutdown()
    return Burst(
        latencies: results.map(\.0).sorted(), answered: results.filter(\.1).count, breakerOpen: breakerOpen,
        elapsed: Double(total.components.seconds) * 1e3 + Double(total.components.attoseconds) / 1e15)
}

func percentile(_ sorted: [Double], _ share: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
}

let configuration = try RedisConfiguration(url: url)
let client = RedisClient(configuration: configuration)
// CLIENT PAUSE is sent on a connection of its own (the paused server still answers it).
let control = RedisClient(configuration: configuration)

var p50s: [Double] = []
var p99s: [Double] = []
var maxima: [Double] = []
var opened = 0
var unanswered = 0
for run in 0..<runs {
    let result = try await stalledBurst(requests, label: "run \(run)", client: client, control: control)
    p50s.append(percentile(result.latencies, 0.5))
    p99s.append(percentile(result.latencies, 0.99))
    maxima.append(result.latencies.last ?? 0)
    if result.breakerOpen { opened += 1 }
    unanswered += requests - result.answered
}
// Resident memory after the same burst through memory alone (what 20,000
// concurrent tasks and their answers cost), then with Redis stalled.
let before = residentMiB()
_ = try await stalledBurst(burst, label: "control", client: client, control: control, redis: false)
let control_ = residentMiB()
let large = try await stalledBurst(burst, label: "burst", client: client, control: control)
let after = residentMiB()
await control.shutdown()
await client.shutdown()

var report = BenchmarkReport(name: "StallBenchmark")
report.add("runs", runs)
report.add("requests", requests)
report.add("pause_ms", pause)
report.add("command_timeout_ms", Int(configuration.commandTimeout.components.seconds * 1000))
report.add("p50_ms", median(p50s))
report.add("p99_ms", median(p99s))
report.add("max_ms", median(maxima))
report.add("breaker_open_after", "\(opened) of \(runs) runs")
report.add("unanswered", unanswered + burst - large.answered)
report.add("burst_requests", burst)
report.add("burst_p50_ms", percentile(large.latencies, 0.5))
report.add("burst_elapsed_ms", large.elapsed)
report.add("rss_before_burst_mib", before)
report.add("rss_after_memory_only_burst_mib", control_)
report.add("rss_after_burst_mib", after)
report.emit()
