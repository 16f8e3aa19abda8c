import LLMCache

extension RedisNamespace {
    /// What every process's ``RedisStatisticsPublisher`` has published to
    /// this namespace since the last reset, read in one consistent step.
    public func publishedStatistics() async throws -> PublishedStatistics {
        let order = try await client.execute(.zrangeWithScores(keyspace.statisticsTiersKey))
        let tierNames = order.map { String(decoding: $0.member, as: UTF8.self) }
        let reply = try await client.run(
            StatisticsScripts.read,
            keys: [keyspace.statisticsStackKey, keyspace.statisticsInstancesKey]
                + tierNames.map { keyspace.statisticsTierKey($0) })
        guard let parts = reply.array, parts.count == 2 + tierNames.count else {
            throw RedisError(.protocolError, "unexpected reply from the statistics script")
        }
        let stack = Dictionary(Self.pairs(parts[0].array ?? []), uniquingKeysWith: { $1 })
        func integer(_ fields: [String: String], _ name: String) -> Int { fields[name].flatMap { Int($0) } ?? 0 }
        let tiers = zip(zip(tierNames, order), parts.dropFirst(2)).map { named, hash in
            let (name, position) = (named.0, named.1.score)
            let fields = Dictionary(Self.pairs(hash.array ?? []), uniquingKeysWith: { $1 })
            var buckets: [Int: Int] = [:]
            for (field, value) in fields where field.hasPrefix(StatisticsField.latencyPrefix) {
                if let bucket = Int(field.dropFirst(StatisticsField.latencyPrefix.count)), let count = Int(value) {
                    buckets[bucket] = count
                }
            }
            return PublishedStatistics.Tier(
                name: name, position: Int(position),
                hits: integer(fields, StatisticsField.hits), misses: integer(fields, StatisticsField.misses),
                errors: integer(fields, StatisticsField.errors), skipped: integer(fields, StatisticsField.skipped),
                promotions: integer(fields, StatisticsField.promotions), stores: integer(fields, StatisticsField.stores),
                storeErrors: integer(fields, StatisticsField.storeErrors),
                decodeFailures: integer(fields, StatisticsField.decodeFailures),
                tokensSaved: integer(fields, StatisticsField.tokensSaved),
                costSaved: fields[StatisticsField.costSaved].flatMap(Double.init) ?? 0,
                lookupLatency: LatencyHistogram.Snapshot(buckets: buckets))
        }
        let instances = Self.pairs(parts[1].array ?? []).compactMap { name, score in
            Double(score).map { PublishedStatistics.Instance(name: name, lastReport: CacheTime(millisecondsSince1970: Int64($0))) }
        }
        var published = PublishedStatistics(
            tiers: tiers.sorted { ($0.position, $0.name) < ($1.position, $1.name) },
            requests: integer(stack, StatisticsField.requests), computed: integer(stack, StatisticsField.computed),
            coalesced: integer(stack, StatisticsField.coalesced),
            computeFailures: integer(stack, StatisticsField.computeFailures),
            batches: integer(stack, StatisticsField.batches),
            since: stack[StatisticsField.since].flatMap { Int64($0) }.map(CacheTime.init(millisecondsSince1970:)),
            instances: instances.sorted { $0.lastReport > $1.lastReport })
        published.exactOnly = integer(stack, StatisticsField.exactOnly)
        published.notCached = integer(stack, StatisticsField.notCached)
        published.sharedFlights = CacheStatistics.SharedFlights(
            leases: integer(stack, StatisticsField.flightLeases),
            answeredElsewhere: integer(stack, StatisticsField.answeredElsewhere),
            waitTimeouts: integer(stack, StatisticsField.flightWaitTimeouts),
            failures: integer(stack, StatisticsField.flightFailures))
        return published
    }

    /// Deletes every published counter of the namespace (with `SCAN` and
    /// `UNLINK`); publishers carry on, counting from zero. Returns how many
    /// keys were removed.
    @discardableResult
    public func resetPublishedStatistics() async throws -> Int {
        var removed = 0
        try await client.scan(matching: keyspace.statisticsPattern) { keys in
            removed += try await client.unlink(keys)
        }
        return removed
    }

    /// A flat `[k1, v1, k2, v2…]` reply as text pairs.
    private static func pairs(_ flat: [RedisValue]) -> [(String, String)] {
        stride(from: 0, to: flat.count - 1, by: 2).compactMap { index in
            guard let key = flat[index].string, let value = flat[index + 1].string else { return nil }
            return (key, value)
        }
    }
}
