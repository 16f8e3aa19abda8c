// What publishing statistics costs: one batch (script call) per interval, the
// stack snapshot it starts from, and the request path with and without a
// publisher running (A/B, back to back, a publish every millisecond to make
// any interference visible).
//
//   LLMCACHE_REDIS8_URL=redis://… swift run -c release StatisticsBenchmark [--runs 5] [--calls 200000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let calls = Int(BenchmarkReport.argument("calls") ?? "") ?? 200_000
let publishes = Int(BenchmarkReport.argument("publishes") ?? "") ?? 500
guard let url = ProcessInfo.processInfo.environment["LLMCACHE_REDIS8_URL"] else {
    FileHandle.standardError.write(Data("StatisticsBenchmark: set LLMCACHE_REDIS8_URL (scripts/with-redis.sh does)\n".utf8))
    exit(2)
}

let client = try RedisClient(url: url)
let namespace = try await RedisNamespace(name: "bench-stats-\(UInt32.random(in: 0...UInt32.max))", client: client)
let answer = ChatResponse(
    id: "bench", model: "m", created: 0, choices: [.init(message: .assistant("The stored answer."))],
    usage: TokenUsage(promptTokens: 30, completionTokens: 45))

/// A three-tier-like stack: memory, Redis exact, and a second memory tier standing in for a semantic one.
func makeStack() -> CacheStack {
    CacheStack(
        tiers: [MemoryTier(maxEntries: 10_000), RedisExactTier(namespace: namespace), MemoryTier(name: "memory-2", maxEntries: 10_000)],
        configuration: .init(priceTable: PriceTable(fallback: .init(promptPerMillion: 0.15, completionPerMillion: 0.6))),
        versionSource: namespace)
}

/// p50 of a memory hit through the stack, in microseconds, with or without a publisher running.
func memoryHitP50(publishing: Bool) async throws -> Double {
    let stack = makeStack()
    let publisher = RedisStatisticsPublisher(stack: stack, namespace: namespace, configuration: .init(interval: .milliseconds(1)))
    if publishing { publisher.start() }
    _ = try await stack.response(for: "hot question", compute: { _ in answer })
    var samples = [Double](repeating: 0, count: calls)
    for index in 0..<calls {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try await stack.response(for: "hot question", compute: { _ in answer })
        samples[index] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
    }
    await publisher.shutdown()
    return Percentiles(samples).value(at: 0.5)
}

/// p50 of one publish carrying a realistic batch (every counter of three
/// tiers changed, a few latency buckets each), and of the snapshot it reads.
func publishCost() async throws -> (publish: Double, snapshot: Double, fields: Int) {
    let stack = makeStack()
    let publisher = RedisStatisticsPublisher(stack: stack, namespace: namespace)
    var publishSamples: [Double] = []
    var snapshotSamples: [Double] = []
    for round in 0..<publishes {
        for index in 0..<4 {
            _ = try await stack.response(for: "question \(round) \(index % 2)", compute: { _ in answer })
        }
        snapshotSamples.append(nanoseconds { _ = stack.statistics } / 1000)
        let start = DispatchTime.now().uptimeNanoseconds
        let sent = try await publisher.publish()
        precondition(sent, "every round changes the counters")
        publishSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
    }
    await publisher.shutdown()
    // At most: four stack counters, ten per tier and one per occupied latency bucket.
    let fields = 4 + stack.statistics.tiers.reduce(0) { $0 + 10 + $1.lookupLatency.buckets.count }
    return (Percentiles(publishSamples).value(at: 0.5), Percentiles(snapshotSamples).value(at: 0.5), fields)
}

var withoutPublisher: [Double] = []
var withPublisher: [Double] = []
var publishP50s: [Double] = []
var snapshotP50s: [Double] = []
var fields = 0
for _ in 0..<runs {
    withoutPublisher.append(try await memoryHitP50(publishing: false))
    withPublisher.append(try await memoryHitP50(publishing: true))
    let cost = try await publishCost()
    publishP50s.append(cost.publish)
    snapshotP50s.append(cost.snapshot)
    fields = cost.fields
}
_ = try await namespace.resetPublishedStatistics()
try await RedisExactTier(namespace: namespace).removeAll()
await namespace.shutdown()
await client.shutdown()

var report = BenchmarkReport(name: "statistics")
report.add("runs", runs)
report.add("memory_hit_calls_per_run", calls)
report.add("memory_hit_p50_us_without_publisher", median(withoutPublisher))
report.add("memory_hit_p50_us_with_publisher_every_1ms", median(withPublisher))
report.add("publish_p50_us", median(publishP50s))
report.add("publishes_per_run", publishes)
report.add("fields_per_batch_upper_bound", fields)
report.add("statistics_snapshot_p50_us", median(snapshotP50s))
report.add("cores", ProcessInfo.processInfo.activeProcessorCount)
report.emit()
