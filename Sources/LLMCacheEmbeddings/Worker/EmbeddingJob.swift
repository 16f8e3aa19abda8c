import LLMCache

/// One `embed` call's texts on their way through the encoder thread: created
/// by the caller, queued, taken into a forward pass, answered.
///
/// A class, so that the caller's cancellation handler and the worker thread
/// refer to the same job; its identity is what ``JobQueue`` removes.
/// `@unchecked Sendable`: everything mutable is touched only with the owning
/// ``EncoderThread``'s lock held.
final class EmbeddingJob: @unchecked Sendable {
    /// Where a job is; each step happens once, in this order, except that a
    /// cancelled job jumps to `finished`.
    enum Phase {
        /// Created, not yet handed to the thread.
        case created
        /// Cancelled before it was handed over: it must not be queued.
        case cancelledEarly
        /// Waiting in the queue.
        case queued
        /// Inside a forward pass.
        case running
        /// Its caller has been answered (vectors, an error, or cancellation).
        case finished
    }

    let texts: [String]
    var phase = Phase.created
    /// When it entered the queue; a batch window is measured from the oldest job.
    var enqueued = ContinuousClock.now
    /// The suspended caller, until it is answered exactly once.
    var continuation: CheckedContinuation<[TextEncoding], any Error>?

    init(texts: [String]) {
        self.texts = texts
    }
}
