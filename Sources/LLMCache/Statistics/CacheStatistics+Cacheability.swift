extension CacheStatistics {
    /// What the cacheability policy (or per-call overrides) decided, so an
    /// operator can see how many requests never reach semantic matching and
    /// why: a rule that fires too often costs hits.
    public struct Cacheability: Sendable, Hashable {
        /// Requests answered by exact match only (semantic tiers skipped).
        public var exactOnly = 0
        /// Requests that bypassed the cache entirely.
        public var doNotCache = 0
        /// Both of the above, by ``CacheabilityReason/Kind`` name
        /// (`"personal"`, `"time-sensitive"`, `"caller"`, or your own).
        public var byReason: [String: Int] = [:]

        /// Counts as given (for tests and for adding up snapshots).
        public init(exactOnly: Int = 0, doNotCache: Int = 0, byReason: [String: Int] = [:]) {
            self.exactOnly = exactOnly
            self.doNotCache = doNotCache
            self.byReason = byReason
        }

        /// One line for the statistics table, or `nil` if nothing was decided.
        var summary: String? {
            guard exactOnly + doNotCache > 0 else { return nil }
            let reasons = byReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "cacheability policy: exact only \(exactOnly), not cached \(doNotCache) (\(reasons))"
        }
    }
}
