import Synchronization

/// At most a fixed number of graph inserts in flight from this process;
/// the others wait their turn here.
///
/// Why: the server inserts a vector on its own threads, but on the same
/// cores that answer lookups. Writers storing as fast as they can would
/// have every lookup wait behind a queue of inserts; a store that waits is
/// cheaper than every lookup waiting, since stores happen after the answer
/// is returned (see `CacheStack.Configuration.maxPendingStores`).
final class InsertGate: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// - Parameter permits: inserts in flight at once; 0 or less: no limit.
    init(permits: Int) {
        state = Mutex(State(available: permits > 0 ? permits : .max))
    }

    /// Runs `body` once an insert may start, then lets the next one in.
    func run<T>(_ body: () async throws -> T) async throws -> T {
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
