/// How a streamed call uses the cache: how a stored stream is replayed and
/// how long a stream may grow and still be stored.
///
/// A replay from the cache can arrive all at once, which is what a program
/// wants; a chat interface may prefer the look of a model typing, so pacing
/// is a per-call choice rather than a property of the stored answer.
public struct StreamCaching: Sendable {
    /// The rhythm of a replayed stream. Whatever the pacing, the first chunk
    /// of a replay is delivered at once: quick first output is what the
    /// cache is for.
    public enum Pacing: Sendable, Hashable {
        /// Every chunk as soon as the consumer asks for it.
        case unpaced
        /// The same pause before every chunk after the first.
        case fixed(Duration)
        /// The pauses the model took, divided by `speed` (2 replays twice as
        /// fast). A `speed` that is not a positive finite number replays unpaced.
        case recorded(speed: Double = 1)
    }

    /// How hits are replayed.
    public var pacing: Pacing
    /// A stream whose encoded chunks grow beyond this many bytes is still
    /// delivered in full but not stored, and identical requests stop joining
    /// it, so that a runaway stream cannot hold unbounded memory for late
    /// joiners or fill a tier.
    public var maxRecordedBytes: Int
    /// The clock pauses are measured on; tests inject one that does not wait.
    public var clock: any Clock<Duration>

    public init(
        pacing: Pacing = .unpaced, maxRecordedBytes: Int = 4 << 20, clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.pacing = pacing
        self.maxRecordedBytes = maxRecordedBytes
        self.clock = clock
    }

    /// The pause before each chunk of `recording`, or `nil` for none at all.
    func pauses<Chunk>(replaying recording: RecordedStream<Chunk>) -> [Duration]? {
        let count = recording.chunks.count
        switch pacing {
        case .unpaced:
            return nil
        case .fixed(let interval):
            guard interval > .zero, count > 1 else { return nil }
            return [.zero] + Array(repeating: interval, count: count - 1)
        case .recorded(let speed):
            guard speed.isFinite, speed > 0, count > 1 else { return nil }
            return [.zero] + (1..<count).map { recording.interval(before: $0) * (1 / speed) }
        }
    }
}
