import LLMCache
import Logging
import ServiceLifecycle
import Synchronization

/// One cache namespace in Redis, as seen by this process: its key names
/// (``RedisKeyspace``), its version, and the channel on which processes tell
/// each other about invalidations.
///
/// It is the stack's ``NamespaceVersionSource``: a bump made by any process
/// reaches this one through pub/sub within milliseconds, and a periodic
/// re-read catches anything pub/sub missed. Tiers handed to
/// ``propagateInvalidations(to:)`` (memory tiers, or a tier of your own) drop
/// entries that another process invalidated by tag, and are emptied after the
/// channel reconnects (messages sent meanwhile are lost, so nothing they hold
/// can be trusted). Invalidating, flushing and bumping live in
/// `RedisNamespace+Invalidation.swift`.
public final class RedisNamespace: NamespaceVersionSource {
    public let keyspace: RedisKeyspace
    /// The client the namespace's tiers share (a gateway pings it for readiness).
    public let client: RedisClient
    /// How long a tag's invalidation is remembered for fencing stores.
    public let fenceWindow: Duration
    let logger: Logger
    let version = MonotonicVersion()
    private let followers = InvalidationFollowers()
    /// Processes' leaders of misses waiting here for another process's
    /// flight lease (see `RedisMissCoordinator`), woken by the channel.
    let leaseWaiters = LeaseWaiters()
    /// Messages this process published and has already applied to its
    /// followers, by payload: their echo on the channel is skipped, so a
    /// late echo of our own flush cannot fence answers computed after it.
    private let ownEchoes = CacheLock<[[UInt8]: Int]>([:])
    private let subscriber = CacheLock<RedisSubscriber?>(nil)

    /// Reads the current version and starts listening; returns once the
    /// subscription is in place. If Redis is down the namespace starts at
    /// version 0 and catches up once Redis answers.
    ///
    /// On a cluster client, key names are laid out by slot (see
    /// ``RedisKeyGroup``) and the channel is a classic pub/sub channel, which
    /// a cluster delivers to subscribers on every node.
    ///
    /// - Throws: `.invalidConfiguration` for a namespace name with forbidden
    ///   characters.
    /// - Parameters:
    ///   - refreshInterval: how often the version is re-read as a safety
    ///     net under pub/sub.
    ///   - fenceWindow: how long Redis remembers that a tag was invalidated,
    ///     so that an answer computed before the invalidation is refused
    ///     (see ``InvalidationMark``). An answer whose computation took
    ///     longer than this is not stored in Redis: nothing could prove it
    ///     is not stale.
    public init(
        name: String, client: RedisClient, refreshInterval: Duration = .seconds(5),
        fenceWindow: Duration = .seconds(3600),
        logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(RedisError) {
        self.keyspace = try RedisKeyspace(namespace: name, layout: client.configuration.cluster == nil ? .singleServer : .cluster)
        self.client = client
        self.fenceWindow = max(.seconds(1), fenceWindow)
        self.logger = logger
        do {
            observe(version: try await client.execute(.get(keyspace.versionKey)))
        } catch {
            logger.warning("could not read the namespace version; starting at 0", metadata: ["error": "\(error)"])
        }
        let handlers = RedisSubscriber.Handlers(
            message: { [weak self] payload in self?.handle(payload) },
            subscribed: { [weak self] isReconnect in if isReconnect { self?.resubscribed() } },
            polled: { [weak self] value in self?.observe(version: value.bytes) }
        )
        let subscriber = RedisSubscriber(
            configuration: client.configuration, channel: keyspace.channel, pollKey: keyspace.versionKey,
            pollInterval: refreshInterval, logger: logger, nodes: { [router = client.router] in router?.knownNodes ?? [] },
            handlers: handlers)
        self.subscriber.withLock { $0 = subscriber }
        await subscriber.waitUntilFirstAttempt()
    }

    public var current: UInt64 { version.current }

    /// Keeps `tier` in step with invalidations made by any process: tags
    /// invalidated anywhere are invalidated in it, and it is emptied when
    /// the namespace is flushed or the channel had to reconnect. For tiers
    /// that hold copies in this process (memory tiers, a local log); the
    /// Redis tiers need nothing, they share the server.
    public func propagateInvalidations(to tier: any CacheTier) {
        followers.add(tier)
    }

    deinit {
        // Released without shutdown(): the listening thread must not outlive us.
        subscriber.withLock { $0 }?.requestStop()
    }

    /// Stops listening. The client is not shut down: it may serve others.
    public func shutdown() async {
        let subscriber = self.subscriber.withLock { subscriber in
            defer { subscriber = nil }
            return subscriber
        }
        await subscriber?.shutdown()
        await followers.finish()
    }

    /// Runs `body`, which makes the server apply `event` and publish it,
    /// then applies it to this process's followers at once (also if `body`
    /// failed: the server may have applied it, and invalidating here too
    /// costs only misses), so they need not wait for the echo.
    func announcing<T>(_ event: InvalidationEvent, _ body: () async throws -> T) async throws -> T {
        let payload = event.encoded
        ownEchoes.withLock { echoes in
            // Bounded: echoes that never came (a dropped subscription) must not pile up.
            if echoes.count > 1_000 { echoes = [:] }
            echoes[payload, default: 0] += 1
        }
        defer { apply(event) }
        do {
            return try await body()
        } catch {
            ownEchoes.withLock { echoes in
                if let count = echoes[payload] { echoes[payload] = count > 1 ? count - 1 : nil }
            }
            throw error
        }
    }

    private func resubscribed() {
        ownEchoes.withLock { $0 = [:] }
        followers.deliver(.cleared)
        // A release may have been missed: waiters look at their leases again.
        leaseWaiters.wakeAll()
    }

    private func apply(_ event: InvalidationEvent) {
        switch event {
        case .tags(let tags): followers.deliver(.tags(Set(tags)))
        case .cleared: followers.deliver(.cleared)
        case .version(let newVersion): version.advance(to: newVersion)
        case .entries(let entries): followers.deliver(.entries(entries.compactMap(EntryReference.init)))
        case .leaseReleased(let lease): leaseWaiters.wake(Array(lease.utf8))
        }
    }

    private func handle(_ payload: [UInt8]) {
        let isOwnEcho = ownEchoes.withLock { echoes in
            guard let count = echoes[payload] else { return false }
            echoes[payload] = count > 1 ? count - 1 : nil
            return true
        }
        if isOwnEcho { return }
        switch InvalidationEvent(decoding: payload) {
        case .tags(let tags):
            followers.deliver(.tags(Set(tags)))
        case .version(let newVersion):
            version.advance(to: newVersion)
        case .cleared:
            followers.deliver(.cleared)
        case .entries(let entries):
            followers.deliver(.entries(entries.compactMap(EntryReference.init)))
        case .leaseReleased(let lease):
            leaseWaiters.wake(Array(lease.utf8))
        case nil:
            logger.warning("ignoring an unreadable invalidation message")
        }
    }

    /// The stored version counter (`nil` before the first bump).
    private func observe(version stored: [UInt8]?) {
        guard let stored, let number = UInt64(String(decoding: stored, as: UTF8.self)) else { return }
        version.advance(to: number)
    }
}

extension RedisNamespace: Service {
    /// Listens until the service group shuts down gracefully or the task is
    /// cancelled, then stops listening (the client is not shut down: run it
    /// as a service of its own). The subscription starts when the namespace
    /// is created, so that it is in place before the first request.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
