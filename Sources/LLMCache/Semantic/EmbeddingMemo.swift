import Synchronization

/// The embeddings of one request's semantic text, computed once per embedder.
///
/// Several semantic tiers in one stack, and the store after a miss, all need
/// the same vector; embedding costs milliseconds, so it is done once and shared.
public final class EmbeddingMemo: Sendable {
    /// One embedder's computation and how many callers are waiting for it.
    private struct Computation {
        let task: Task<TextEncoding, any Error>
        var waiters: Int
    }

    private let computations = CacheLock<[String: Computation]>([:])

    public init() {}

    /// The normalised embedding of `text` by `embedder`, computing it on first use.
    /// Concurrent callers share one computation.
    public func embedding(of text: String, using embedder: some Embedder) async throws -> [Float] {
        try await embedding(of: text, using: embedder, timeout: nil)
    }

    /// Like ``embedding(of:using:)``, but gives up after `timeout` with
    /// ``CacheError/Code/embeddingFailed``, so that a slow embedding service
    /// costs one tier a miss instead of stalling the request.
    ///
    /// When every caller waiting for the computation has given up, it is
    /// cancelled rather than left to finish for nobody: an embedder that
    /// honours cancellation (the native MiniLM one drops the queued texts)
    /// then spends nothing more on it, which matters most when timeouts fire
    /// because the embedder is overloaded. A later caller starts afresh.
    public func embedding(of text: String, using embedder: some Embedder, timeout: Duration?) async throws -> [Float] {
        try await encoding(of: text, using: embedder, timeout: timeout).vector
    }

    /// The sentence vector of `text` and, when `embedder` is a
    /// ``TokenEmbedder``, its token vectors from the same pass; shared and
    /// timed out like ``embedding(of:using:timeout:)``.
    public func encoding(of text: String, using embedder: some Embedder, timeout: Duration?) async throws
        -> TextEncoding
    {
        let key = embedder.identifier
        let task = join(text, using: embedder)
        guard let timeout else {
            defer { leave(key, task, gaveUp: false) }
            return try await task.value
        }
        let outcome = FirstOutcome<TextEncoding>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            let timer = Task {
                do { try await Task.sleep(for: timeout) } catch { return }  // cancelled: the result came first
                if outcome.resume(.failure(CacheError(.embeddingFailed, "embedding took longer than \(timeout)"))) {
                    self.leave(key, task, gaveUp: true)
                }
            }
            Task {
                if outcome.resume(await task.result) { self.leave(key, task, gaveUp: false) }
                timer.cancel()
            }
        }
    }

    /// The computation for `embedder`, started if there is none, counting
    /// the caller as one more waiter.
    private func join(_ text: String, using embedder: some Embedder) -> Task<TextEncoding, any Error> {
        computations.withLock { computations in
            if var existing = computations[embedder.identifier] {
                existing.waiters += 1
                computations[embedder.identifier] = existing
                return existing.task
            }
            let task = Task<TextEncoding, any Error> {
                let encodings: [TextEncoding]
                if let tokenEmbedder = embedder as? any TokenEmbedder {
                    encodings = try await tokenEmbedder.encode([text])
                } else {
                    encodings = try await embedder.embed([text]).map { TextEncoding(vector: $0) }
                }
                guard encodings.count == 1 else {
                    throw CacheError(.invalidEmbedding, "embedder returned \(encodings.count) vectors for 1 text")
                }
                return TextEncoding(
                    vector: try normalizedEmbedding(encodings[0].vector, dimensions: embedder.dimensions),
                    tokens: encodings[0].tokens)
            }
            computations[embedder.identifier] = Computation(task: task, waiters: 1)
            return task
        }
    }

    /// Counts one waiter of `task` out; when the last one gave up, forgets
    /// the computation and cancels it.
    private func leave(_ key: String, _ task: Task<TextEncoding, any Error>, gaveUp: Bool) {
        let abandoned = computations.withLock { computations -> Bool in
            guard var entry = computations[key], entry.task == task else { return false }
            entry.waiters -= 1
            if gaveUp && entry.waiters == 0 {
                computations[key] = nil
                return true
            }
            computations[key] = entry
            return false
        }
        if abandoned { task.cancel() }
    }
}

/// Resumes a continuation with whichever of several racing results comes first.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private let continuation = CacheLock<CheckedContinuation<Value, any Error>?>(nil)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// Resumes with `result` if nothing has yet; returns whether it did.
    @discardableResult
    func resume(_ result: Result<Value, any Error>) -> Bool {
        let waiting = continuation.withLock { slot in
            defer { slot = nil }
            return slot
        }
        waiting?.resume(with: result)
        return waiting != nil
    }
}
