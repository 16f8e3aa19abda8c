import LLMCache
import Logging
import ServiceLifecycle
import Synchronization

/// One cache namespace in Redis, as seen by this process: its key names, its
/// version, and the channel on which processes tell each other about
/// invalidations.
///
/// It is the stack's ``NamespaceVersionSource``: a bump made by any process
/// reaches this one through pub/sub within milliseconds, and a periodic
/// re-read catches anything pub/sub missed. Memory tiers handed to
/// ``propagateInvalidations(to:)`` drop entries that another process
/// invalidated by tag, and are emptied after the channel reconnects (messages
/// sent meanwhile are lost, so nothing they hold can be trusted).
public final class RedisNamespace: NamespaceVersionSource {
    public let keyspace: RedisKeyspace
    let client: RedisClient
    /// How long a tag's invalidation is remembered for fencing stores.
    public let fenceWindow: Duration
    private let logger: Logger
    private let version = Atomic<UInt64>(0)
    private let followers = CacheLock<[Follower]>([])
    private let subscriber = CacheLock<RedisSubscriber?>(nil)

    private struct Follower: Sendable {
        let invalidate: @Sendable (Set<String>) -> Void
        let clear: @Sendable () -> Void
    }

    /// Reads the current version and starts listening; returns once the
    /// subscription is in place. If Redis is down the namespace starts at
    /// version 0 and catches up once Redis answers.
    ///
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
        self.keyspace = try RedisKeyspace(namespace: name)
        self.client = client
        self.fenceWindow = max(.seconds(1), fenceWindow)
        self.logger = logger
        do {
            observe(version: try await client.send(RedisCommand("GET", keyspace.versionKey)))
        } catch {
            logger.warning("could not read the namespace version; starting at 0", metadata: ["error": "\(error)"])
        }
        let handlers = RedisSubscriber.Handlers(
            message: { [weak self] payload in self?.handle(payload) },
            subscribed: { [weak self] isReconnect in if isReconnect { self?.clearFollowers() } },
            polled: { [weak self] value in self?.observe(version: value) }
        )
        let subscriber = RedisSubscriber(
            configuration: client.configuration, channel: keyspace.channel, pollKey: keyspace.versionKey,
            pollInterval: refreshInterval, logger: logger, handlers: handlers)
        self.subscriber.withLock { $0 = subscriber }
        await subscriber.waitUntilFirstAttempt()
    }

    public var current: UInt64 { version.load(ordering: .acquiring) }

    /// Moves every process to a new version (`INCR`) and tells them in the
    /// same step.
    public func bump() async throws -> UInt64 {
        let (prefix, suffix) = InvalidationEvent.versionMessageAround
        let reply = try await client.run(
            RedisScripts.bumpVersion, keys: [keyspace.versionKey], arguments: [keyspace.channel, prefix, suffix])
        guard let next = reply.int else { throw RedisError(.protocolError, "version bump did not return an integer") }
        let newVersion = UInt64(max(0, next))
        advance(to: newVersion)
        return newVersion
    }

    /// The namespace's invalidation counter now, as a mark for a
    /// computation about to start (see ``InvalidationMark``).
    func invalidationMark() async throws -> InvalidationMark {
        let reply = try await client.execute(RedisCommand("GET", keyspace.fenceKey))
        return InvalidationMark(epoch: reply.string.flatMap(UInt64.init) ?? 0)
    }

    /// Whether a store with `mark` can still be checked: Redis forgets a
    /// tag's invalidation after ``fenceWindow``, so an older mark is refused.
    func accepts(_ mark: InvalidationMark?) -> Bool {
        guard let mark else { return true }
        guard mark.takenAt.duration(to: .now) < fenceWindow else {
            logger.info("not storing an answer whose computation outlasted the fence window")
            return false
        }
        return true
    }

    /// Keeps `tier` in step with invalidations made by other processes.
    public func propagateInvalidations(to tier: MemoryTier) {
        follow(Follower(invalidate: { tier.invalidate(tags: $0) }, clear: { tier.removeAll() }))
    }

    /// Keeps `tier` in step with invalidations made by other processes.
    public func propagateInvalidations(to tier: MemorySemanticTier) {
        follow(Follower(invalidate: { tier.invalidate(tags: $0) }, clear: { tier.removeAll() }))
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
    }

    /// Removes every entry carrying any of `tags`, in every Redis tier of the
    /// namespace (tag sets are shared), and tells every process.
    func invalidate(tags: Set<String>) async throws -> Int {
        guard !tags.isEmpty else { return 0 }
        let sorted = tags.sorted()
        let tagSets = sorted.map(keyspace.tagKey)
        let tagFences = sorted.map(keyspace.tagFenceKey)
        // Stores with these tags are held and the members read first, so that
        // the script can declare every key it touches; it refuses (-1) if a
        // set gained a member meanwhile (only a store made without a mark can).
        for _ in 0..<Self.invalidationAttempts {
            let held = try await client.run(
                RedisScripts.holdTags, keys: tagFences + tagSets, arguments: [Self.holdTime.redisBytes])
            let members = (held.array ?? []).flatMap { $0.array ?? [] }.compactMap(\.bytes)
            let removal = EntryRemoval(members: Array(Set(members)), keyspace: keyspace)
            let reply = try await client.run(
                RedisScripts.invalidateTags,
                keys: [keyspace.fenceKey, keyspace.semanticExpiryKey] + tagSets + tagFences + removal.keys,
                arguments: [
                    keyspace.channel, InvalidationEvent.tags(sorted).encoded, RedisTTL.milliseconds(fenceWindow).redisBytes,
                    sorted.count.redisBytes, removal.count.redisBytes,
                ] + removal.arguments)
            guard let removed = reply.int else { throw RedisError(.protocolError, "unexpected invalidation reply") }
            if removed >= 0 { return Int(removed) }
        }
        throw RedisError(
            .serverError, "tags \(sorted) kept gaining members during \(Self.invalidationAttempts) invalidation attempts")
    }

    /// How often an invalidation reads its tag sets again when unfenced
    /// stores keep adding members between the read and the script.
    static let invalidationAttempts = 8
    /// How long stores of a tag being invalidated are held (ms) if the
    /// invalidation does not complete.
    static let holdTime: Int64 = 30_000

    /// Removes every key of the namespace but its version counter and shared
    /// settings, with `SCAN` and `UNLINK` (never `KEYS`, which blocks the
    /// server), and tells every process; returns how many keys it deleted.
    ///
    /// A large namespace takes a while, so `progress` hears the running
    /// total after each batch (about a thousand keys) and a command-line tool
    /// can show that the deletion is moving.
    ///
    /// - Parameter includingSettings: also delete the version counter and the
    ///   shared settings (the LSH seed), leaving nothing of the namespace: for
    ///   a namespace that is being thrown away (a benchmark's, a test's).
    ///   Processes still using it would start over at version 0.
    @discardableResult
    public func removeAllEntries(includingSettings: Bool = false, progress: (Int) -> Void = { _ in }) async throws -> Int {
        // First, so that answers computed before the flush are not stored after it.
        _ = try await client.run(RedisScripts.fenceFlush, keys: [keyspace.fenceKey, keyspace.flushFenceKey])
        var cursor: [UInt8] = Array("0".utf8)
        var deleted = 0
        repeat {
            let reply = try await client.execute(RedisCommand("SCAN", cursor, "MATCH", keyspace.pattern, "COUNT", 1000))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].bytes, let keys = parts[1].array else {
                throw RedisError(.protocolError, "unexpected SCAN reply")
            }
            let doomed = keys.compactMap(\.bytes).filter { includingSettings || !keyspace.survivesRemoveAll($0) }
            if !doomed.isEmpty {
                // Keys that expired between SCAN and UNLINK are not counted.
                deleted += Int(try await client.execute(RedisCommand("UNLINK", doomed)).int ?? 0)
                progress(deleted)
            }
            cursor = next
        } while cursor != Array("0".utf8)
        try await broadcast(.cleared)
        return deleted
    }

    /// Tells every process (this one included) about `event`.
    func broadcast(_ event: InvalidationEvent) async throws {
        try await client.execute(RedisCommand("PUBLISH", keyspace.channel, event.encoded))
    }

    private func follow(_ follower: Follower) {
        followers.withLock { $0.append(follower) }
    }

    private func handle(_ payload: [UInt8]) {
        switch InvalidationEvent(decoding: payload) {
        case .tags(let tags):
            let tags = Set(tags)
            for follower in followers.withLock({ $0 }) { follower.invalidate(tags) }
        case .version(let newVersion):
            advance(to: newVersion)
        case .cleared:
            clearFollowers()
        case nil:
            logger.warning("ignoring an unreadable invalidation message")
        }
    }

    private func clearFollowers() {
        for follower in followers.withLock({ $0 }) { follower.clear() }
    }

    private func observe(version value: RedisValue) {
        if value.isNull { return }
        if let number = value.int, number >= 0 { advance(to: UInt64(number)) }
    }

    /// Versions only move forward, whatever order news arrives in.
    private func advance(to newVersion: UInt64) {
        var current = version.load(ordering: .relaxed)
        while newVersion > current {
            let (exchanged, original) = version.compareExchange(
                expected: current, desired: newVersion, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
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
