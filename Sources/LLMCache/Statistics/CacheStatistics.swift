/// A snapshot of what a ``CacheStack`` has done since it was created.
///
/// Printing it gives a table; every figure is also exported through
/// swift-metrics as it happens.
public struct CacheStatistics: Sendable, CustomStringConvertible {
    /// One tier's figures.
    public struct Tier: Sendable {
        public var name: String
        public var hits: Int
        public var misses: Int
        /// Lookups that threw (counted as misses for the request).
        public var errors: Int
        /// Lookups not attempted because the tier's circuit breaker was open.
        public var skipped: Int
        /// Entries written into this tier because a slower tier had them.
        public var promotions: Int
        public var stores: Int
        public var storeErrors: Int
        /// Hits whose stored bytes did not decode (served as misses).
        public var decodeFailures: Int
        public var lookupP50: Duration
        public var lookupP99: Duration
        /// Every lookup's duration by bucket, for percentiles over longer
        /// spans or several processes (LLMCacheRedis's `RedisStatisticsPublisher` ships them).
        public var lookupLatency: LatencyHistogram.Snapshot
        public var tokensSaved: Int
        public var costSaved: Double
        public var breaker: CircuitBreaker.State
    }

    public var tiers: [Tier]
    /// Requests the stack answered (from a tier, a shared flight, or the model).
    public var requests: Int
    /// Requests that ran the wrapped closure.
    public var computed: Int
    /// Requests that joined another request's in-flight call instead of calling.
    public var coalesced: Int
    /// Calls of the wrapped closure that threw (never cached).
    public var computeFailures: Int
    /// Answers not written to the tiers outside this process because too
    /// many writes were already in progress (see `maxPendingStores`).
    public var droppedStores: Int = 0
    /// Answers not stored because the model did not finish them (see
    /// ``CacheOptions/storeIncompleteAnswers``).
    public var incompleteAnswers: Int = 0
    /// Requests the cacheability policy (or a call) kept from semantic
    /// matching or from the cache, by decision and reason.
    public var cacheability = Cacheability()
    /// Explorations, verifications, observations and reports of semantic hits.
    public var feedback = Feedback()
    /// Misses shared with other processes through a ``MissCoordinator``.
    public var sharedFlights = SharedFlights()

    public var hits: Int { tiers.reduce(0) { $0 + $1.hits } }
    public var tokensSaved: Int { tiers.reduce(0) { $0 + $1.tokensSaved } }
    public var costSaved: Double { tiers.reduce(0) { $0 + $1.costSaved } }
    /// The share of requests answered without calling the model.
    public var hitRate: Double { requests == 0 ? 0 : Double(requests - computed) / Double(requests) }

    public var description: String {
        let header = ["tier", "hits", "misses", "errors", "skipped", "promoted", "p50", "p99", "tokens saved", "breaker"]
        var rows = [header]
        for tier in tiers {
            rows.append([
                tier.name, "\(tier.hits)", "\(tier.misses)", "\(tier.errors)", "\(tier.skipped)",
                "\(tier.promotions)", Self.format(tier.lookupP50), Self.format(tier.lookupP99),
                "\(tier.tokensSaved)", "\(tier.breaker)",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        let percent = (hitRate * 1000).rounded() / 10
        lines.append(
            "requests \(requests), model calls \(computed), coalesced \(coalesced), failed calls \(computeFailures), "
                + "hit rate \(percent)%, tokens saved \(tokensSaved), cost saved \(Self.money(costSaved))")
        if let policy = cacheability.summary { lines.append(policy) }
        if let feedback = feedback.summary { lines.append(feedback) }
        if let flights = sharedFlights.summary { lines.append(flights) }
        return lines.joined(separator: "\n")
    }

    static func format(_ duration: Duration) -> String {
        let nanoseconds = Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
        if nanoseconds < 1_000 { return "\(Int(nanoseconds))ns" }
        if nanoseconds < 1_000_000 { return "\((nanoseconds / 100).rounded() / 10)µs" }
        return "\((nanoseconds / 100_000).rounded() / 10)ms"
    }

    /// Six decimals: saved amounts per request are fractions of a cent.
    static func money(_ value: Double) -> String {
        let micros = Int64((value * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
