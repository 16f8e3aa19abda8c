/// The keys of published statistics, all under `llmcache:{namespace}:stats:`
/// (no version in the names, kept by `removeAll()`, cleared by
/// ``RedisNamespace/resetPublishedStatistics()``):
///
/// | key | type | holds |
/// | --- | --- | --- |
/// | `stats:stack` | hash | `requests`, `computed`, `coalesced`, `compute_failures`, `exact_only`, `not_cached`, `flight_leases`, `answered_elsewhere`, `flight_wait_timeouts`, `flight_failures`; `since` (ms of the first batch), `batches` |
/// | `stats:tier:{name}` | hash | `hits`, `misses`, `errors`, `skipped`, `promotions`, `stores`, `store_errors`, `decode_failures`, `tokens_saved`, `cost_saved` (float), `lat:{bucket}` (lookup latency histogram, see `LatencyHistogram.Snapshot`) |
/// | `stats:tiers` | sorted set | tier name → its position in the stack (0: fastest) |
/// | `stats:instances` | sorted set | publishing process → time of its last batch (ms) |
/// | `stats:seq` | hash | publishing process → sequence of its last applied batch |
extension RedisKeyspace {
    var statisticsStackKey: [UInt8] { Array("\(statisticsPrefix)stack".utf8) }
    var statisticsTiersKey: [UInt8] { Array("\(statisticsPrefix)tiers".utf8) }
    var statisticsInstancesKey: [UInt8] { Array("\(statisticsPrefix)instances".utf8) }
    var statisticsSequenceKey: [UInt8] { Array("\(statisticsPrefix)seq".utf8) }

    func statisticsTierKey(_ tier: String) -> [UInt8] {
        Array("\(statisticsPrefix)tier:\(tier)".utf8)
    }

    /// Matches every statistics key (for SCAN).
    var statisticsPattern: [UInt8] { Array("\(statisticsPrefix)*".utf8) }
}
