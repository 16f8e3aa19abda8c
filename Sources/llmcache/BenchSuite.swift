import LLMCacheMeasurement
import Foundation
import LLMCache
import LLMCacheRedis

/// The phases of `llmcache bench`, measured in this process against one
/// Redis server, inside a namespace made for the run and deleted afterwards.
///
/// Every phase stores or reads the same 2 KB answer the benchmark
/// executables use (``BenchmarkPayload``), so the figures compare with the
/// README's.
struct BenchSuite: Sendable {
    struct Settings: Sendable {
        /// Timed operations per phase (per task in the concurrent phase).
        var iterations = 2_000
        /// Vectors stored for the semantic phases; 0 skips them.
        var entries = 2_000
        /// Tasks looking up at once in the concurrent phase.
        var concurrency = 64
        var backend: RedisSemanticTier.Backend = .auto
        /// Tasks storing vectors at once in the semantic-store phase.
        var semanticWriters = 8
    }

    let settings: Settings
    let progress: ProgressReporter
    private let answer = BenchmarkPayload.prose(bytes: 2048)
    private var response: ChatResponse { BenchmarkPayload.response(answer: answer) }
    private let request = BenchmarkPayload.request

    init(settings: Settings, progress: ProgressReporter) {
        self.settings = settings
        self.progress = progress
    }

    private var phaseCount: Int { settings.entries > 0 ? 7 : 5 }

    /// Runs every phase; the namespace `name` is created for the run and
    /// deleted afterwards, however the run ends (an interruption included).
    func run(client: RedisClient, namespaceName name: String, server: String) async throws -> BenchReport {
        var report = BenchReport(server: server, namespace: name, settings: settings, answerBytes: answer.utf8.count)
        report.phases.append(try await memoryHit())
        try await ThrowawayNamespace.with(name: name, client: client) { namespace in
            let exact = try await exactTierPhases(namespace: namespace, client: client)
            report.phases += exact.phases
            report.storedFrameBytes = exact.frameBytes
            report.exactHitOverBareGet = report.ratio(of: "exact_hit", to: "redis_get_bare")
            if settings.entries > 0 {
                let semantic = try await semanticPhases(namespace: namespace)
                report.phases += semantic.phases
                report.semanticBackend = semantic.backend.rawValue
                report.semanticHits = semantic.hits
            }
        }
        return report
    }

    // MARK: Phases

    /// A hit in a memory-only stack, through the whole wrapped closure.
    private func memoryHit() async throws -> BenchPhase {
        let stack = CacheStack { MemoryTier(maxEntries: 1_000, maxBytes: 64 << 20, ttl: .seconds(3600)) }
        let response = self.response
        let ask = stack.wrap { (_: ChatRequest) async throws -> ChatResponse in response }
        let phase = try await sequentialPhase("memory_hit", "memory hit, wrapped closure", number: 1) { _ in
            _ = try await ask(request)
        }
        guard stack.statistics.computed == 1 else { throw BenchFailure("the memory phase missed its cache") }
        return phase
    }

    /// A bare `GET` of the stored frame, an exact-tier hit of the same key,
    /// stores, and hits from many tasks at once.
    private func exactTierPhases(
        namespace: RedisNamespace, client: RedisClient
    ) async throws -> (phases: [BenchPhase], frameBytes: Int) {
        let tier = RedisExactTier(namespace: namespace)
        let query = CacheQuery(request: request, semantic: false)
        let entry = try answerEntry()
        try await tier.store(entry, for: query)
        let key = namespace.keyspace.entryKey(query.key, version: namespace.current)
        let frameBytes = Int(try await client.execute(.strlen(key)))

        var phases: [BenchPhase] = []
        phases.append(try await sequentialPhase("redis_get_bare", "redis GET, bare (same bytes)", number: 2) { _ in
            guard try await client.execute(.get(key)) != nil else {
                throw BenchFailure("the stored answer disappeared from Redis during the run")
            }
        })
        phases.append(try await sequentialPhase("exact_hit", "redis exact-tier hit", number: 3) { _ in
            guard try await tier.lookup(query) != nil else { throw BenchFailure("the exact tier missed a stored answer") }
        })
        let storeQueries = (0..<settings.iterations).map { index in
            CacheQuery(request: ChatRequest(model: request.model, messages: [.user("question \(index)")]), semantic: false)
        }
        phases.append(try await sequentialPhase("exact_store", "redis exact-tier store", number: 4) { index in
            try await tier.store(entry, for: storeQueries[index])
        })
        phases.append(
            try await concurrentPhase(
                "exact_hit_concurrent", "redis exact-tier hit, \(settings.concurrency) tasks", number: 5,
                tasks: settings.concurrency, operationsPerTask: settings.iterations
            ) { _, _ in
                guard try await tier.lookup(query) != nil else { throw BenchFailure("the exact tier missed a stored answer") }
            })
        return (phases, frameBytes)
    }

    /// Stores `entries` random vectors with several writers, then looks up
    /// paraphrase-like vectors (cosine 0.80–0.95 to a stored one).
    private func semanticPhases(
        namespace: RedisNamespace
    ) async throws -> (phases: [BenchPhase], backend: RedisSemanticTier.Backend, hits: Int) {
        var configuration = RedisSemanticTier.Configuration(threshold: -1, backend: settings.backend)
        configuration.matchGuard = nil
        configuration.candidates = 1
        let vectors = PrecomputedVectors()
        let tier = try RedisSemanticTier(namespace: namespace, embedder: vectors, configuration: configuration)
        let backend = try await tier.resolveBackend()
        let stored = vectors.storedVectors(settings.entries)
        let storedQueries = stored.indices.map { CacheQuery(request: "stored \($0)") }
        let queries = vectors.paraphrases(of: stored, count: min(settings.iterations, 1_000))
        let lookupQueries = queries.indices.map { CacheQuery(request: "query \($0)") }
        let entry = try answerEntry()

        let writers = min(settings.semanticWriters, settings.entries)
        let perWriter = settings.entries / writers
        let store = try await concurrentPhase(
            "semantic_store", "semantic store (\(backend), \(writers) writers)", number: 6,
            tasks: writers, operationsPerTask: perWriter
        ) { writer, index in
            let position = writer * perWriter + index
            try await tier.store(entry, for: storedQueries[position], vector: stored[position])
        }
        for position in (writers * perWriter)..<settings.entries {
            try await tier.store(entry, for: storedQueries[position], vector: stored[position])
        }

        // Whether each timed lookup found an answer (warm-up calls are overwritten).
        var answered = [Bool](repeating: false, count: settings.iterations)
        let lookup = try await sequentialPhase(
            "semantic_lookup", "semantic lookup (\(backend), \(grouped(settings.entries)) entries)", number: 7
        ) { index in
            let position = index % queries.count
            answered[index] = try await tier.lookup(lookupQueries[position], vector: queries[position]) != nil
        }
        return ([store, lookup], backend, answered.filter { $0 }.count)
    }

    // MARK: Helpers

    /// The 2 KB answer as the stack would store it, for an hour.
    private func answerEntry() throws -> CacheEntry {
        let now = SystemCacheClock().now
        return CacheEntry(
            value: try response.cacheEncoded(), createdAt: now, expiresAt: now.advanced(by: .seconds(3600)),
            usage: response.usage, model: response.model)
    }

    /// A few untimed calls (connections, caches, scripts warm), then
    /// `iterations` timed ones, one after another.
    private func sequentialPhase(
        _ id: String, _ name: String, number: Int, _ body: (Int) async throws -> Void
    ) async throws -> BenchPhase {
        let count = settings.iterations
        for index in 0..<min(count, 50) { try await body(index) }
        let show = progressLine(name, number: number, total: count)
        show(0)
        let sample = try await sampleSequentially(count: count, progress: show, body)
        return finish(id, name, number: number, sample)
    }

    /// `tasks` tasks each making `operationsPerTask` timed calls.
    private func concurrentPhase(
        _ id: String, _ name: String, number: Int, tasks: Int, operationsPerTask: Int,
        _ body: @escaping @Sendable (Int, Int) async throws -> Void
    ) async throws -> BenchPhase {
        let show = progressLine(name, number: number, total: tasks * operationsPerTask)
        show(0)
        let sample = try await sampleConcurrently(
            tasks: tasks, operationsPerTask: operationsPerTask, progress: show, body)
        return finish(id, name, number: number, sample)
    }

    private func progressLine(_ name: String, number: Int, total: Int) -> @Sendable (Int) -> Void {
        let reporter = progress
        let prefix = "[\(number)/\(phaseCount)] \(name)"
        return { done in reporter.update("\(prefix) \(total > 0 ? min(100, done * 100 / total) : 100)%") }
    }

    private func finish(_ id: String, _ name: String, number: Int, _ sample: LatencySample) -> BenchPhase {
        progress.finish("[\(number)/\(phaseCount)] \(name) 100% (\(String(format: "%.1f", sample.seconds)) s)")
        return BenchPhase(id: id, name: name, sample: sample)
    }
}

/// Why a benchmark run stopped.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
