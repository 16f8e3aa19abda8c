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
        try await task(for: text, using: embedder).value
    }

    /// Like ``embedding(of:using:)``, but gives up after `timeout` with
    /// ``CacheError/Code/embeddingFailed``, so that a slow embedding service
    /// costs one tier a miss instead of stalling the request. The computation
    /// itself goes on and later callers may still use it.
    public func embedding(of text: String, using embedder: some Embedder, timeout: Duration?) async throws -> [Float] {
        let task = task(for: text, using: embedder)
        guard let timeout else { return try await task.value }
        let outcome = FirstOutcome<[Float]>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            let timer = Task {
                do { try await Task.sleep(for: timeout) } catch { return }  // cancelled: the result came first
                outcome.resume(.failure(CacheError(.embeddingFailed, "embedding took longer than \(timeout)")))
            }
            Task {
                outcome.resume(await task.result)
                timer.cancel()
            }
        }
    }

    private func task(for text: String, using embedder: some Embedder) -> Task<[Float], any Error> {
        tasks.withLock { tasks in
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
    }
}

/// Resumes a continuation with whichever of several racing results comes first.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private let continuation = CacheLock<CheckedContinuation<Value, any Error>?>(nil)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ result: Result<Value, any Error>) {
        let waiting = continuation.withLock { slot in
            defer { slot = nil }
            return slot
        }
        waiting?.resume(with: result)
    }
}
