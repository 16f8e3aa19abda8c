import LLMCache
import LLMCacheTesting
import Synchronization

/// A streaming model stand-in that the test drives chunk by chunk: every
/// call opens a stream that stays open until the test sends, finishes or
/// fails it, so tests decide exactly when callers overlap.
final class ScriptedStreamModel: Sendable {
    private struct State {
        var open: [AsyncThrowingStream<String, any Error>.Continuation] = []
        var cancelled = 0
    }

    private let state = CacheLock(State())
    private let calls = Atomic<Int>(0)

    var callCount: Int { calls.load(ordering: .relaxed) }
    /// Streams whose consumer went away before the end (the model call was aborted).
    var cancelledCount: Int { state.withLock { $0.cancelled } }

    func stream(_ prompt: String) -> AsyncThrowingStream<String, any Error> {
        calls.add(1, ordering: .relaxed)
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.state.withLock { $0.cancelled += 1 } }
        }
        state.withLock { $0.open.append(continuation) }
        return stream
    }

    /// Sends a chunk on every open stream.
    func send(_ chunks: String...) {
        let open = state.withLock { $0.open }
        for chunk in chunks { for continuation in open { continuation.yield(chunk) } }
    }

    /// Ends every open stream, with `error` if given.
    func finish(throwing error: (any Error)? = nil) {
        let open = state.withLock { state in
            defer { state.open = [] }
            return state.open
        }
        for continuation in open { continuation.finish(throwing: error) }
    }
}

/// A model that streams a fixed answer at once, counting its calls.
final class FixedStreamModel: Sendable {
    let chunks: [String]
    private let calls = Atomic<Int>(0)

    init(_ chunks: [String] = ["Paris", " is", " the capital", " of France."]) { self.chunks = chunks }

    var callCount: Int { calls.load(ordering: .relaxed) }

    func stream(_ prompt: String) -> AsyncThrowingStream<String, any Error> {
        calls.add(1, ordering: .relaxed)
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        return stream
    }
}

/// A chunk type with token usage in its last chunk, like an OpenAI stream.
struct UsageChunk: JSONCacheValue, Hashable {
    var text: String
    var usage: TokenUsage?
    var tokenUsage: TokenUsage? { usage }
    var producingModel: String? { "gpt-test" }
}

/// A memory tier that remembers the query of the last store, so a test can
/// reach the entry a streamed call wrote (its key is the stack's business).
final class CapturingTier: CacheTier {
    let inner: MemoryTier
    private let lastQuery = CacheLock<CacheQuery?>(nil)

    init(clock: ManualCacheClock) { inner = MemoryTier(maxEntries: 100, clock: clock) }

    var name: String { inner.name }
    var matching: TierMatching { .exact }
    var storedQuery: CacheQuery? { lastQuery.withLock { $0 } }

    func lookup(_ query: CacheQuery) -> CacheHit? { inner.lookup(query) }
    func store(_ entry: CacheEntry, for query: CacheQuery) {
        lastQuery.withLock { $0 = query }
        inner.store(entry, for: query)
    }
    func invalidate(tags: Set<String>) -> Int { inner.invalidate(tags: tags) }
    func removeAll() { inner.removeAll() }
    func namespaceVersionDidChange(to version: UInt64) { inner.namespaceVersionDidChange(to: version) }
}

/// Everything a stream yields, and how it ended.
func collect<Chunk>(_ stream: AsyncThrowingStream<Chunk, any Error>) async -> ([Chunk], (any Error)?) {
    var chunks: [Chunk] = []
    do {
        for try await chunk in stream { chunks.append(chunk) }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}

/// Lets background work that is already runnable (a production task about
/// to store, say) run, before a test asserts that something did *not* happen.
func settle() async {
    for _ in 0..<1_000 { await Task.yield() }
}
