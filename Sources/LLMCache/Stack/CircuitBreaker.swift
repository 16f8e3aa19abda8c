import Synchronization

/// Stops asking a tier that keeps failing, then probes it after a cool-down.
///
/// A Redis that is down would otherwise cost a connect timeout on every
/// request; an open breaker costs nothing. After `coolDown` one request is let
/// through as a probe: success closes the breaker, failure opens it again.
public final class CircuitBreaker: Sendable {
    /// When to open and how long to stay open.
    public struct Configuration: Sendable {
        /// Consecutive failures that open the breaker.
        public var failureThreshold: Int = 5
        /// How long an open breaker skips the tier before probing.
        public var coolDown: Duration = .seconds(5)

        public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(5)) {
            self.failureThreshold = failureThreshold
            self.coolDown = coolDown
        }
    }

    /// The breaker's state, for statistics and tests.
    public enum State: Sendable, Hashable {
        case closed
        case open
        case halfOpen
    }

    private struct Storage {
        var consecutiveFailures = 0
        var openUntil: CacheTime?
        var probeStartedAt: CacheTime?
    }

    public let configuration: Configuration
    private let clock: any CacheClock
    private let storage = CacheLock(Storage())

    public init(configuration: Configuration = .init(), clock: any CacheClock = SystemCacheClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Whether a request may use the tier now. When the cool-down has passed,
    /// the first caller becomes the probe and later callers are turned away
    /// until the probe reports (or, if it never does, for another cool-down).
    public func allowsRequest() -> Bool {
        let now = clock.now
        let coolDown = configuration.coolDown
        return storage.withLock { state in
            guard let openUntil = state.openUntil else { return true }
            if now < openUntil { return false }
            if let probe = state.probeStartedAt, now < probe.advanced(by: coolDown) { return false }
            state.probeStartedAt = now
            return true
        }
    }

    public func recordSuccess() {
        storage.withLock { $0 = Storage() }
    }

    /// Records that a request failed with `error`, unless it was cancelled
    /// (the caller gave up, the tier did not fail) or the tier says only
    /// part of it failed (see ``PartialTierFailure``).
    public func recordFailure(_ error: any Error) {
        if error is CancellationError { return }
        if let partial = error as? any PartialTierFailure, partial.isPartial { return }
        recordFailure()
    }

    public func recordFailure() {
        let now = clock.now
        let configuration = configuration
        storage.withLock { state in
            state.consecutiveFailures += 1
            if state.probeStartedAt != nil || state.consecutiveFailures >= configuration.failureThreshold {
                state.openUntil = now.advanced(by: configuration.coolDown)
                state.probeStartedAt = nil
            }
        }
    }

    public var state: State {
        let now = clock.now
        return storage.withLock { state in
            guard let openUntil = state.openUntil else { return .closed }
            return now < openUntil ? .open : .halfOpen
        }
    }
}
