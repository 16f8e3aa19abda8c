import Logging
import Synchronization

/// Sends each command to the primary that owns its key's slot, keeping a
/// pool of auto-pipelining connections per primary.
///
/// The layout comes from `CLUSTER SHARDS` (or `CLUSTER SLOTS`) of any node
/// that answers, seeds first. `MOVED` updates the slot and schedules a fresh
/// read of the layout; `ASK` sends `ASKING` and the command once to the node
/// named; `TRYAGAIN` and `CLUSTERDOWN` are retried with back-off within the
/// retry budget; a connection failure re-reads the layout and retries if the
/// slot moved (a replica promoted after its primary died); a node that keeps
/// failing is skipped for a while (`NodeBreakers`), its commands failing at
/// once with `.shardUnavailable`. Anything else is the caller's: a command
/// never waits longer than its redirects and budget.
final class ClusterRouter: Sendable {
    private struct State {
        var topology = ClusterTopology()
        var pools: [RedisConfiguration.Endpoint: [RedisConnection]] = [:]
        var lastRefresh: ContinuousClock.Instant?
        var refresh: Task<Void, Never>?
        var isShutDown = false
    }

    private let configuration: RedisConfiguration
    private let cluster: RedisCluster
    private let logger: Logger
    private let state = Mutex(State())
    let counters = AtomicClusterCounters()
    private let breakers: NodeBreakers
    /// Turns of the shard's nodes for reads spread over replicas.
    private let readTurn = Atomic<UInt>(0)
    private static let asking = [Array("ASKING".utf8)]

    init(configuration: RedisConfiguration, cluster: RedisCluster, logger: Logger) {
        self.configuration = configuration
        self.cluster = cluster
        self.logger = logger
        self.breakers = NodeBreakers(threshold: cluster.nodeFailureThreshold, coolDown: cluster.nodeCoolDown)
    }

    // MARK: - Sending

    func send(_ command: RedisCommand) async throws -> RedisValue {
        let slot = command.routingKey.map { HashSlot(key: $0) }
        let started = ContinuousClock.now
        var redirects = 0
        var askTarget: RedisConfiguration.Endpoint?
        var backOff = Duration.milliseconds(5)
        // A read that a replica failed goes to the primary.
        var primaryOnly = !(cluster.readsFromReplicas && command.isReadOnly)
        while true {
            let target: RedisConfiguration.Endpoint
            if let askTarget {
                target = askTarget
            } else if !primaryOnly, let slot, let node = readNode(for: slot) {
                target = node
            } else {
                target = try await owner(of: slot)
            }
            guard askTarget != nil || breakers.allows(target) else {
                if !primaryOnly {
                    primaryOnly = true
                    continue
                }
                // A replica may have been promoted meanwhile: look, now and then.
                scheduleRefresh(ifOlderThan: .milliseconds(250))
                throw RedisError(
                    .shardUnavailable,
                    "cluster node \(target.displayName) failed repeatedly; commands for its slots fail fast until it answers or a replica takes over")
            }
            let reply: RedisValue
            do {
                reply = try await connection(to: target).send(command.arguments, after: askTarget == nil ? nil : Self.asking)
                breakers.recordSuccess(target)
            } catch let error as RedisError where Self.isTransport(error) {
                // The node may be gone: a replica may serve its slots now.
                breakers.recordFailure(target)
                if !primaryOnly {
                    primaryOnly = true
                    counters.retried.add(1, ordering: .relaxed)
                    continue
                }
                let unavailable = RedisError(.shardUnavailable, "cluster node \(target.displayName): \(error.message)")
                guard redirects < cluster.maximumRedirects else { throw unavailable }
                await refresh()
                let owner = try? await owner(of: slot)
                guard askTarget != nil || owner != target else { throw unavailable }
                redirects += 1
                askTarget = nil
                counters.retried.add(1, ordering: .relaxed)
                continue
            }
            guard case .error(let message) = reply, redirects < cluster.maximumRedirects else { return reply }
            if let (movedSlot, endpoint) = Self.redirection(message, prefix: "MOVED ", from: target) {
                redirects += 1
                askTarget = nil
                counters.moved.add(1, ordering: .relaxed)
                state.withLock { $0.topology.assign(movedSlot...movedSlot, to: endpoint) }
                scheduleRefresh()
                // Nodes that send a slot back and forth have not all learnt
                // its move yet: give them a moment (within the budget).
                if redirects > 1, ContinuousClock.now - started + backOff <= cluster.retryBudget {
                    try await Task.sleep(for: backOff)
                    backOff = min(backOff * 2, .milliseconds(100))
                }
                continue
            }
            if let (_, endpoint) = Self.redirection(message, prefix: "ASK ", from: target) {
                redirects += 1
                askTarget = endpoint
                counters.asked.add(1, ordering: .relaxed)
                continue
            }
            let retryable = message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN")
            guard retryable, ContinuousClock.now - started + backOff <= cluster.retryBudget else { return reply }
            counters.retried.add(1, ordering: .relaxed)
            try await Task.sleep(for: backOff)
            backOff = min(backOff * 2, .milliseconds(100))
            if message.hasPrefix("CLUSTERDOWN") { await refresh() }
            askTarget = nil
        }
    }

    /// Sends `command` to one node, whatever its keys (`SCAN`, `INFO`, `DBSIZE`).
    func send(_ command: RedisCommand, to endpoint: RedisConfiguration.Endpoint) async throws -> RedisValue {
        try await connection(to: endpoint).send(command.arguments)
    }

    /// Every primary serving slots, after reading the layout if it is stale.
    func primaries() async throws -> [RedisConfiguration.Endpoint] {
        _ = try await owner(of: nil)
        return state.withLock { state in
            let serving = Set(state.topology.primaries.indices.filter { state.topology.owners.contains(UInt16($0)) })
            return state.topology.primaries.enumerated().filter { serving.contains($0.offset) }.map(\.element)
        }
    }

    /// The nodes to ask for anything any node answers (the layout, a
    /// subscription): the primaries of the layout last read, then the seeds.
    var knownNodes: [RedisConfiguration.Endpoint] {
        state.withLock { state in
            var endpoints = state.topology.primaries
            for seed in [configuration.endpoint] + cluster.seeds where !endpoints.contains(seed) { endpoints.append(seed) }
            return endpoints
        }
    }

    /// A connection of any pool, for the client's task executor.
    var anyConnection: RedisConnection? {
        state.withLock { state in state.pools.values.lazy.flatMap { $0 }.min { $0.load < $1.load } }
    }

    /// The primary for `slot` (any primary for keyless commands), reading
    /// the layout first if none is known or it is due.
    private func owner(of slot: HashSlot?) async throws -> RedisConfiguration.Endpoint {
        let (known, due) = state.withLock { state in
            let owner = slot.map { state.topology.owner(of: $0) } ?? anyPrimary(of: state.topology)
            let due = state.lastRefresh.map { .now - $0 > cluster.refreshInterval } ?? true
            return (owner, due)
        }
        if let known {
            if due { scheduleRefresh() }
            return known
        }
        await refresh()
        let owner = state.withLock { state in
            slot.map { state.topology.owner(of: $0) } ?? anyPrimary(of: state.topology)
        }
        guard let owner else {
            throw RedisError(
                .connectionUnavailable,
                slot.map { "no node of the cluster serves slot \($0)" } ?? "no node of the cluster answered")
        }
        return owner
    }

    /// The node of `slot`'s shard whose turn it is to serve a read: the
    /// primary and its healthy replicas in rotation; `nil` before the layout
    /// is known.
    private func readNode(for slot: HashSlot) -> RedisConfiguration.Endpoint? {
        let (nodes, awaitsReplicas) = state.withLock { state -> ([RedisConfiguration.Endpoint], Bool) in
            guard let primary = state.topology.owner(of: slot) else { return ([], false) }
            return ([primary] + state.topology.replicas(of: slot).filter(breakers.isHealthy), state.topology.awaitsReplicas)
        }
        // A replica that was syncing at the last read joins once it is online.
        if awaitsReplicas { scheduleRefresh(ifOlderThan: .seconds(1)) }
        guard !nodes.isEmpty else { return nil }
        return nodes[Int(readTurn.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(nodes.count))]
    }

    /// Where a command without keys goes: the first primary with no failure
    /// on record, so that one dead node does not take `SCRIPT`, `INFO` or
    /// `CLUSTER NODES` down with it.
    private func anyPrimary(of topology: ClusterTopology) -> RedisConfiguration.Endpoint? {
        topology.primaries.first(where: breakers.isHealthy) ?? topology.primaries.first
    }

    private func connection(to endpoint: RedisConfiguration.Endpoint) throws(RedisError) -> RedisConnection {
        let pool = try state.withLock { state throws(RedisError) -> [RedisConnection] in
            guard !state.isShutDown else { throw RedisError(.clientShutDown, "the Redis client was shut down") }
            if let pool = state.pools[endpoint] { return pool }
            let node = configuration.forNode(endpoint)
            let pool = (0..<configuration.poolSize).map { index in
                RedisConnection(configuration: node, logger: logger, name: "llmcache-redis-\(endpoint.displayName)-\(index)")
            }
            state.pools[endpoint] = pool
            return pool
        }
        if let current = pool.first(where: \.isCurrentThread) { return current }
        return pool.min { $0.load < $1.load }!
    }

    // MARK: - The layout

    /// Reads the layout in the background unless a read is under way (or,
    /// with `age`, one finished less than `age` ago).
    private func scheduleRefresh(ifOlderThan age: Duration? = nil) {
        state.withLock { state in
            guard state.refresh == nil, !state.isShutDown else { return }
            if let age, let last = state.lastRefresh, ContinuousClock.now - last < age { return }
            state.refresh = Task { await self.readLayout() }
        }
    }

    /// Reads the layout now, or joins the read under way.
    private func refresh() async {
        let task = state.withLock { state -> Task<Void, Never>? in
            if let running = state.refresh { return running }
            guard !state.isShutDown else { return nil }
            let task = Task { await self.readLayout() }
            state.refresh = task
            return task
        }
        await task?.value
    }

    private func readLayout() async {
        let candidates = knownNodes
        var layout: ClusterTopology?
        counters.layoutReads.add(1, ordering: .relaxed)
        for endpoint in candidates {
            do {
                layout = try await readLayout(from: endpoint)
                break
            } catch {
                logger.debug("reading the cluster layout failed", metadata: ["node": "\(endpoint.displayName)", "error": "\(error)"])
            }
        }
        let retired = state.withLock { state -> [RedisConnection] in
            defer { state.refresh = nil }
            state.lastRefresh = .now
            guard let layout, layout != state.topology else { return [] }
            state.topology = layout
            // Pools of nodes that are no longer primaries; candidates again if they come back.
            let gone = state.pools.keys.filter { !layout.primaries.contains($0) }
            return gone.flatMap { state.pools.removeValue(forKey: $0) ?? [] }
        }
        if layout == nil { logger.warning("no node of the cluster answered for its layout") }
        for connection in retired { await connection.shutdown() }
    }

    private func readLayout(from endpoint: RedisConfiguration.Endpoint) async throws -> ClusterTopology {
        guard case .tcp(let host, _) = endpoint else {
            throw RedisError(.invalidConfiguration, "cluster nodes are reached over TCP")
        }
        let connection = try connection(to: endpoint)
        let shards = try await connection.send(RedisCommand("CLUSTER", "SHARDS").arguments)
        if case .error = shards {
            let slots = try RedisClient.throwingErrors(try await connection.send(RedisCommand("CLUSTER", "SLOTS").arguments))
            return try ClusterTopology(slots: slots, defaultHost: host)
        }
        return try ClusterTopology(shards: shards, defaultHost: host, tls: configuration.tls != nil)
    }

    // MARK: - Shutdown

    func shutdown() async {
        let (pools, refresh) = state.withLock { state in
            state.isShutDown = true
            defer { state.pools = [:] }
            return (state.pools.values.flatMap { $0 }, state.refresh)
        }
        refresh?.cancel()
        for connection in pools { await connection.shutdown() }
    }

    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Tells every connection to stop, without waiting.
    func requestShutdown() {
        let pools = state.withLock { state in
            state.isShutDown = true
            return state.pools.values.flatMap { $0 }
        }
        for connection in pools { connection.requestShutdown() }
    }

    // MARK: - Replies

    private static func isTransport(_ error: RedisError) -> Bool {
        [.connectionFailed, .connectionUnavailable, .ioError, .timeout, .tlsFailed].contains(error.code)
    }

    /// `MOVED 3999 127.0.0.1:6381` → (3999, that node); a node that does not
    /// know its address sends `:6381`, meaning the host of the node asked.
    static func redirection(
        _ message: String, prefix: String, from node: RedisConfiguration.Endpoint
    ) -> (Int, RedisConfiguration.Endpoint)? {
        guard message.hasPrefix(prefix) else { return nil }
        let parts = message.dropFirst(prefix.count).split(separator: " ")
        guard parts.count >= 2, let slot = Int(parts[0]), let colon = parts[1].lastIndex(of: ":"),
            let port = Int(parts[1][parts[1].index(after: colon)...])
        else { return nil }
        var host = String(parts[1][..<colon])
        if host.isEmpty, case .tcp(let asked, _) = node { host = asked }
        return (slot, .tcp(host: host, port: port))
    }
}
