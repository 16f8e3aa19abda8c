import Synchronization

/// Stores that finish after the caller already has its answer.
///
/// Why: once the model has answered, the caller should not wait for a slow
/// or stalled server to accept a copy. The number of stores in progress is
/// bounded: when the bound is reached a new store is dropped (and counted),
/// so an outage turns into misses later, never into a backlog of tasks and
/// memory that grows with the request rate.
final class WriteBehind: Sendable {
    private struct State {
        var nextID = 0
        var running: [Int: Task<Void, Never>] = [:]
    }

    let limit: Int
    private let state = CacheLock(State())

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Starts `job` in the background; false (and `job` not run) when
    /// ``limit`` stores are already running.
    func submit(_ job: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            guard state.running.count < limit else { return false }
            let id = state.nextID
            state.nextID += 1
            state.running[id] = Task {
                await job()
                self.finished(id)
            }
            return true
        }
    }

    /// Returns once every store submitted before or during the wait has finished.
    func waitUntilIdle() async {
        while let task = state.withLock({ $0.running.values.first }) {
            await task.value
        }
    }

    private func finished(_ id: Int) {
        _ = state.withLock { $0.running.removeValue(forKey: id) }
    }
}
