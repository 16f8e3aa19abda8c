import Synchronization

/// An embedder with a memory: a text embedded before is answered from an LRU
/// instead of the model.
///
/// Prompts repeat (a FAQ, a retry, the same question from many users); an
/// embedding costs milliseconds on a CPU or a paid HTTP call, a lookup here
/// costs a hash. Keyed by the wrapped embedder's identifier and the text, so
/// one cache never mixes models. Texts of one call that miss go to the
/// wrapped embedder together, in one batch.
public final class CachingEmbedder: Embedder {
    public let base: any Embedder
    public var identifier: String { base.identifier }
    public var dimensions: Int { base.dimensions }
    private let vectors: CacheLock<LRUDictionary<String, [Float]>>
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)

    /// - Parameter capacity: the most texts remembered (384 floats, about
    ///   1.6 KB each, for MiniLM).
    public init(_ base: any Embedder, capacity: Int = 10_000) {
        self.base = base
        self.vectors = CacheLock(LRUDictionary(capacity: capacity))
    }

    /// Texts answered from memory.
    public var hitCount: Int { hits.load(ordering: .relaxed) }
    /// Texts sent to the wrapped embedder.
    public var missCount: Int { misses.load(ordering: .relaxed) }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let prefix = identifier + "\u{0}"
        var result = vectors.withLock { cache in texts.map { cache.value(for: prefix + $0) } }
        let missing = result.indices.filter { result[$0] == nil }
        hits.add(texts.count - missing.count, ordering: .relaxed)
        guard !missing.isEmpty else { return result.map { $0! } }
        misses.add(missing.count, ordering: .relaxed)
        // Each distinct missing text once, even if the call repeats it.
        var distinct: [String] = []
        var position: [String: Int] = [:]
        for index in missing where position[texts[index]] == nil {
            position[texts[index]] = distinct.count
            distinct.append(texts[index])
        }
        let computed = try await base.embed(distinct)
        guard computed.count == distinct.count else {
            throw CacheError(.invalidEmbedding, "embedder returned \(computed.count) vectors for \(distinct.count) texts")
        }
        vectors.withLock { cache in
            for (text, vector) in zip(distinct, computed) { cache.set(vector, for: prefix + text) }
        }
        for index in missing { result[index] = computed[position[texts[index]]!] }
        return result.map { $0! }
    }
}
