import BenchmarkSupport
import LLMCache
import LLMCacheRedis
import Synchronization

/// Stores `vectors` through `tier` from `writers` tasks; entry `i` is the
/// answer to "stored \(firstIndex + i)". Returns the stores per second.
@discardableResult
func storeConcurrently(
    _ vectors: [[Float]], firstIndex: Int = 0, in tier: RedisSemanticTier, writers: Int, answer: [UInt8]
) async throws -> Double {
    let now = SystemCacheClock().now
    let start = ContinuousClock.now
    try await forEachConcurrently(Array(vectors.indices), tasks: writers) { index in
        let entry = CacheEntry(value: answer, createdAt: now, expiresAt: now.advanced(by: .seconds(7200)))
        try await tier.store(entry, for: CacheQuery(request: "stored \(firstIndex + index)"), vector: vectors[index])
    }
    return Double(vectors.count) / (microseconds(since: start) / 1e6)
}

/// Set once the writers are done, read by the lookup loop.
private final class Finished: Sendable {
    let flag = Atomic<Bool>(false)
}

/// Latency of `lookup` (given a counter and a query) while `writers` tasks
/// store `extra` more vectors through `tier`: what a reader sees while
/// misses are being stored, since the server inserts into the same graph
/// it searches.
func lookupsDuringStores(
    _ lookup: @Sendable (Int, [Float]) async throws -> Void, queries: [[Float]], extra: [[Float]], firstIndex: Int,
    in tier: RedisSemanticTier, writers: Int, answer: [UInt8]
) async throws -> Percentiles {
    let finished = Finished()
    let storing = Task {
        defer { finished.flag.store(true, ordering: .releasing) }
        try await storeConcurrently(extra, firstIndex: firstIndex, in: tier, writers: writers, answer: answer)
    }
    var samples: [Double] = []
    var index = 0
    while !finished.flag.load(ordering: .acquiring) {
        let start = ContinuousClock.now
        try await lookup(index, queries[index % queries.count])
        samples.append(microseconds(since: start))
        index += 1
    }
    try await storing.value
    return Percentiles(samples)
}

/// Bare `VADD … CAS` of `vectors` into `setKey` with the tier's graph
/// settings, `inFlight` at a time: the server's own insert rate, to set the
/// tier's store rate against in the same run. Returns inserts per second.
func bareInsertRate(
    _ vectors: [[Float]], into setKey: String, tag: String, client: RedisClient, inFlight: Int,
    settings: RedisSemanticTier.VectorSetSettings
) async throws -> Double {
    let start = ContinuousClock.now
    try await forEachConcurrently(Array(vectors.indices), tasks: inFlight) { index in
        try await client.execute(
            RedisCommand(
                "VADD", setKey, "FP32", float32Bytes(vectors[index]), "\(tag)\(index)", "CAS",
                settings.quantization.rawValue, "M", settings.links, "EF", settings.buildExplorationFactor))
    }
    return Double(vectors.count) / (microseconds(since: start) / 1e6)
}
