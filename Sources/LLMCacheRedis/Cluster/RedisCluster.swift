extension RedisConfiguration {
    /// This configuration for one node of its cluster: that endpoint, no
    /// cluster mode, and `READONLY` on its connections when replicas serve
    /// reads (a primary ignores it, and a node may change role with a failover).
    func forNode(_ node: Endpoint) -> RedisConfiguration {
        var configuration = self
        configuration.endpoint = node
        configuration.cluster = nil
        configuration.sendsReadOnly = cluster?.readsFromReplicas ?? false
        return configuration
    }
}

/// How a client talks to a Redis Cluster (or a Valkey cluster).
///
/// Set ``RedisConfiguration/cluster`` (or add `cluster=yes` to the URL) and
/// the client learns the cluster's layout from any seed node, sends each
/// command to the primary that owns its key's slot, and follows the
/// cluster's redirections while slots move. The tiers and every other user
/// of ``RedisClient`` keep their API.
public struct RedisCluster: Sendable, Hashable {
    /// Nodes to ask for the layout besides the configuration's endpoint;
    /// any one reachable node is enough, more survive a seed being down.
    public var seeds: [RedisConfiguration.Endpoint]
    /// The most `MOVED`/`ASK` redirections (and retries after a failover)
    /// one command follows before its last reply is returned as it is.
    public var maximumRedirects: Int
    /// How often the layout is read again even when nothing failed, so that
    /// added nodes and replicas are noticed.
    public var refreshInterval: Duration
    /// How long a command keeps retrying while the cluster answers
    /// `TRYAGAIN` (a multi-key command during a slot migration) or
    /// `CLUSTERDOWN` (a failover in progress) before that reply is returned.
    public var retryBudget: Duration
    /// Consecutive transport failures after which commands for a node's
    /// slots fail at once (``RedisError/Code/shardUnavailable``) instead of
    /// each waiting for its own connect attempt.
    public var nodeFailureThreshold: Int
    /// How long a node that reached the threshold is skipped before one
    /// command probes it; the layout is re-read meanwhile, so commands move
    /// to a promoted replica as soon as the cluster names one.
    public var nodeCoolDown: Duration
    /// Whether read-only commands (`GET`, `MGET`, `PTTL`, set and sorted-set
    /// reads, vector-set searches) are spread over each shard's primary and
    /// replicas in turn (`read_from_replicas=yes` in the URL). It takes load
    /// off the primaries, at a price: replication is asynchronous, so a read
    /// from a replica may for a moment still find an answer that an
    /// invalidation has just removed on the primary, or miss one just stored.
    public var readsFromReplicas: Bool = false

    public init(
        seeds: [RedisConfiguration.Endpoint] = [], maximumRedirects: Int = 5, refreshInterval: Duration = .seconds(30),
        retryBudget: Duration = .milliseconds(500), nodeFailureThreshold: Int = 3, nodeCoolDown: Duration = .seconds(1)
    ) {
        self.seeds = seeds
        self.maximumRedirects = maximumRedirects
        self.refreshInterval = refreshInterval
        self.retryBudget = retryBudget
        self.nodeFailureThreshold = max(1, nodeFailureThreshold)
        self.nodeCoolDown = nodeCoolDown
    }
}
