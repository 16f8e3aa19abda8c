import Synchronization

/// Runs one computation per key at a time and shares its outcome with every
/// caller who asks for the same key meanwhile.
///
/// A burst of identical cache misses (a stampede) then costs one model call.
/// The computation runs in the first caller's task (the leader), so it may use
/// that caller's non-escaping closure. If the leader is cancelled, waiters are
/// not failed: one of them becomes the new leader and computes. A waiter that
/// is cancelled leaves alone, without disturbing the others.
final class SingleFlight<Key: Hashable & Sendable>: Sendable {
    private let flights = CacheLock<[Key: Flight]>([:])

    init() {}

    /// The value for `key`: computed by `operation` if no flight is running,
    /// else the running flight's outcome. `afterPublish` runs in the leader
    /// after waiters were given the value; the flight stays open (callers
    /// arriving meanwhile join instead of computing again) until the
    /// ``FlightRelease`` it is handed is released, which may be later, from
    /// another task (a background store).
    func run<Value: Sendable>(
        key: Key,
        operation: () async throws -> Value,
        afterPublish: (Value, FlightRelease) async -> Void
    ) async throws -> (value: Value, joined: Bool) {
        while true {
            let (flight, isLeader) = flights.withLock { flights in
                if let existing = flights[key] { return (existing, false) }
                let flight = Flight()
                flights[key] = flight
                return (flight, true)
            }
            if isLeader {
                do {
                    let value = try await operation()
                    flight.publish(.value(value))
                    await afterPublish(value, FlightRelease { [self] in end(flight, key: key) })
                    return (value, false)
                } catch {
                    let abandoned = Task.isCancelled || error is CancellationError
                    flight.publish(abandoned ? .abandoned : .failure(error))
                    end(flight, key: key)
                    throw error
                }
            }
            switch try await flight.wait() {
            case .value(let value):
                if let value = value as? Value { return (value, true) }
                // Another value type under the same key: not ours to share.
                return (try await operation(), false)
            case .failure(let error):
                throw error
            case .abandoned:
                continue
            }
        }
    }

    private func end(_ flight: Flight, key: Key) {
        flights.withLock { flights in
            if flights[key] === flight { flights[key] = nil }
        }
    }
}

/// Ends a flight when released, once, from whichever task holds it.
final class FlightRelease: Sendable {
    private let action = CacheLock<(@Sendable () -> Void)?>(nil)

    init(_ action: @escaping @Sendable () -> Void) {
        self.action.withLock { $0 = action }
    }

    func release() {
        let action = self.action.withLock { action in
            defer { action = nil }
            return action
        }
        action?()
    }
}

/// One running computation and the callers waiting for it.
private final class Flight: Sendable {
    enum Outcome: Sendable {
        case value(any Sendable)
        case failure(any Error)
        /// The leader was cancelled; a waiter should take over.
        case abandoned
    }

    private enum Wake: Sendable {
        case outcome(Outcome)
        case cancelled
    }

    private struct State {
        var outcome: Outcome?
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Wake, Never>] = [:]
        var cancelledBeforeWaiting: Set<Int> = []
    }

    private let state = CacheLock(State())

    func publish(_ outcome: Outcome) {
        let waiters = state.withLock { state in
            state.outcome = outcome
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: .outcome(outcome)) }
    }

    /// Waits for the outcome; throws `CancellationError` if this waiter's task
    /// is cancelled first.
    func wait() async throws -> Outcome {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let wake = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                let immediate: Wake? = state.withLock { state in
                    if let outcome = state.outcome { return .outcome(outcome) }
                    if state.cancelledBeforeWaiting.remove(id) != nil { return .cancelled }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Wake, Never>? = state.withLock { state in
                if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
                if state.outcome == nil { state.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            continuation?.resume(returning: .cancelled)
        }
        switch wake {
        case .outcome(let outcome): return outcome
        case .cancelled: throw CancellationError()
        }
    }
}
