import Metrics
import Synchronization

/// Counts what happens at one tier, both as a readable snapshot and through
/// swift-metrics, so dashboards and `print(stack.statistics)` agree.
final class TierRecorder: Sendable {
    let name: String
    let latency = LatencyHistogram()
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let skipped = Atomic<Int>(0)
    private let promotions = Atomic<Int>(0)
    private let stores = Atomic<Int>(0)
    private let storeErrors = Atomic<Int>(0)
    private let decodeFailures = Atomic<Int>(0)
    private let tokensSaved = Atomic<Int>(0)
    private let costSaved = CacheLock<Double>(0)

    private let hitCounter: Counter
    private let missCounter: Counter
    private let errorCounter: Counter
    private let skipCounter: Counter
    private let promotionCounter: Counter
    private let lookupTimer: Metrics.Timer
    private let tokenCounter: Counter
    private let costCounter: FloatingPointCounter

    init(name: String, label prefix: String, factory: any MetricsFactory) {
        self.name = name
        let tier = [("tier", name)]
        func lookups(_ result: String) -> Counter {
            Counter(label: "\(prefix)_lookups_total", dimensions: tier + [("result", result)], factory: factory)
        }
        hitCounter = lookups("hit")
        missCounter = lookups("miss")
        errorCounter = lookups("error")
        skipCounter = lookups("skipped")
        promotionCounter = Counter(label: "\(prefix)_promotions_total", dimensions: tier, factory: factory)
        lookupTimer = Metrics.Timer(label: "\(prefix)_lookup_duration", dimensions: tier, factory: factory)
        tokenCounter = Counter(label: "\(prefix)_tokens_saved_total", dimensions: tier, factory: factory)
        costCounter = FloatingPointCounter(label: "\(prefix)_cost_saved_total", dimensions: tier, factory: factory)
    }

    func recordLookup(nanoseconds: UInt64) {
        latency.record(nanoseconds: nanoseconds)
        lookupTimer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    func recordHit(tokens: Int, cost: Double) {
        hits.add(1, ordering: .relaxed)
        hitCounter.increment()
        if tokens > 0 {
            tokensSaved.add(tokens, ordering: .relaxed)
            tokenCounter.increment(by: tokens)
        }
        if cost > 0 {
            costSaved.withLock { $0 += cost }
            costCounter.increment(by: cost)
        }
    }

    func recordMiss() {
        misses.add(1, ordering: .relaxed)
        missCounter.increment()
    }

    func recordError() {
        errors.add(1, ordering: .relaxed)
        errorCounter.increment()
    }

    func recordSkip() {
        skipped.add(1, ordering: .relaxed)
        skipCounter.increment()
    }

    func recordPromotion() {
        promotions.add(1, ordering: .relaxed)
        promotionCounter.increment()
    }

    func recordStore(succeeded: Bool) {
        if succeeded {
            stores.add(1, ordering: .relaxed)
        } else {
            storeErrors.add(1, ordering: .relaxed)
        }
    }

    func recordDecodeFailure() {
        decodeFailures.add(1, ordering: .relaxed)
    }

    func snapshot(breaker: CircuitBreaker.State) -> CacheStatistics.Tier {
        let latency = self.latency.snapshot()
        return CacheStatistics.Tier(
            name: name,
            hits: hits.load(ordering: .relaxed),
            misses: misses.load(ordering: .relaxed),
            errors: errors.load(ordering: .relaxed),
            skipped: skipped.load(ordering: .relaxed),
            promotions: promotions.load(ordering: .relaxed),
            stores: stores.load(ordering: .relaxed),
            storeErrors: storeErrors.load(ordering: .relaxed),
            decodeFailures: decodeFailures.load(ordering: .relaxed),
            lookupP50: latency.percentile(0.50),
            lookupP99: latency.percentile(0.99),
            lookupLatency: latency,
            tokensSaved: tokensSaved.load(ordering: .relaxed),
            costSaved: costSaved.withLock { $0 },
            breaker: breaker
        )
    }
}
