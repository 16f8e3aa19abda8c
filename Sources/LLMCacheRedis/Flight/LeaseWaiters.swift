import LLMCache
import Synchronization

/// The leaders of this process's misses that wait for a flight lease held
/// by another process, by lease key.
///
/// Why: the holder publishes on the namespace's channel when it releases a
/// lease someone waits for; the namespace's subscriber thread hands that to
/// ``wake(_:)``, so a waiter reads the answer within a round trip instead of
/// at its next poll. Polling stays as the safety net (a message lost during
/// a reconnect, a lease that expires because its holder died).
final class LeaseWaiters: Sendable {
    private struct State {
        var nextID = 0
        var waiting: [[UInt8]: [Int: LeaseSignal]] = [:]
    }

    private let state = CacheLock(State())

    init() {}

    /// A signal fired when `lease` is released; pass the ID to ``remove(_:id:)`` when done.
    func add(_ lease: [UInt8]) -> (id: Int, signal: LeaseSignal) {
        let signal = LeaseSignal()
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.waiting[lease, default: [:]][state.nextID] = signal
            return state.nextID
        }
        return (id, signal)
    }

    func remove(_ lease: [UInt8], id: Int) {
        state.withLock { state in
            state.waiting[lease]?[id] = nil
            if state.waiting[lease]?.isEmpty == true { state.waiting[lease] = nil }
        }
    }

    /// `lease` was released: its waiters look again.
    func wake(_ lease: [UInt8]) {
        for signal in state.withLock({ $0.waiting[lease]?.values.map { $0 } ?? [] }) { signal.fire() }
    }

    /// Every waiter looks again (messages may have been lost).
    func wakeAll() {
        for signal in state.withLock({ $0.waiting.values.flatMap(\.values) }) { signal.fire() }
    }
}

/// Fired once, and stays fired: a waiter that looks after the fact (it was
/// between two waits) sees it at once.
final class LeaseSignal: Sendable {
    private struct State {
        var fired = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var cancelledBeforeWaiting: Set<Int> = []
    }

    private let state = CacheLock(State())

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// True once fired; false if `timeout` passes first. Throws
    /// `CancellationError` if the task is cancelled.
    func wait(upTo timeout: Duration) async throws -> Bool {
        let fired = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.next() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        try Task.checkCancellation()
        return fired
    }

    /// True when fired, false when the task is cancelled first.
    private func next() async -> Bool {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { state in
                    if state.fired { return true }
                    if state.cancelledBeforeWaiting.remove(id) != nil { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
                if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
                if !state.fired { state.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            continuation?.resume(returning: false)
        }
    }
}
