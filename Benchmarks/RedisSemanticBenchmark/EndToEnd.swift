import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheEmbeddings
import LLMCacheRedis

/// A semantic hit as a caller sees it, text in and answer out: the native
/// MiniLM embeds the question, then the tier searches and decodes. The
/// first `size` real questions are stored through the tier (embedded one by
/// one, as misses are), then the paraphrases of stored questions are asked
/// one at a time. Every lookup is a hit (no threshold, no guard), so the
/// figure is the embedding plus the lookup, with nothing else measured.
func endToEndHitLatency(
    texts: RealTextVectors, modelFolder: String, size: Int, queries count: Int, runs: Int, client: RedisClient,
    answer: [UInt8]
) async throws -> (p50: Double, p99: Double, embedding: Double) {
    let embedder = try await MiniLMEmbedder.load(modelFolder: URL(fileURLWithPath: modelFolder))
    let namespace = try await RedisNamespace(name: ThrowawayNamespace.uniqueName("bench-end-to-end"), client: client)
    var configuration = RedisSemanticTier.Configuration(threshold: -1, backend: .vectorSet)
    configuration.matchGuard = nil
    configuration.candidates = 1
    let tier = try RedisSemanticTier(namespace: namespace, embedder: embedder, configuration: configuration)
    let now = SystemCacheClock().now
    for text in texts.storedTexts.prefix(size) {
        let entry = CacheEntry(value: answer, createdAt: now, expiresAt: now.advanced(by: .seconds(7200)))
        try await tier.store(entry, for: CacheQuery(request: text))
    }
    let asked = zip(texts.queryTexts, texts.queries).filter { $0.1.partner < size }.prefix(count).map(\.0)
    var p50s: [Double] = []
    var p99s: [Double] = []
    var embeddings: [Double] = []
    for _ in 0..<runs {
        let run = try await timeTextLookups(tier, embedder: embedder, questions: Array(asked))
        p50s.append(run.hits.median)
        p99s.append(run.hits.value(at: 0.99))
        embeddings.append(run.embeddings.median)
    }
    try await ThrowawayNamespace.delete(namespace, client: client)
    await namespace.shutdown()
    return (median(p50s), median(p99s), median(embeddings))
}

/// One pass over `questions`: each hit's latency, text in and answer out,
/// and, for comparison, the embedding alone of the same question.
private func timeTextLookups(
    _ tier: RedisSemanticTier, embedder: MiniLMEmbedder, questions: [String]
) async throws -> (hits: Percentiles, embeddings: Percentiles) {
    var hits: [Double] = []
    var embeddings: [Double] = []
    for question in questions {
        var start = ContinuousClock.now
        guard try await tier.lookup(CacheQuery(request: question)) != nil else {
            throw NoHit(question: question)
        }
        hits.append(microseconds(since: start))
        start = ContinuousClock.now
        _ = try await embedder.embed([question])
        embeddings.append(microseconds(since: start))
    }
    return (Percentiles(hits), Percentiles(embeddings))
}

/// A paraphrase of a stored question found nothing: with no threshold that
/// means the tier lost an entry, and the figures would not be of hits.
private struct NoHit: Error {
    let question: String
}
