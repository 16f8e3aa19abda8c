extension CacheStatistics {
    /// What the stack learned about its semantic hits, and what learning
    /// cost: explorations and verifications are model calls a static
    /// threshold would not have made.
    public struct Feedback: Sendable, Hashable {
        /// Semantic candidates the error budget would have served but sent
        /// to the model to keep learning (each a model call).
        public var explorations = 0
        /// Semantic candidates below the error budget's threshold: misses
        /// whose answers were compared at no extra call.
        public var declines = 0
        /// Semantic candidates refused because their entry was found wrong
        /// at that score or higher.
        public var refusals = 0
        /// Observations recorded (explorations, verifications, reports).
        public var observations = 0
        /// Served semantic hits also computed in the background to check them.
        public var verifications = 0
        /// Verifications whose fresh answer differed from the served one.
        public var verificationMismatches = 0
        /// Answers reported wrong, and right.
        public var wrongReports = 0
        public var rightReports = 0

        public init(
            explorations: Int = 0, declines: Int = 0, refusals: Int = 0, observations: Int = 0, verifications: Int = 0,
            verificationMismatches: Int = 0, wrongReports: Int = 0, rightReports: Int = 0
        ) {
            self.explorations = explorations
            self.declines = declines
            self.refusals = refusals
            self.observations = observations
            self.verifications = verifications
            self.verificationMismatches = verificationMismatches
            self.wrongReports = wrongReports
            self.rightReports = rightReports
        }

        /// One line for the statistics table, or `nil` if nothing happened.
        var summary: String? {
            guard self != Feedback() else { return nil }
            return "semantic feedback: explorations \(explorations), declines \(declines), refusals \(refusals), observations \(observations), "
                + "verifications \(verifications) (\(verificationMismatches) wrong), reports \(wrongReports) wrong / \(rightReports) right"
        }
    }
}
