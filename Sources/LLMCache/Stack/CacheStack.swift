import CoreMetrics
import Logging
import Synchronization

/// An ordered chain of cache tiers in front of a model call.
///
/// A lookup asks the tiers fastest first. A hit at tier *i* is copied into the
/// tiers above it with its *remaining* lifetime (a semantic hit is copied under
/// the new request's exact key, so repeating it is an exact hit). When every
/// tier misses, the wrapped closure runs once however many identical requests
/// are waiting, and its answer is written to every tier. A tier that fails is
/// a miss for that tier, never an error for the caller.
public final class CacheStack: Sendable {
    /// Stack-wide settings.
    public struct Configuration: Sendable {
        /// Lifetime of stored answers when a call does not say; `nil` stores
        /// them until the tiers' own limits push them out.
        public var defaultTTL: Duration? = .seconds(3600)
        /// When a failing tier is skipped, and for how long.
        public var circuitBreaker = CircuitBreaker.Configuration()
        /// Prices for reporting the money hits saved.
        public var priceTable = PriceTable()
        /// Prefix of every swift-metrics label the stack emits.
        public var metricsPrefix = "llmcache"
        /// Where metrics go; the process-wide bootstrapped factory unless a
        /// test or an embedding application passes its own.
        public var metricsFactory: any MetricsFactory
        /// The most answers being written to the tiers outside this process
        /// at once. Those writes finish after the caller has its answer; when
        /// this many are still running (a stalled server), further answers
        /// are not written there and are counted as dropped stores.
        public var maxPendingStores: Int
        /// Decides per request whether semantic tiers, or the cache at all,
        /// may answer it (see ``DefaultCacheabilityPolicy``); `nil` lets
        /// every request use every tier.
        public var cacheabilityPolicy: (any CacheabilityPolicy)?
        /// How semantic hits are checked and learned from: observations,
        /// an optional error budget, sampled verification (see
        /// ``SemanticFeedback``). By default observations are kept in this
        /// process and only reports feed them.
        public var semanticFeedback: SemanticFeedback
        /// Shares misses with other processes: identical misses in several
        /// processes at once call the model once (see ``MissCoordinator``;
        /// LLMCacheRedis's `sharingMisses(through:)` sets one). `nil`, the
        /// default, coalesces misses within this process only.
        public var missCoordinator: (any MissCoordinator)?

        public init(
            defaultTTL: Duration? = .seconds(3600), circuitBreaker: CircuitBreaker.Configuration = .init(),
            priceTable: PriceTable = .init(), metricsPrefix: String = "llmcache",
            metricsFactory: any MetricsFactory = MetricsSystem.factory, maxPendingStores: Int = 1024,
            cacheabilityPolicy: (any CacheabilityPolicy)? = DefaultCacheabilityPolicy(),
            semanticFeedback: SemanticFeedback = .init(), missCoordinator: (any MissCoordinator)? = nil
        ) {
            self.defaultTTL = defaultTTL
            self.circuitBreaker = circuitBreaker
            self.priceTable = priceTable
            self.metricsPrefix = metricsPrefix
            self.metricsFactory = metricsFactory
            self.maxPendingStores = maxPendingStores
            self.cacheabilityPolicy = cacheabilityPolicy
            self.semanticFeedback = semanticFeedback
            self.missCoordinator = missCoordinator
        }
    }

    struct Layer: Sendable {
        let tier: any CacheTier
        let breaker: CircuitBreaker
        let recorder: TierRecorder
    }

    public let configuration: Configuration
    /// The tiers, fastest first.
    public var tiers: [any CacheTier] { layers.map(\.tier) }
    let layers: [Layer]
    /// Whether any tier matches by similarity; if none does, requests skip
    /// hashing their semantic scope.
    let hasSemanticTier: Bool
    let versionSource: any NamespaceVersionSource
    let clock: any CacheClock
    let logger: Logger
    let flights = SingleFlight<FlightKey>()
    let streamFlights = StreamFlightTable()
    let counters = StackCounters()
    let writeBehind: WriteBehind
    let feedbackGate: FeedbackGate
    private let lastSeenVersion: Atomic<UInt64>

    /// - Parameters:
    ///   - tiers: fastest first.
    ///   - versionSource: where the namespace version is read; bump it to
    ///     retire every stored answer at once.
    ///   - clock: the wall clock; inject a manual one in tests.
    ///   - logger: receives tier failures and decode failures; silent by default.
    public init(
        tiers: [any CacheTier],
        configuration: Configuration = .init(),
        versionSource: any NamespaceVersionSource = LocalNamespaceVersion(),
        clock: any CacheClock = SystemCacheClock(),
        logger: Logger = Logger(label: "llmcache", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        precondition(Set(tiers.map(\.name)).count == tiers.count, "tier names must be unique within a stack")
        self.configuration = configuration
        self.versionSource = versionSource
        self.clock = clock
        self.logger = logger
        self.layers = tiers.map { tier in
            Layer(
                tier: tier,
                breaker: CircuitBreaker(configuration: configuration.circuitBreaker, clock: clock),
                recorder: TierRecorder(
                    name: tier.name, label: configuration.metricsPrefix, factory: configuration.metricsFactory)
            )
        }
        self.hasSemanticTier = tiers.contains { $0.matching == .semantic }
        self.lastSeenVersion = Atomic(versionSource.current)
        self.writeBehind = WriteBehind(limit: configuration.maxPendingStores)
        self.feedbackGate = FeedbackGate(feedback: configuration.semanticFeedback, logger: logger)
    }

    /// Builds a stack from a list of tiers written one per line.
    public convenience init(
        configuration: Configuration = .init(),
        versionSource: any NamespaceVersionSource = LocalNamespaceVersion(),
        clock: any CacheClock = SystemCacheClock(),
        logger: Logger = Logger(label: "llmcache", factory: { _ in SwiftLogNoOpLogHandler() }),
        @CacheStackBuilder tiers: () -> [any CacheTier]
    ) {
        self.init(tiers: tiers(), configuration: configuration, versionSource: versionSource, clock: clock, logger: logger)
    }

    /// `body` with this cache in front of it, with the same signature.
    public func wrap<Request: CacheableRequest, Response: CacheValue>(
        _ body: @escaping @Sendable (Request) async throws -> Response
    ) -> @Sendable (Request) async throws -> Response {
        { request in try await self.response(for: request, options: CacheOptions.current, verifier: body, compute: body).value }
    }

    /// What the figures are now.
    public var statistics: CacheStatistics {
        CacheStatistics(
            tiers: layers.map { $0.recorder.snapshot(breaker: $0.breaker.state) },
            requests: counters.requests.load(ordering: .relaxed),
            computed: counters.computed.load(ordering: .relaxed),
            coalesced: counters.coalesced.load(ordering: .relaxed),
            computeFailures: counters.computeFailures.load(ordering: .relaxed),
            droppedStores: counters.droppedStores.load(ordering: .relaxed),
            incompleteAnswers: counters.incompleteAnswers.load(ordering: .relaxed),
            cacheability: counters.cacheability.snapshot(),
            feedback: feedbackGate.counters.snapshot,
            sharedFlights: counters.sharedFlights.snapshot
        )
    }

    /// Returns once every answer already handed to callers has been written
    /// to the tiers outside this process (they are written in the
    /// background), and every background comparison and verification of a
    /// semantic hit has been recorded. For tests, and before a planned shutdown.
    public func waitForPendingStores() async {
        await writeBehind.waitUntilIdle()
    }

    /// Removes every answer carrying any of `tags` from every tier; returns
    /// how many entries the tiers removed. A tier that fails is logged and
    /// skipped, and the first error is rethrown once every tier was tried.
    @discardableResult
    public func invalidate(tags: Set<String>) async throws -> Int {
        var removed = 0
        try await forEachTier(operation: "invalidate") { removed += try await $0.invalidate(tags: tags) }
        return removed
    }

    /// Empties every tier.
    public func removeAll() async throws {
        try await forEachTier(operation: "removeAll") { try await $0.removeAll() }
    }

    /// Retires every stored answer at once by moving to a new namespace
    /// version; returns it.
    @discardableResult
    public func bumpVersion() async throws -> UInt64 {
        let version = try await versionSource.bump()
        await observeVersion()
        return version
    }

    /// The namespace version in force, telling tiers when it changed.
    @discardableResult
    func observeVersion() async -> UInt64 {
        let version = versionSource.current
        // A plain load first: the common case writes nothing shared.
        guard lastSeenVersion.load(ordering: .acquiring) != version else { return version }
        let previous = lastSeenVersion.exchange(version, ordering: .acquiringAndReleasing)
        if previous != version {
            logger.info("namespace version changed", metadata: ["from": "\(previous)", "to": "\(version)"])
            for layer in layers { await layer.tier.namespaceVersionDidChange(to: version) }
        }
        return version
    }

    func forEachTier(operation: String, _ body: (any CacheTier) async throws -> Void) async throws {
        var firstError: (any Error)?
        for layer in layers {
            do {
                try await body(layer.tier)
            } catch {
                logger.warning(
                    "tier operation failed",
                    metadata: ["tier": "\(layer.tier.name)", "operation": "\(operation)", "error": "\(error)"])
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }
}

/// Stack-wide request counters.
final class StackCounters: Sendable {
    let requests = Atomic<Int>(0)
    let computed = Atomic<Int>(0)
    let coalesced = Atomic<Int>(0)
    let computeFailures = Atomic<Int>(0)
    let droppedStores = Atomic<Int>(0)
    let incompleteAnswers = Atomic<Int>(0)
    let cacheability = CacheabilityCounters()
    let sharedFlights = SharedFlightCounters()
}
