import Synchronization

/// What a cluster client has had to do besides sending commands, so that
/// resharding and failovers show in a service's metrics and tests can see
/// that redirections were followed, not avoided.
public struct ClusterCounters: Sendable, Hashable {
    /// `MOVED` replies followed (a slot had moved for good).
    public var moved = 0
    /// `ASK` replies followed (a key of a slot being migrated).
    public var asked = 0
    /// `TRYAGAIN`/`CLUSTERDOWN` replies retried, and commands resent after
    /// a node failed and its slots moved.
    public var retried = 0
    /// Times the layout was read (`CLUSTER SHARDS`).
    public var layoutReads = 0

    public init() {}
}

/// The live counters behind ``ClusterCounters``.
final class AtomicClusterCounters: Sendable {
    let moved = Atomic(0)
    let asked = Atomic(0)
    let retried = Atomic(0)
    let layoutReads = Atomic(0)

    var snapshot: ClusterCounters {
        var counters = ClusterCounters()
        counters.moved = moved.load(ordering: .relaxed)
        counters.asked = asked.load(ordering: .relaxed)
        counters.retried = retried.load(ordering: .relaxed)
        counters.layoutReads = layoutReads.load(ordering: .relaxed)
        return counters
    }
}
