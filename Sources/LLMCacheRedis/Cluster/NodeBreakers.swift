import Synchronization

/// A circuit breaker per cluster node: once a node has failed
/// `threshold` times in a row, commands for its slots fail at once for
/// `coolDown`, then one command probes it.
///
/// Why per node: one shard that is down (its primary and replica both)
/// must cost its own slots a fast failure, not every command a connect
/// attempt, and not the other shards anything.
final class NodeBreakers: Sendable {
    private struct Health {
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant?
    }

    private let threshold: Int
    private let coolDown: Duration
    private let nodes = Mutex<[RedisConfiguration.Endpoint: Health]>([:])
    /// Nodes with failures on record; zero on the hit path of a healthy
    /// cluster, which then takes no lock here.
    private let troubled = Atomic<Int>(0)

    init(threshold: Int, coolDown: Duration) {
        self.threshold = threshold
        self.coolDown = coolDown
    }

    /// Whether a command may go to `node` now. After the cool-down the first
    /// caller is let through as the probe and the others wait another one.
    func allows(_ node: RedisConfiguration.Endpoint) -> Bool {
        guard troubled.load(ordering: .relaxed) > 0 else { return true }
        let now = ContinuousClock.now
        return nodes.withLock { nodes in
            guard let openUntil = nodes[node]?.openUntil else { return true }
            if now < openUntil { return false }
            nodes[node]?.openUntil = now + coolDown
            return true
        }
    }

    /// Whether `node` has no failure on record: where commands that any
    /// node may run should go.
    func isHealthy(_ node: RedisConfiguration.Endpoint) -> Bool {
        guard troubled.load(ordering: .relaxed) > 0 else { return true }
        return nodes.withLock { $0[node] == nil }
    }

    func recordSuccess(_ node: RedisConfiguration.Endpoint) {
        guard troubled.load(ordering: .relaxed) > 0 else { return }
        nodes.withLock { nodes in
            if nodes.removeValue(forKey: node) != nil { troubled.subtract(1, ordering: .relaxed) }
        }
    }

    func recordFailure(_ node: RedisConfiguration.Endpoint) {
        let now = ContinuousClock.now
        nodes.withLock { nodes in
            if nodes[node] == nil { troubled.add(1, ordering: .relaxed) }
            var health = nodes[node] ?? Health()
            health.consecutiveFailures += 1
            if health.openUntil != nil || health.consecutiveFailures >= threshold { health.openUntil = now + coolDown }
            nodes[node] = health
        }
    }
}
