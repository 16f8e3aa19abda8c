import LLMCache

/// The statistics every process of a namespace published to Redis, added up.
///
/// Why: ``CacheStack/statistics`` describes one process since it started;
/// operators want the whole fleet over a longer span. Each process's
/// ``RedisStatisticsPublisher`` adds its deltas to shared counters; this is
/// what ``RedisNamespace/publishedStatistics()`` reads back (and
/// `llmcache stats` prints).
public struct PublishedStatistics: Sendable {
    /// One tier's counters, summed over every process with a tier of that name.
    public struct Tier: Sendable {
        public var name: String
        /// The tier's position in the stacks that published it (0: fastest).
        public var position: Int
        public var hits: Int
        public var misses: Int
        /// Lookups that threw (misses for the request).
        public var errors: Int
        /// Lookups skipped by an open circuit breaker.
        public var skipped: Int
        /// Entries copied into this tier from a slower one.
        public var promotions: Int
        public var stores: Int
        public var storeErrors: Int
        /// Hits whose stored bytes did not decode.
        public var decodeFailures: Int
        public var tokensSaved: Int
        public var costSaved: Double
        /// Lookup durations of every process together (empty if publishers
        /// were told not to send them).
        public var lookupLatency: LatencyHistogram.Snapshot

        /// Lookups the tier answered or tried to: hits, misses and errors.
        public var lookups: Int { hits + misses + errors }
        /// Hits over ``lookups``; 0 without lookups.
        public var hitRate: Double { lookups == 0 ? 0 : Double(hits) / Double(lookups) }
    }

    /// A process that publishes, by the name its publisher gave it.
    public struct Instance: Sendable, Hashable {
        public var name: String
        /// When its last batch arrived.
        public var lastReport: CacheTime
    }

    /// Tiers in stack order.
    public var tiers: [Tier]
    /// Requests the stacks answered.
    public var requests: Int
    /// Requests that ran the model.
    public var computed: Int
    /// Requests that joined another request's model call.
    public var coalesced: Int
    /// Model calls that threw.
    public var computeFailures: Int
    /// Batches applied (a health figure: it grows by about one per process per interval while traffic flows).
    public var batches: Int
    /// When the first batch after the last reset arrived; `nil` if nothing was published.
    public var since: CacheTime?
    /// Processes that published within the retention period, most recent first.
    public var instances: [Instance]
    /// Requests the stacks' cacheability policies kept to exact tiers
    /// (personal or time-sensitive questions, by default).
    public var exactOnly = 0
    /// Requests the cacheability policies kept from the cache altogether.
    public var notCached = 0
    /// Misses shared among the processes (leases taken, answers read from
    /// another process's call, waits that timed out, coordinator failures).
    public var sharedFlights = CacheStatistics.SharedFlights()

    /// Requests answered without calling the model (tier hits and coalesced waits).
    public var hitRate: Double { requests == 0 ? 0 : Double(requests - computed) / Double(requests) }
    public var tokensSaved: Int { tiers.reduce(0) { $0 + $1.tokensSaved } }
    public var costSaved: Double { tiers.reduce(0) { $0 + $1.costSaved } }
}
