import Synchronization

/// At most a fixed number of async callers inside at once; the others wait
/// their turn, first come first served.
///
/// Why: some work is cheaper to queue in the caller than to pile onto a
/// shared resource. The Redis vector-set tier keeps one graph insert in
/// flight per process this way (the server inserts on the same cores that
/// answer lookups, so a store that waits is cheaper than every lookup
/// waiting), and tests that kill cluster nodes run one at a time.
public final class AsyncPermits: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// - Parameter count: callers inside at once; 0 or less: no limit.
    public init(count: Int) {
        state = Mutex(State(available: count > 0 ? count : .max))
    }

    /// Runs `body` once a permit is free, then hands the permit on.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state in
                guard state.available > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
