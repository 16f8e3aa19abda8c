import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

@Suite("RedisSemanticTier", .serialized)
struct RedisSemanticTierTests {
    @Test(arguments: RedisSemanticTier.Backend.tested)
    func findsANeighbourAboveTheThresholdAndReportsItsCosineSimilarity(backend: RedisSemanticTier.Backend) async throws {
        // Full-precision vectors, so the test pins each backend's conversion
        // of its own score or distance to cosine similarity.
        // No verifier: random vectors, so the threshold alone decides.
        let configure: @Sendable (inout RedisSemanticTier.Configuration) -> Void = {
            $0.vectorSet.quantization = .none
            $0.matchGuard = nil
        }
        try await withSemanticTier(backend, configure: configure) { tier, _, _ in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let stored = vectors.unit()
            let query = CacheQuery(request: "how do I reset my password")
            #expect(try await tier.lookup(query, vector: stored) == nil)
            try await tier.store(storedEntry("reset it in settings"), for: query, vector: stored)

            let paraphrase = CacheQuery(request: "password reset how")
            let hit = try #require(try await tier.lookup(paraphrase, vector: vectors.near(stored, cosine: 0.95)))
            #expect(abs(try #require(hit.similarity) - 0.95) < 0.002)
            #expect(hit.entry.value == Array("reset it in settings".utf8))
            #expect(hit.entry.sourceText == "how do I reset my password", "the hit carries the matched text")
            #expect(try await tier.lookup(paraphrase, vector: vectors.near(stored, cosine: 0.85)) == nil)
            #expect(try await tier.resolveBackend() == backend)
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func neverMatchesAcrossScopes(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend) { tier, _, _ in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            let request = ChatRequest(model: "model-a", messages: [.system("be brief"), .user("capital of France")])
            try await tier.store(storedEntry("Paris"), for: CacheQuery(request: request, partition: "tenant-1"), vector: vector)

            var otherModel = request
            otherModel.model = "model-b"
            var otherPrompt = request
            otherPrompt.messages[0] = .system("answer in German")
            #expect(try await tier.lookup(CacheQuery(request: request, partition: "tenant-2"), vector: vector) == nil)
            #expect(try await tier.lookup(CacheQuery(request: otherModel, partition: "tenant-1"), vector: vector) == nil)
            #expect(try await tier.lookup(CacheQuery(request: otherPrompt, partition: "tenant-1"), vector: vector) == nil)
            #expect(try await tier.lookup(CacheQuery(request: request, partition: "tenant-1"), vector: vector) != nil)
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func expiredEntriesAreMissesAndTheirVectorsLeaveTheIndex(backend: RedisSemanticTier.Backend) async throws {
        let clock = ManualCacheClock(SystemCacheClock().now)
        try await withSemanticTier(backend, clock: clock) { tier, client, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            let query = CacheQuery(request: "short-lived")
            // RediSearch documents expire with their key, on the server's clock.
            let ttl: Duration = backend == .search ? .seconds(2) : .seconds(60)
            try await tier.store(storedEntry("soon gone", ttl: ttl), for: query, vector: vector)
            try await tier.store(storedEntry("stays", ttl: .seconds(3600)), for: CacheQuery(request: "other"), vector: vectors.unit())
            #expect(try await tier.lookup(query, vector: vector) != nil)
            #expect(try await indexedVectorCount(client, namespace) == 2)

            clock.advance(by: .seconds(120))
            #expect(try await tier.lookup(query, vector: vector) == nil, "expired by the tier's clock")
            if backend == .search {
                let gone = try await waitUntil(.seconds(10), every: .milliseconds(50)) {
                    try await indexedVectorCount(client, namespace) == 1
                }
                #expect(gone != nil, "the expired document left the index")
            } else {
                #expect(try await tier.sweep() == 1)
                #expect(try await indexedVectorCount(client, namespace) == 1, "the sweep removed the expired vector")
            }
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func tagInvalidationRemovesTheAnswerAndItsVector(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend) { tier, client, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let (first, second) = (vectors.unit(), vectors.unit())
            try await tier.store(storedEntry("a", tags: ["docs", "v1"]), for: CacheQuery(request: "a"), vector: first)
            try await tier.store(storedEntry("b", tags: ["other"]), for: CacheQuery(request: "b"), vector: second)
            #expect(try await tier.invalidate(tags: ["docs"]) == 1)
            #expect(try await tier.lookup(CacheQuery(request: "a"), vector: first) == nil)
            #expect(try await tier.lookup(CacheQuery(request: "b"), vector: second) != nil)
            #expect(try await indexedVectorCount(client, namespace) == 1)
            // The exact tier's invalidation goes through the same tag sets.
            #expect(try await RedisExactTier(namespace: namespace).invalidate(tags: ["other"]) == 1)
            #expect(try await tier.lookup(CacheQuery(request: "b"), vector: second) == nil)
            #expect(try await indexedVectorCount(client, namespace) == 0)
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func noVectorOutlivesItsAnswerWhenInvalidationsRaceStores(backend: RedisSemanticTier.Backend) async throws {
        // Vector sets add the vector after the answer (VADD … CAS runs outside
        // the store script); an invalidation in between must not leave it behind.
        try await withSemanticTier(backend) { tier, client, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 11)
            let stored = (0..<200).map { _ in vectors.unit() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in stride(from: writer, to: stored.count, by: 8) {
                            try await tier.store(
                                storedEntry("\(index)", tags: ["racing"]), for: CacheQuery(request: "\(index)"),
                                vector: stored[index])
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<40 { _ = try await tier.invalidate(tags: ["racing"]) }
                }
                try await group.waitForAll()
            }
            _ = try await tier.invalidate(tags: ["racing"])
            #expect(try await indexedVectorCount(client, namespace) == 0)
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func versionBumpsAndRemoveAllRetireEntries(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend) { tier, client, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            try await tier.store(storedEntry("old"), for: CacheQuery(request: "q"), vector: vector)
            #expect(try await tier.lookup(CacheQuery(request: "q", namespaceVersion: 1), vector: vector) == nil)
            try await tier.store(storedEntry("new", version: 1), for: CacheQuery(request: "q", namespaceVersion: 1), vector: vector)
            let hit = try await tier.lookup(CacheQuery(request: "q", namespaceVersion: 1), vector: vector)
            #expect(hit?.entry.value == Array("new".utf8))

            try await tier.removeAll()
            #expect(try await tier.lookup(CacheQuery(request: "q", namespaceVersion: 1), vector: vector) == nil)
            #expect(try await indexedVectorCount(client, namespace) == 0)
            if backend == .lsh {
                let seed = try await client.execute(RedisCommand("GET", "llmcache:\(namespace.keyspace.namespace):cfg:lsh-seed"))
                #expect(seed.string.flatMap(UInt64.init) != nil, "removeAll keeps the hyperplane seed")
            }
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func rejectsBadVectorsAndKeepsModelsOfOtherDimensionsApart(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend, dimensions: 32) { tier, _, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            let query = CacheQuery(request: "q")
            try await tier.store(storedEntry("32"), for: query, vector: vector)
            for bad in [Array(vector.prefix(31)), [Float.nan] + vector.dropFirst(), [Float](repeating: 0, count: 32)] {
                let error = await #expect(throws: CacheError.self) { try await tier.lookup(query, vector: bad) }
                #expect(error?.code == .invalidEmbedding)
                await #expect(throws: CacheError.self) { try await tier.store(storedEntry("x"), for: query, vector: bad) }
            }
            // A model with another dimension in the same namespace gets its own index.
            var configuration = tier.configuration
            configuration.backend = backend
            let wider = try RedisSemanticTier(
                name: "wider", namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 48),
                configuration: configuration)
            var wideVectors = RandomVectors(dimensions: 48, seed: 7)
            let wide = wideVectors.unit()
            #expect(try await wider.lookup(query, vector: wide) == nil)
            try await wider.store(storedEntry("48"), for: query, vector: wide)
            #expect(try await wider.lookup(query, vector: wide)?.entry.value == Array("48".utf8))
            #expect(try await tier.lookup(query, vector: vector)?.entry.value == Array("32".utf8))
        }
    }

    @Test func vectorSetsWithOtherLinksAreOtherSetsRatherThanAnError() async throws {
        // Redis refuses a VADD whose M differs from the set's, so a process
        // configured with other links (or a new default) must not share sets.
        try await withSemanticTier(.vectorSet, configure: { $0.vectorSet.links = 16 }) { tier, _, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            let query = CacheQuery(request: "q")
            try await tier.store(storedEntry("M 16"), for: query, vector: vector)
            var configuration = tier.configuration
            configuration.vectorSet.links = 24
            let other = try RedisSemanticTier(
                name: "more links", namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 32),
                configuration: configuration)
            #expect(try await other.lookup(query, vector: vector) == nil)
            try await other.store(storedEntry("M 24"), for: query, vector: vector)
            #expect(try await other.lookup(query, vector: vector)?.entry.value == Array("M 24".utf8))
            #expect(try await tier.lookup(query, vector: vector)?.entry.value == Array("M 16".utf8))
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func theGuardVetoesANeighbourWithOtherNumbersAndTheNextCandidateMayServe(backend: RedisSemanticTier.Backend)
        async throws
    {
        try await withSemanticTier(backend) { tier, _, _ in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let base = vectors.unit()
            try await tier.store(storedEntry("12"), for: CacheQuery(request: "what is 15% of 80"), vector: base)
            let query = CacheQuery(request: "what is 25% of 80")
            #expect(try await tier.lookup(query, vector: vectors.near(base, cosine: 0.99)) == nil)
            #expect(tier.vetoedMatchCount == 1)

            try await tier.store(
                storedEntry("20"), for: CacheQuery(request: "compute 25% of 80"), vector: vectors.near(base, cosine: 0.97))
            let hit = try await tier.lookup(query, vector: vectors.near(base, cosine: 0.99))
            #expect(hit?.entry.value == Array("20".utf8))
        }
    }

    @Test(arguments: RedisSemanticTier.Backend.tested)
    func anUndecodableAnswerIsAMissAndIsRemoved(backend: RedisSemanticTier.Backend) async throws {
        try await withSemanticTier(backend) { tier, client, namespace in
            var vectors = RandomVectors(dimensions: 32, seed: 7)
            let vector = vectors.unit()
            try await tier.store(storedEntry("fine"), for: CacheQuery(request: "q"), vector: vector)
            let prefix = "llmcache:\(namespace.keyspace.namespace):"
            let keys = try #require(try await client.execute(RedisCommand("KEYS", prefix + "*")).array).compactMap(\.string)
            let answer = try #require(keys.first { $0.contains(":s:") || $0.contains(":doc:") })
            if answer.contains(":doc:") {
                try await client.execute(RedisCommand("HSET", answer, "p", "garbage"))
            } else {
                try await client.execute(RedisCommand("SET", answer, "garbage", "KEEPTTL"))
            }
            #expect(try await tier.lookup(CacheQuery(request: "q"), vector: vector) == nil)
            #expect(tier.corruptEntryCount == 1)
            #expect(try await client.execute(RedisCommand("EXISTS", answer)).int == 0)
        }
    }

    /// Valkey has neither vector sets nor (here) valkey-search: `.auto`
    /// takes LSH, which finds, tags, invalidates and retires as on Redis.
    @Test(arguments: ["LLMCACHE_VALKEY8_URL", "LLMCACHE_VALKEY9_URL"])
    func valkeyServesParaphrasesThroughLSH(server: String) async throws {
        try await withSemanticTier(.auto, server: server, configure: { $0.matchGuard = nil }) { tier, _, namespace in
            #expect(try await tier.resolveBackend() == .lsh)
            var vectors = RandomVectors(dimensions: 32, seed: 11)
            let stored = vectors.unit()
            let query = CacheQuery(request: "how do I reset my password")
            let entry = storedEntry("reset it in settings", tags: ["accounts"])
            try await tier.store(entry, for: query, vector: stored)
            let paraphrase = CacheQuery(request: "password reset how")
            let hit = try #require(try await tier.lookup(paraphrase, vector: vectors.near(stored, cosine: 0.95)))
            #expect(hit.entry.value == Array("reset it in settings".utf8))
            #expect(try await tier.invalidate(tags: ["accounts"]) >= 1)
            #expect(try await tier.lookup(paraphrase, vector: vectors.near(stored, cosine: 0.95)) == nil)
            try await tier.store(entry, for: query, vector: stored)
            _ = try await namespace.bump()
            let retired = CacheQuery(request: "password reset how", namespaceVersion: namespace.current)
            #expect(try await tier.lookup(retired, vector: vectors.near(stored, cosine: 0.95)) == nil)
        }
    }

    @Test func autoPicksWhatTheServerOffersAndForcedBackendsAreChecked() async throws {
        for (variable, expected) in [
            ("LLMCACHE_REDIS8_URL", RedisSemanticTier.Backend.vectorSet),
            ("LLMCACHE_REDIS8_SEARCH_URL", .vectorSet), ("LLMCACHE_REDIS7_URL", .lsh),
            ("LLMCACHE_VALKEY8_URL", .lsh), ("LLMCACHE_VALKEY9_URL", .lsh),
        ] {
            try await withNamespace(url: try TestServers.url(variable)) { _, namespace in
                let tier = try RedisSemanticTier(namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 8))
                #expect(try await tier.resolveBackend() == expected, "\(variable)")
            }
        }
        try await withNamespace(url: try TestServers.url("LLMCACHE_REDIS7_URL")) { _, namespace in
            for forced in [RedisSemanticTier.Backend.vectorSet, .search] {
                let tier = try RedisSemanticTier(
                    namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 8),
                    configuration: .init(backend: forced))
                let error = await #expect(throws: RedisError.self) { try await tier.resolveBackend() }
                #expect(error?.code == .invalidConfiguration)
            }
            #expect(throws: RedisError.self) {
                try RedisSemanticTier(
                    namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 8),
                    configuration: .init(threshold: 1.5))
            }
        }
    }
}
