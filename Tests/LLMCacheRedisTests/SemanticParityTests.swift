import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Synchronization
import Testing

@Suite("Semantic backends against brute force, restarts and the stack", .serialized)
struct SemanticParityTests {
    /// 2,000 stored vectors and 500 queries, each a perturbation (cosine
    /// 0.85–0.97) of a random stored vector, as paraphrases are.
    static let dataset: (stored: [[Float]], queries: [[Float]]) = {
        var vectors = RandomVectors(dimensions: 384, seed: 42)
        let stored = (0..<2000).map { _ in vectors.unit() }
        var generator = SeededRandomNumberGenerator(seed: 43)
        let queries = (0..<500).map { _ in
            vectors.near(stored[Int.random(in: 0..<2000, using: &generator)], cosine: Float.random(in: 0.85...0.97, using: &generator))
        }
        return (stored, queries)
    }()

    static let embedder: TableEmbedder = {
        var table: [String: [Float]] = [:]
        for (index, vector) in dataset.stored.enumerated() { table["stored \(word(index))"] = vector }
        for (index, vector) in dataset.queries.enumerated() { table["query \(word(index))"] = vector }
        return TableEmbedder(dimensions: 384, table: table)
    }()

    /// MemorySemanticTier's brute-force top-1 (by source text) for each
    /// query, computed once for all backends.
    static let bruteForce = Task<[String?], any Error> {
        let memory = MemorySemanticTier(
            embedder: embedder, configuration: .init(threshold: 0.5, maxEntries: 10_000, matchGuard: nil))
        for index in dataset.stored.indices {
            let text = "stored \(word(index))"
            try await memory.store(storedEntry(text, ttl: .seconds(3600)), for: CacheQuery(request: text))
        }
        var expected: [String?] = []
        for index in dataset.queries.indices {
            expected.append(try await memory.lookup(CacheQuery(request: "query \(word(index))"))?.entry.sourceText)
        }
        return expected
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func topOneAgreesWithMemorySemanticTierBruteForce(backend: RedisSemanticTier.Backend) async throws {
        let expected = try await Self.bruteForce.value
        try await withSemanticTier(
            backend, embedder: Self.embedder, exhaustiveLSH: false, configure: { $0.threshold = 0.5; $0.matchGuard = nil }
        ) { tier, _, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in stride(from: worker, to: Self.dataset.stored.count, by: 8) {
                            let text = "stored \(Self.word(index))"
                            try await tier.store(storedEntry(text, ttl: .seconds(3600)), for: CacheQuery(request: text))
                        }
                    }
                }
                try await group.waitForAll()
            }
            var agreements = 0
            for (index, expected) in expected.enumerated() {
                let found = try await tier.lookup(CacheQuery(request: "query \(Self.word(index))"))?.entry.sourceText
                if expected != nil, found == expected { agreements += 1 }
            }
            let agreement = Double(agreements) / Double(expected.count)
            print("semantic parity \(backend): top-1 agreement \(agreement) on \(expected.count) queries")
            #expect(agreement >= (backend == .lsh ? 0.90 : 0.98), "\(backend) agreement \(agreement)")
        }
    }

    /// Digits in texts would make the default guard compare numbers; spell them.
    static func word(_ number: Int) -> String {
        String(number).map { "abcdefghij"[String.Index(utf16Offset: Int($0.wholeNumberValue!), in: "abcdefghij")] }
            .map(String.init).joined()
    }

    @Test(arguments: [RedisSemanticTier.Backend.vectorSet, .lsh])
    func entriesSurviveAServerRestartWithPersistence(backend: RedisSemanticTier.Backend) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try OwnRedisServer(persistenceDirectory: directory.path)
        try await server.start()
        defer { server.kill() }
        try await withNamespace(url: server.url) { _, namespace in
            var configuration = RedisSemanticTier.Configuration(threshold: 0.9, backend: backend)
            configuration.lsh.probes = 1 << configuration.lsh.planes  // recall is the parity test's business
            let tier = try RedisSemanticTier(
                namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 32), configuration: configuration)
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            try await tier.store(storedEntry("kept"), for: CacheQuery(request: "q"), vector: vector)
            server.kill()
            try await server.start()
            let hit = try await waitUntil(.seconds(10), every: .milliseconds(50)) {
                (try? await tier.lookup(CacheQuery(request: "p"), vector: vectors.near(vector, cosine: 0.95))) != nil
            }
            #expect(hit != nil, "the entry was found after the restart")
        }
    }

    @Test func aParaphraseIsServedFromRedisAndPromotedToTheExactAndMemoryTiers() async throws {
        try await withNamespace { _, namespace in
            let embedder = DeterministicTestEmbedder(dimensions: 64)
            let memory = MemoryTier()
            let exact = RedisExactTier(namespace: namespace)
            let semantic = try RedisSemanticTier(namespace: namespace, embedder: embedder)
            let cache = CacheStack(tiers: [memory, exact, semantic], versionSource: namespace)
            let calls = CallCounter()
            let answer: @Sendable (String) async throws -> String = { _ in
                calls.increment()
                return "Paris"
            }
            #expect(try await cache.response(for: "what is the capital of France", compute: answer).value == "Paris")
            await cache.waitForPendingStores()
            let paraphrase = try await cache.response(for: "capital of france, what is it", compute: answer)
            guard case .tier(let name, let similarity, let matchedText) = paraphrase.source else {
                Issue.record("expected a semantic hit, got \(paraphrase.source)")
                return
            }
            #expect(name == "redis-semantic" && (similarity ?? 0) >= 0.9)
            #expect(matchedText == "what is the capital of France")
            #expect(calls.value == 1)
            let again = try await cache.response(for: "capital of france, what is it", compute: answer)
            if case .tier(let name, _, _) = again.source { #expect(name == "memory") } else { Issue.record("no hit") }
            memory.removeAll()
            let fromExact = try await cache.response(for: "capital of france, what is it", compute: answer)
            if case .tier(let name, _, _) = fromExact.source { #expect(name == "redis") } else { Issue.record("no hit") }
            #expect(embedder.callCount == 2, "one embedding per distinct request, shared by lookup and store")
        }
    }

    @Test func aFailingOrSlowEmbedderCostsTheSemanticTierAMissAndNothingElse() async throws {
        try await withNamespace { _, namespace in
            var configuration = RedisSemanticTier.Configuration()
            configuration.embeddingTimeout = .milliseconds(100)
            let slow = try RedisSemanticTier(
                name: "slow", namespace: namespace, embedder: SlowEmbedder(), configuration: configuration)
            let failing = try RedisSemanticTier(
                name: "failing", namespace: namespace, embedder: TableEmbedder(dimensions: 8, table: [:]))
            let cache = CacheStack(tiers: [MemoryTier(), slow, failing], versionSource: namespace)
            let start = ContinuousClock.now
            let first = try await cache.response(for: "anything") { _ in "answer" }
            #expect(first.value == "answer")
            #expect(ContinuousClock.now - start < .seconds(9), "not waiting for the 10-second embedder")
            let second = try await cache.response(for: "anything") { _ in "other" }
            #expect(second.value == "answer", "the memory tier still serves")
            let error = await #expect(throws: CacheError.self) { try await slow.lookup(CacheQuery(request: "x")) }
            #expect(error?.code == .embeddingFailed)
        }
    }
}

/// Takes ten seconds per call: stands in for an embedding service that hangs.
private struct SlowEmbedder: Embedder {
    var identifier: String { "slow" }
    var dimensions: Int { 8 }
    func embed(_ texts: [String]) async throws -> [[Float]] {
        try await Task.sleep(for: .seconds(10))
        return texts.map { _ in [Float](repeating: 1, count: 8) }
    }
}

final class CallCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
