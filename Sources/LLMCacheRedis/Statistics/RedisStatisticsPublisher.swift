import Foundation
import LLMCache
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes a ``CacheStack``'s statistics to its Redis namespace in
/// batches, so that `llmcache stats` (or
/// ``RedisNamespace/publishedStatistics()``) shows the whole fleet.
///
/// Why batches: counting in Redis on every request would add a write to
/// every cache hit. Instead, every ``Configuration/interval`` the publisher
/// takes the stack's snapshot, subtracts what it already published and adds
/// the difference to shared counters with **one** script call (nothing when
/// nothing changed). Batches are numbered per process and the script applies
/// each number once, so a batch whose reply was lost is re-sent as it was
/// and counted once; a batch that fails stays pending and is sent first next
/// time: nothing is lost and nothing is counted twice. The keys are listed
/// on `RedisKeyspace` (`stats:` prefix); they survive ``RedisExactTier/removeAll()``
/// and version bumps, and ``RedisNamespace/resetPublishedStatistics()`` clears them.
///
/// ```swift
/// let publisher = RedisStatisticsPublisher(stack: stack, namespace: namespace)
/// publisher.start()                 // or run `await publisher.run()` in a task of your own
/// …
/// await publisher.shutdown()        // publishes what is left
/// ```
public final class RedisStatisticsPublisher: Sendable {
    /// When and as whom a publisher writes.
    public struct Configuration: Sendable {
        /// Time between batches: the delay before `llmcache stats` sees new
        /// traffic, against one script call per interval.
        public var interval: Duration = .seconds(10)
        /// This process in the instances record; unique per process by default
        /// (host, process id and a random suffix).
        public var instanceName: String = RedisStatisticsPublisher.defaultInstanceName()
        /// Processes silent for longer are dropped from the instances record.
        public var instanceRetention: Duration = .seconds(24 * 3600)
        /// Whether to publish the lookup latency histogram (p50/p99 across
        /// processes); about one field per occupied bucket per tier.
        public var includeLatency = true

        public init(
            interval: Duration = .seconds(10), instanceName: String = RedisStatisticsPublisher.defaultInstanceName(),
            instanceRetention: Duration = .seconds(24 * 3600), includeLatency: Bool = true
        ) {
            self.interval = interval
            self.instanceName = instanceName
            self.instanceRetention = instanceRetention
            self.includeLatency = includeLatency
        }
    }

    public let stack: CacheStack
    public let namespace: RedisNamespace
    public let configuration: Configuration
    private let clock: any CacheClock
    private let logger: Logger
    private let state: CacheLock<State>

    private struct State: Sendable {
        /// What the server holds from this process.
        var published = StatisticsCounters.zero
        var nextSequence: UInt64 = 1
        /// Sent, outcome unknown: re-sent unchanged before anything new.
        var pending: StatisticsBatch?
        /// The last publish, which the next one waits for.
        var tail: Task<Void, Never>?
        var loop: Task<Void, Never>?
        var isShutDown = false
        var consecutiveFailures = 0
    }

    /// Nothing is published until ``start()``, ``run()`` or ``publish()``.
    ///
    /// - Parameters:
    ///   - clock: the wall clock of the timestamps (last report, since).
    ///   - logger: receives failed publishes (the counts are kept).
    public init(
        stack: CacheStack, namespace: RedisNamespace, configuration: Configuration = .init(),
        clock: any CacheClock = SystemCacheClock(),
        logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.stack = stack
        self.namespace = namespace
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.state = CacheLock(State())
    }

    /// `host-pid-xxxx`: readable in `llmcache stats`, unique per process.
    public static func defaultInstanceName() -> String {
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }

    /// Publishes every ``Configuration/interval`` from a task the publisher
    /// owns, until ``shutdown()``. Calling it again does nothing.
    public func start() {
        state.withLock { state in
            guard state.loop == nil, !state.isShutDown else { return }
            state.loop = Task { await self.run() }
        }
    }

    /// Publishes every ``Configuration/interval`` until the calling task is
    /// cancelled or its service group shuts down gracefully, then publishes
    /// what is left: the publisher is a swift-service-lifecycle `Service`.
    /// Failures are logged, never thrown.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.publishPeriodically() }
        // The final batch must go out even though this task is cancelled.
        await Task { await self.publishLoggingFailures() }.value
    }

    private func publishPeriodically() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.interval)
            } catch {
                break
            }
            await publishLoggingFailures()
        }
    }

    /// Stops the task ``start()`` began and publishes what is left; without
    /// ``start()``, just publishes what is left. A failure is logged.
    public func shutdown() async {
        let loop = state.withLock { state in
            state.isShutDown = true
            defer { state.loop = nil }
            return state.loop
        }
        if let loop {
            loop.cancel()
            await loop.value
        } else {
            await publishLoggingFailures()
        }
    }

    /// Publishes now: a batch left pending by a failure first, then what
    /// changed since. Publishes run one at a time, in call order.
    ///
    /// - Returns: whether anything was sent (false when nothing changed).
    /// - Throws: ``RedisError`` when Redis fails; the unsent counts are kept
    ///   for the next publish.
    @discardableResult
    public func publish() async throws -> Bool {
        let task = state.withLock { state in
            let previous = state.tail
            let task = Task<Bool, any Error> {
                await previous?.value
                return try await self.publishInOrder()
            }
            state.tail = Task { _ = await task.result }
            return task
        }
        return try await task.value
    }

    /// Runs with no other publish in flight (``publish()`` chains them).
    private func publishInOrder() async throws -> Bool {
        var sent = false
        if let pending = state.withLock({ $0.pending }) {
            try await send(pending)
            sent = true
        }
        let current = StatisticsCounters(stack.statistics, includeLatency: configuration.includeLatency)
        let batch = state.withLock { state -> StatisticsBatch? in
            let batch = StatisticsBatch(sequence: state.nextSequence, from: state.published, to: current)
            guard !batch.isEmpty else { return nil }
            state.nextSequence += 1
            state.pending = batch
            return batch
        }
        guard let batch else { return sent }
        try await send(batch)
        return true
    }

    /// Sends `batch` (idempotent on the server); on success it is what the
    /// server holds from us.
    private func send(_ batch: StatisticsBatch) async throws {
        let now = clock.now
        let input = batch.scriptInput(
            keyspace: namespace.keyspace, instance: configuration.instanceName, now: now,
            forgetBefore: now.advanced(by: .zero - configuration.instanceRetention))
        _ = try await namespace.client.run(StatisticsScripts.publish, keys: input.keys, arguments: input.arguments)
        state.withLock { state in
            state.published = batch.target
            if state.pending?.sequence == batch.sequence { state.pending = nil }
        }
    }

    /// The first failure in a row is a warning, the rest debug: a Redis
    /// outage should not flood the log every interval.
    private func publishLoggingFailures() async {
        do {
            try await publish()
            let recovered = state.withLock { state in
                defer { state.consecutiveFailures = 0 }
                return state.consecutiveFailures
            }
            if recovered > 0 {
                logger.info("cache statistics published again", metadata: ["failedAttempts": "\(recovered)"])
            }
        } catch {
            let failures = state.withLock { state in
                state.consecutiveFailures += 1
                return state.consecutiveFailures
            }
            let level: Logger.Level = failures == 1 ? .warning : .debug
            logger.log(
                level: level, "publishing cache statistics failed; the counts are kept for the next attempt",
                metadata: ["namespace": "\(namespace.keyspace.namespace)", "error": "\(error)"])
        }
    }
}

extension RedisStatisticsPublisher: Service {}
