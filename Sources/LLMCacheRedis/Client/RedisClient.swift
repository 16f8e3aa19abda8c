import Logging
import ServiceLifecycle

/// A pool of auto-pipelining Redis connections.
///
/// Create one per server and share it; call ``shutdown()`` when done, use
/// ``withRedisClient(_:logger:_:)``, or run it as a swift-service-lifecycle
/// `Service` in the application's `ServiceGroup`, which shuts it down on
/// graceful shutdown or cancellation. A client dropped without any of these
/// still stops its connections' threads (and logs that it was not shut down). Every command is sent on the least busy
/// connection. A command that fails on the transport throws a ``RedisError``;
/// the connection behind it reconnects by itself.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    /// One server's connections; empty in cluster mode.
    let connections: [RedisConnection]
    /// Routes commands to the nodes of a cluster; `nil` for one server.
    let router: ClusterRouter?
    private let logger: Logger

    public init(
        configuration: RedisConfiguration,
        logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.logger = logger
        if let cluster = configuration.cluster {
            router = ClusterRouter(configuration: configuration, cluster: cluster, logger: logger)
            connections = []
        } else {
            router = nil
            connections = (0..<configuration.poolSize).map { index in
                RedisConnection(configuration: configuration, logger: logger, name: "llmcache-redis\(index)")
            }
        }
    }

    /// A client for `url` (see ``RedisConfiguration/init(url:)``).
    public convenience init(
        url: String, logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), logger: logger)
    }

    /// The thread of one of the client's connections, as an executor for
    /// tasks whose latency matters more than anything else.
    ///
    /// A command normally costs two thread hand-offs besides the round trip:
    /// the connection's thread takes it from the caller, and the caller's
    /// thread on the cooperative pool is woken with the reply. On a virtual
    /// machine each wake-up can cost as much as the round trip itself. A task
    /// that runs with `withTaskExecutorPreference(client.taskExecutor) { … }`
    /// runs on the connection's thread between its batches instead: its
    /// commands go out on that connection and its code resumes right there,
    /// with no hand-off at all. The price is the event-loop rule of
    /// swift-nio: such a task must never block, since the connection's other
    /// commands wait while it runs; and it waits while the connection waits
    /// (for a slow reply, or a reconnect). Each read returns the least busy
    /// connection at that moment.
    /// In cluster mode, one connection of any node (or the global executor
    /// before the first command), since the node depends on each command's key.
    public var taskExecutor: any TaskExecutor {
        guard let router else { return leastBusyConnection }
        return router.anyConnection ?? globalConcurrentExecutor
    }

    /// Redirections and retries followed so far in cluster mode; `nil` for one server.
    public var clusterCounters: ClusterCounters? { router?.counters.snapshot }

    /// Sends a command; error replies come back as ``RedisValue/error(_:)``.
    ///
    /// A task running on one of the connections' threads (see
    /// ``taskExecutor``) sends on that connection; others on the least busy one.
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        if let router { return try await router.send(command) }
        let connection = connections.first(where: \.isCurrentThread) ?? leastBusyConnection
        return try await connection.send(command.arguments)
    }

    private var leastBusyConnection: RedisConnection {
        var chosen = connections[0]
        for connection in connections.dropFirst() where connection.load < chosen.load { chosen = connection }
        return chosen
    }

    /// Sends a command and throws error replies as `.serverError`.
    @discardableResult
    public func execute(_ command: RedisCommand) async throws -> RedisValue {
        try Self.throwingErrors(try await send(command))
    }

    /// Closes every connection; commands sent afterwards fail with `.clientShutDown`.
    public func shutdown() async {
        for connection in connections { await connection.shutdown() }
        await router?.shutdown()
    }

    deinit {
        let isOpen = !connections.allSatisfy(\.isShutDown) || !(router?.isShutDown ?? true)
        guard isOpen else { return }
        logger.warning("RedisClient released without shutdown(); closing its connections")
        for connection in connections { connection.requestShutdown() }
        router?.requestShutdown()
    }
}

extension RedisClient: Service {
    /// Serves until the service group shuts down gracefully or the task is
    /// cancelled, then closes every connection. The connections work from
    /// the moment the client is created, so commands sent before `run()`
    /// (or without it) work as well.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

/// Runs `body` with a client that is shut down afterwards, however `body` ends.
@discardableResult
public func withRedisClient<T>(
    _ configuration: RedisConfiguration,
    logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (RedisClient) async throws -> T
) async rethrows -> T {
    let client = RedisClient(configuration: configuration, logger: logger)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}
