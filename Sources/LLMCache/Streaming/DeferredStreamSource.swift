import Synchronization

/// The source behind a stream returned by ``CacheStack/wrapStream(caching:_:)``:
/// the wrapped function must return its stream synchronously, so the tiers
/// are asked when the stream is first read, and only once however many
/// readers ask at the same time.
final class DeferredStreamSource<Chunk: Sendable>: Sendable {
    typealias Next = @Sendable () async throws -> Chunk?

    private enum State {
        case idle(@Sendable () async -> Next)
        case opening(waiters: [CheckedContinuation<Void, Never>])
        case open(Next)
    }

    private enum Step {
        case open(@Sendable () async -> Next)
        case wait
        case ready(Next)
    }

    private let state: CacheLock<State>

    init(open: @escaping @Sendable () async -> Next) {
        state = CacheLock(.idle(open))
    }

    func next() async throws -> Chunk? {
        // A consumer cancelled before it started reading starts nothing.
        if Task.isCancelled { throw CancellationError() }
        return try await source()()
    }

    private func source() async -> Next {
        while true {
            let step: Step = state.withLock { state in
                switch state {
                case .idle(let open):
                    state = .opening(waiters: [])
                    return .open(open)
                case .opening: return .wait
                case .open(let next): return .ready(next)
                }
            }
            switch step {
            case .ready(let next):
                return next
            case .open(let open):
                let next = await open()
                let waiters = state.withLock { state in
                    defer { state = .open(next) }
                    if case .opening(let waiters) = state { return waiters }
                    return []
                }
                for waiter in waiters { waiter.resume() }
                return next
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let opened = state.withLock { state in
                        guard case .opening(var waiters) = state else { return true }
                        waiters.append(continuation)
                        state = .opening(waiters: waiters)
                        return false
                    }
                    if opened { continuation.resume() }
                }
            }
        }
    }
}
