import LLMCache
import Synchronization

/// Decides, per container, whether to tell RediSearch to run a filtered KNN
/// query as HNSW batches (`HYBRID_POLICY BATCHES`) rather than let its
/// planner choose.
///
/// Why: every search is filtered by its container (`@c:{…}`), and
/// RediSearch's planner picks between walking the HNSW graph in batches and
/// scanning every document the filter selects ("ad hoc brute force"). On a
/// small index whose documents mostly belong to one container it picks the
/// scan: measured on 10k 384-dim vectors on a 2-core VM, 2.3 ms per query
/// against 0.53 ms in batches when the container holds all documents,
/// 1.7–2.0 ms against 0.6–0.7 ms at a quarter of them, about equal at a
/// tenth, while at 1% the scan (0.16 ms) beats batches (2.8 ms). So batches
/// are forced only for containers holding at least ``batchesShare`` of the
/// index, and the planner keeps the small containers of a multi-tenant index.
///
/// The share is estimated from two counts (`FT.SEARCH … LIMIT 0 0` for the
/// container, `FT.INFO` for the index) at most every ``refreshInterval`` per
/// container, alongside a lookup, so no lookup waits for them. A server that
/// rejects the hint (Valkey-search) makes every later query go without it.
final class SearchFilterPolicy: Sendable {
    /// The smallest share of the index's documents for which batches win.
    static let batchesShare = 0.15
    /// How long a container's share is trusted before it is counted again.
    static let refreshInterval: Duration = .seconds(30)
    /// Containers remembered at most; stale ones are forgotten beyond it
    /// (containers are per namespace version, so old ones stop being asked).
    static let capacity = 4096

    private struct Estimate {
        var batches: Bool
        var checkedAt: ContinuousClock.Instant
    }

    private struct State {
        var estimates: [String: Estimate] = [:]
        var refreshing: Set<String> = []
        var hintsRejected = false
    }

    private let state = CacheLock(State())

    /// Whether to force batches for `container`, and whether this lookup
    /// should count its share again (then it must call ``record(share:for:)``).
    func advice(for container: String, now: ContinuousClock.Instant = .now) -> (batches: Bool, refresh: Bool) {
        state.withLock { state in
            guard !state.hintsRejected else { return (false, false) }
            let estimate = state.estimates[container]
            let stale = estimate.map { now - $0.checkedAt >= Self.refreshInterval } ?? true
            let refresh = stale && state.refreshing.insert(container).inserted
            return (estimate?.batches ?? false, refresh)
        }
    }

    /// The counted share of `container` (`nil` when counting failed: no hint until the next count).
    func record(share: Double?, for container: String, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.refreshing.remove(container)
            if state.estimates.count >= Self.capacity {
                state.estimates = state.estimates.filter { now - $0.value.checkedAt < Self.refreshInterval }
            }
            state.estimates[container] = Estimate(batches: (share ?? 0) >= Self.batchesShare, checkedAt: now)
        }
    }

    /// The server does not understand the full query (`HYBRID_POLICY`,
    /// `SORTBY`, `RETURN` of fields outside the schema: Valkey-search's
    /// smaller `FT.SEARCH`): send the plain form from now on.
    func rejectHints() {
        state.withLock { $0.hintsRejected = true }
    }

    /// Whether ``rejectHints()`` was called.
    var sendsPlainQueries: Bool { state.withLock { $0.hintsRejected } }
}
