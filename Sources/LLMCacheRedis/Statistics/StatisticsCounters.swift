import LLMCache

/// Names of the published counters: the stored format, shared by the
/// publisher and the reader.
enum StatisticsField {
    static let requests = "requests"
    static let computed = "computed"
    static let coalesced = "coalesced"
    static let computeFailures = "compute_failures"
    /// Requests the cacheability policy kept to exact tiers, or from the cache.
    static let exactOnly = "exact_only"
    static let notCached = "not_cached"
    /// Misses shared with other processes (see `CacheStatistics.SharedFlights`).
    static let flightLeases = "flight_leases"
    static let answeredElsewhere = "answered_elsewhere"
    static let flightWaitTimeouts = "flight_wait_timeouts"
    static let flightFailures = "flight_failures"
    static let since = "since"
    static let batches = "batches"

    static let hits = "hits"
    static let misses = "misses"
    static let errors = "errors"
    static let skipped = "skipped"
    static let promotions = "promotions"
    static let stores = "stores"
    static let storeErrors = "store_errors"
    static let decodeFailures = "decode_failures"
    static let tokensSaved = "tokens_saved"
    static let costSaved = "cost_saved"
    /// Followed by a latency bucket index.
    static let latencyPrefix = "lat:"
}

/// A stack's cumulative counters in published form: what the server holds
/// from one process once every batch up to some point is applied.
struct StatisticsCounters: Sendable, Equatable {
    struct Tier: Sendable, Equatable {
        var name: String
        var position: Int
        /// Integer field → cumulative value.
        var integers: [String: Int]
        var costSaved: Double
        var latency: LatencyHistogram.Snapshot
    }

    var stack: [String: Int]
    var tiers: [Tier]

    /// Nothing published yet.
    static let zero = StatisticsCounters(stack: [:], tiers: [])

    init(stack: [String: Int], tiers: [Tier]) {
        self.stack = stack
        self.tiers = tiers
    }

    init(_ statistics: CacheStatistics, includeLatency: Bool) {
        stack = [
            StatisticsField.requests: statistics.requests, StatisticsField.computed: statistics.computed,
            StatisticsField.coalesced: statistics.coalesced, StatisticsField.computeFailures: statistics.computeFailures,
            StatisticsField.exactOnly: statistics.cacheability.exactOnly,
            StatisticsField.notCached: statistics.cacheability.doNotCache,
            StatisticsField.flightLeases: statistics.sharedFlights.leases,
            StatisticsField.answeredElsewhere: statistics.sharedFlights.answeredElsewhere,
            StatisticsField.flightWaitTimeouts: statistics.sharedFlights.waitTimeouts,
            StatisticsField.flightFailures: statistics.sharedFlights.failures,
        ]
        tiers = statistics.tiers.enumerated().map { position, tier in
            Tier(
                name: tier.name, position: position,
                integers: [
                    StatisticsField.hits: tier.hits, StatisticsField.misses: tier.misses,
                    StatisticsField.errors: tier.errors, StatisticsField.skipped: tier.skipped,
                    StatisticsField.promotions: tier.promotions, StatisticsField.stores: tier.stores,
                    StatisticsField.storeErrors: tier.storeErrors, StatisticsField.decodeFailures: tier.decodeFailures,
                    StatisticsField.tokensSaved: tier.tokensSaved,
                ],
                costSaved: tier.costSaved, latency: includeLatency ? tier.lookupLatency : .init())
        }
    }
}

/// One publish: the deltas that bring the server from one
/// ``StatisticsCounters`` to the next, numbered so that sending it twice
/// counts it once.
struct StatisticsBatch: Sendable {
    struct Tier: Sendable {
        var name: String
        var position: Int
        /// Field → delta, in a stable order.
        var deltas: [(field: String, delta: String)]
    }

    var sequence: UInt64
    /// What the server holds from this process once the batch is applied.
    var target: StatisticsCounters
    var stack: [(field: String, delta: String)]
    var tiers: [Tier]

    var isEmpty: Bool { stack.isEmpty && tiers.isEmpty }

    /// The deltas from `baseline` to `target`; unchanged counters are left out.
    init(sequence: UInt64, from baseline: StatisticsCounters, to target: StatisticsCounters) {
        self.sequence = sequence
        self.target = target
        stack = Self.integerDeltas(from: baseline.stack, to: target.stack)
        tiers = target.tiers.compactMap { tier in
            let before = baseline.tiers.first { $0.name == tier.name }
            var deltas = Self.integerDeltas(from: before?.integers ?? [:], to: tier.integers)
            let cost = tier.costSaved - (before?.costSaved ?? 0)
            if cost != 0, cost.isFinite {
                // Swift writes a Double with `.` or `e` ("0.25", "5e-06"): the script adds it as a float.
                deltas.append((StatisticsField.costSaved, "\(cost)"))
            }
            let latency = tier.latency.subtracting(before?.latency ?? .init())
            for bucket in latency.buckets.keys.sorted() {
                deltas.append(("\(StatisticsField.latencyPrefix)\(bucket)", "\(latency.buckets[bucket]!)"))
            }
            return deltas.isEmpty ? nil : Tier(name: tier.name, position: tier.position, deltas: deltas)
        }
    }

    private static func integerDeltas(from baseline: [String: Int], to target: [String: Int]) -> [(field: String, delta: String)] {
        target.keys.sorted().compactMap { field in
            let delta = target[field]! - baseline[field, default: 0]
            return delta == 0 ? nil : (field, "\(delta)")
        }
    }

    /// The publish script's keys and arguments.
    func scriptInput(keyspace: RedisKeyspace, instance: String, now: CacheTime, forgetBefore: CacheTime)
        -> (keys: [[UInt8]], arguments: [[UInt8]])
    {
        let keys =
            [
                keyspace.statisticsStackKey, keyspace.statisticsTiersKey, keyspace.statisticsInstancesKey,
                keyspace.statisticsSequenceKey,
            ] + tiers.map { keyspace.statisticsTierKey($0.name) }
        var arguments: [[UInt8]] = [
            Array(instance.utf8), sequence.redisBytes, now.millisecondsSince1970.redisBytes,
            forgetBefore.millisecondsSince1970.redisBytes, stack.count.redisBytes,
        ]
        for (field, delta) in stack { arguments += [Array(field.utf8), Array(delta.utf8)] }
        for tier in tiers {
            arguments += [Array(tier.name.utf8), tier.position.redisBytes, tier.deltas.count.redisBytes]
            for (field, delta) in tier.deltas { arguments += [Array(field.utf8), Array(delta.utf8)] }
        }
        return (keys, arguments)
    }
}
