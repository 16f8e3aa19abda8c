extension MiniLMEmbedder {
    /// What the embedder's queue and encoder have done since it was created.
    ///
    /// Concurrent `embed` calls are merged into shared forward passes; these
    /// counters show how well that works (texts per pass) and how much load
    /// was shed (rejected and cancelled calls), which wall-clock timings on a
    /// shared machine cannot show reliably.
    public struct Statistics: Sendable, Equatable {
        /// Forward passes run (each encodes at most `maxBatchSize` texts).
        public var forwardPasses = 0
        /// Texts encoded by those passes.
        public var textsEncoded = 0
        /// The most texts one pass has encoded.
        public var largestPass = 0
        /// Calls refused with ``EmbeddingError/Code/queueFull``.
        public var callsRejected = 0
        /// Calls whose task was cancelled before their vectors were ready;
        /// the texts of those still queued were never encoded.
        public var callsCancelled = 0
        /// Texts waiting in the queue right now.
        public var queuedTexts = 0

        public init() {}
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { worker.statistics }
}
