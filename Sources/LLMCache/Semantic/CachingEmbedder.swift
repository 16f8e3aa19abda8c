import Synchronization

/// An embedder with a memory: a text embedded before is answered from an LRU
/// instead of the model.
///
/// Prompts repeat (a FAQ, a retry, the same question from many users); an
/// embedding costs milliseconds on a CPU or a paid HTTP call, a lookup here
/// costs a hash. Keyed by the wrapped embedder's identifier and the text, so
/// one cache never mixes models. Texts of one call that miss go to the
/// wrapped embedder together, in one batch. When the wrapped embedder is a
/// ``TokenEmbedder`` its token vectors are remembered and passed on too.
public final class CachingEmbedder: TokenEmbedder {
    public let base: any Embedder
    public var identifier: String { base.identifier }
    public var dimensions: Int { base.dimensions }
    private let vectors: CacheLock<LRUDictionary<String, TextEncoding>>
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)

    /// - Parameter capacity: the most texts remembered (for MiniLM 384
    ///   floats, about 1.6 KB, plus about 0.4 KB per content token).
    public init(_ base: any Embedder, capacity: Int = 10_000) {
        self.base = base
        self.vectors = CacheLock(LRUDictionary(capacity: capacity))
    }

    /// Texts answered from memory.
    public var hitCount: Int { hits.load(ordering: .relaxed) }
    /// Texts sent to the wrapped embedder.
    public var missCount: Int { misses.load(ordering: .relaxed) }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await encode(texts).map(\.vector)
    }

    /// Encodings of `texts`; ``TextEncoding/tokens`` is `nil` when the
    /// wrapped embedder is not a ``TokenEmbedder``.
    public func encode(_ texts: [String]) async throws -> [TextEncoding] {
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
        let computed =
            if let tokenEmbedder = base as? any TokenEmbedder {
                try await tokenEmbedder.encode(distinct)
            } else {
                try await base.embed(distinct).map { TextEncoding(vector: $0) }
            }
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
