import LLMCache
import Synchronization

/// A `Clock` whose sleeps return at once, moving its own time forward and
/// remembering every pause asked for.
///
/// Paced stream replays sleep between chunks; with this clock a test asserts
/// exactly which pauses were requested, instantly and without timing
/// thresholds that a loaded machine would break.
public final class RecordingClock: Clock, Sendable {
    /// A point on the clock: the time since it was created.
    public struct Instant: InstantProtocol {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleeps: [Duration] = []
    }

    private let state = CacheLock(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// Every pause requested so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Records the pause and returns at once; throws `CancellationError` in a
    /// cancelled task, as a real sleep would.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(state.now.duration(to: deadline))
            if state.now < deadline { state.now = deadline }
        }
    }
}
