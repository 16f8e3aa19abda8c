import Synchronization

/// The embeddings of one request's semantic text, computed once per embedder.
///
/// Several semantic tiers in one stack, and the store after a miss, all need
/// the same vector; embedding costs milliseconds, so it is done once and shared.
public final class EmbeddingMemo: Sendable {
    private let tasks = CacheLock<[String: Task<[Float], any Error>]>([:])

    public init() {}

    /// The normalised embedding of `text` by `embedder`, computing it on first use.
    /// Concurrent callers share one computation.
    public func embedding(of text: String, using embedder: some Embedder) async throws -> [Float] {
        let task = tasks.withLock { tasks in
            if let existing = tasks[embedder.identifier] { return existing }
            let task = Task<[Float], any Error> {
                let vectors = try await embedder.embed([text])
                guard vectors.count == 1 else {
                    throw CacheError(.invalidEmbedding, "embedder returned \(vectors.count) vectors for 1 text")
                }
                return try normalizedEmbedding(vectors[0], dimensions: embedder.dimensions)
            }
            tasks[embedder.identifier] = task
            return task
        }
        return try await task.value
    }
}
