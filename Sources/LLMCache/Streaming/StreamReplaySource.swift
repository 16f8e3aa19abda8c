import Synchronization

/// Hands out the chunks of a stored stream, pausing before each as the
/// caller's ``StreamCaching/Pacing`` asks.
///
/// Pull-based: a chunk is produced when the consumer asks for it, so an
/// unpaced replay costs no task and no buffer beyond the decoded recording,
/// and a pause runs in the consumer's task, where cancelling it ends the replay.
final class StreamReplaySource<Chunk: Sendable>: Sendable {
    private let chunks: [Chunk]
    private let pauses: [Duration]?
    private let clock: any Clock<Duration>
    private let position = Atomic<Int>(0)

    init(chunks: [Chunk], pauses: [Duration]?, clock: any Clock<Duration>) {
        self.chunks = chunks
        self.pauses = pauses
        self.clock = clock
    }

    /// The next chunk, or `nil` at the end; throws `CancellationError` when
    /// the consumer is cancelled during a pause.
    func next() async throws -> Chunk? {
        let index = position.add(1, ordering: .relaxed).oldValue
        guard index < chunks.count else { return nil }
        if let pauses, pauses[index] > .zero { try await clock.sleep(for: pauses[index]) }
        return chunks[index]
    }
}
