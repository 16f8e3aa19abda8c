import LLMCache
import LLMCacheTesting
import MetricsTestKit
import Testing

@Suite("CacheStack")
struct CacheStackTests {
    let clock = ManualCacheClock()
    let model = CountingModel()

    private func stack(_ tiers: [any CacheTier], ttl: Duration? = .seconds(3600)) -> CacheStack {
        CacheStack(tiers: tiers, configuration: .init(defaultTTL: ttl), clock: clock)
    }

    @Test func wrapsAClosureInOneLineAndWritesThrough() async throws {
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let slow = MemoryTier(name: "slow", configuration: .init(ttl: nil), clock: clock)
        let cache = stack([memory, slow])
        let ask = cache.wrap(model.answer as @Sendable (ChatRequest) async throws -> ChatResponse)
        let first = try await ask(chat("hello"))
        let second = try await ask(chat("hello"))
        #expect(first == second)
        #expect(model.callCount == 1)
        #expect(memory.count == 1 && slow.count == 1)
        let stats = cache.statistics
        #expect(stats.requests == 2 && stats.computed == 1)
        #expect(stats.tiers[0].hits == 1 && stats.tiers[0].misses == 1 && stats.tiers[1].misses == 1)
        #expect(stats.tokensSaved == 30)
    }

    @Test func promotesAHitWithItsRemainingTTLNeverExtended() async throws {
        let memory = MemoryTier(maxEntries: 100, ttl: nil, clock: clock)
        let slow = MemoryTier(name: "slow", configuration: .init(ttl: nil), clock: clock)
        let cache = stack([memory, slow])
        let request = chat("promote me")
        let q = CacheQuery(request: request)
        let stored = try ChatResponse(cacheEncoded: try await model.answer(request).cacheEncoded())
        slow.store(
            CacheEntry(value: try stored.cacheEncoded(), createdAt: clock.now, expiresAt: clock.now.advanced(by: .seconds(100))),
            for: q)
        clock.advance(by: .seconds(60))
        let result = try await cache.response(for: request) { _ in Issue.record("must not compute"); return stored }
        #expect(result.source == .tier(name: "slow", similarity: nil, matchedText: nil))
        let promoted = try #require(memory.lookup(q))
        #expect(promoted.entry.remainingTTL(at: clock.now) == .seconds(40))
        #expect(cache.statistics.tiers[0].promotions == 1)
        clock.advance(by: .seconds(40))
        #expect(memory.lookup(q) == nil, "the promoted copy dies with the original")
    }

    @Test func doesNotPromoteOrServeExpiredEntries() async throws {
        let memory = MemoryTier(maxEntries: 100, ttl: nil, clock: clock)
        let slow = MemoryTier(name: "slow", configuration: .init(ttl: nil), clock: clock)
        let cache = stack([memory, slow])
        let request = chat("old")
        slow.store(
            CacheEntry(value: try await model.answer(request).cacheEncoded(), createdAt: clock.now,
                       expiresAt: clock.now.advanced(by: .seconds(5))),
            for: CacheQuery(request: request))
        clock.advance(by: .seconds(5))
        let result = try await cache.response(for: request, compute: model.answer)
        #expect(result.source == .computed)
        #expect(cache.statistics.tiers[0].promotions == 0)
    }

    @Test func aSemanticHitIsWrittenUnderTheNewExactKey() async throws {
        let embedder = DeterministicTestEmbedder()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let semantic = MemorySemanticTier(embedder: embedder, threshold: 0.9, clock: clock)
        let cache = stack([memory, semantic])
        _ = try await cache.response(for: chat("What is the capital of France?"), compute: model.answer)
        memory.removeAll()
        let paraphrase = try await cache.response(for: chat("capital of France"), compute: model.answer)
        guard case .tier(let name, let similarity, let matched) = paraphrase.source else {
            Issue.record("expected a semantic hit, got \(paraphrase.source)")
            return
        }
        #expect(name == "semantic-memory" && (similarity ?? 0) >= 0.9)
        #expect(matched == "What is the capital of France?")
        #expect(memory.lookup(CacheQuery(request: chat("capital of France"))) != nil)
        let again = try await cache.response(for: chat("capital of France"), compute: model.answer)
        #expect(again.source == .tier(name: "memory", similarity: nil, matchedText: "What is the capital of France?"))
        #expect(semantic.count == 1, "a paraphrase is not added as a new vector")
        #expect(model.callCount == 1)
    }

    @Test func perCallOptions() async throws {
        let memory = MemoryTier(maxEntries: 100, ttl: nil, clock: clock)
        let cache = stack([memory])
        let ask = cache.wrap(model.answer as @Sendable (String) async throws -> String)

        _ = try await withCacheOptions(CacheOptions(skipStore: true)) { try await ask("private") }
        #expect(memory.count == 0)

        _ = try await ask("fresh")
        let refreshed = try await withCacheOptions(CacheOptions(bypassLookup: true)) { try await ask("fresh") }
        #expect(model.callCount == 3 && refreshed.hasPrefix("answer 3"))
        #expect(try await ask("fresh") == refreshed, "bypass still stores the new answer")

        _ = try await cache.response(for: "short", options: CacheOptions(ttl: .seconds(5)), compute: model.answer)
        clock.advance(by: .seconds(5))
        #expect(try await cache.response(for: "short", compute: model.answer).source == .computed)

        _ = try await cache.response(
            for: "slide", options: CacheOptions(ttl: .seconds(10), expiration: .sliding), compute: model.answer)
        for _ in 0..<3 {
            clock.advance(by: .seconds(9))
            #expect(try await cache.response(for: "slide", compute: model.answer).isCacheHit)
        }

        _ = try await cache.response(for: "tagged", options: CacheOptions(tags: ["news"]), compute: model.answer)
        #expect(try await cache.invalidate(tags: ["news"]) == 1)
        #expect(try await cache.response(for: "tagged", compute: model.answer).source == .computed)
    }

    @Test func tierSelectionLimitsWhichTiersAreUsed() async throws {
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let slow = MemoryTier(name: "slow", configuration: .init(ttl: nil), clock: clock)
        let cache = stack([memory, slow])
        _ = try await cache.response(for: "q", options: CacheOptions(tierNames: ["slow"]), compute: model.answer)
        #expect(memory.count == 0 && slow.count == 1)
    }

    @Test func errorsOfTheModelAreNeverCached() async throws {
        struct ModelDown: Error {}
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        await #expect(throws: ModelDown.self) {
            _ = try await cache.response(for: "q") { (_: String) async throws -> String in throw ModelDown() }
        }
        #expect(memory.count == 0)
        #expect(try await cache.response(for: "q", compute: model.answer).source == .computed)
        #expect(cache.statistics.computeFailures == 1)
    }

    /// One shard of a tier down: its lookups fail, the rest serve, and the
    /// tier's breaker must not stop the shards that work.
    @Test func partialFailuresAreCountedButLeaveTheBreakerClosed() async throws {
        let flaky = SwitchableFailingTier(clock: clock)
        let cache = CacheStack(
            tiers: [flaky],
            configuration: .init(circuitBreaker: .init(failureThreshold: 3, coolDown: .seconds(10))), clock: clock)
        flaky.isFailing = true
        flaky.failsPartially = true
        for index in 0..<10 {
            #expect(try await cache.response(for: "q\(index)", compute: model.answer).source == .computed)
        }
        await cache.waitForPendingStores()
        #expect(cache.statistics.tiers[0].breaker == .closed)
        #expect(cache.statistics.tiers[0].errors == 10)
        #expect(flaky.lookupCount == 10, "no lookup was skipped")
    }

    @Test func aFailingTierIsAMissAndItsBreakerOpensThenProbes() async throws {
        let flaky = SwitchableFailingTier(clock: clock)
        let cache = CacheStack(
            tiers: [flaky],
            configuration: .init(circuitBreaker: .init(failureThreshold: 3, coolDown: .seconds(10))), clock: clock)
        flaky.isFailing = true
        for index in 0..<3 {
            let result = try await cache.response(for: "q\(index)", compute: model.answer)
            #expect(result.source == .computed)
        }
        #expect(cache.statistics.tiers[0].breaker == .open)
        let lookupsWhenOpened = flaky.lookupCount
        _ = try await cache.response(for: "skipped", compute: model.answer)
        #expect(flaky.lookupCount == lookupsWhenOpened, "an open breaker skips the tier")
        #expect(cache.statistics.tiers[0].skipped >= 1)

        clock.advance(by: .seconds(10))
        _ = try await cache.response(for: "probe", compute: model.answer)
        #expect(flaky.lookupCount == lookupsWhenOpened + 1, "one probe after the cool-down")
        #expect(cache.statistics.tiers[0].breaker == .open, "a failed probe opens it again")

        flaky.isFailing = false
        clock.advance(by: .seconds(10))
        _ = try await cache.response(for: "recovered", compute: model.answer)
        await cache.waitForPendingStores()
        #expect(cache.statistics.tiers[0].breaker == .closed)
        #expect(try await cache.response(for: "recovered", compute: model.answer).isCacheHit)
        // Three failed lookups opened it and the probe failed once more; a tier
        // whose lookup failed is not written for that request, so no store failed.
        #expect(cache.statistics.tiers[0].errors == 4)
        #expect(cache.statistics.tiers[0].storeErrors == 0)
    }

    @Test func tagInvalidationReachesBothMemoryTiers() async throws {
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let semantic = MemorySemanticTier(embedder: DeterministicTestEmbedder(), threshold: 0.9, clock: clock)
        let cache = stack([memory, semantic])
        _ = try await cache.response(
            for: chat("price of the pro plan"), options: CacheOptions(tags: ["pricing"]), compute: model.answer)
        #expect(memory.count == 1 && semantic.count == 1)
        #expect(try await cache.invalidate(tags: ["pricing"]) == 2)
        #expect(memory.count == 0 && semantic.count == 0)
        #expect(try await cache.response(for: chat("pro plan price"), compute: model.answer).source == .computed)
    }

    @Test func aVersionBumpRetiresEverything() async throws {
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let semantic = MemorySemanticTier(embedder: DeterministicTestEmbedder(), threshold: 0.9, clock: clock)
        let version = LocalNamespaceVersion()
        let cache = CacheStack(tiers: [memory, semantic], versionSource: version, clock: clock)
        _ = try await cache.response(for: chat("q"), compute: model.answer)
        #expect(try await cache.bumpVersion() == 1)
        #expect(memory.count == 0 && semantic.count == 0)
        #expect(try await cache.response(for: chat("q"), compute: model.answer).source == .computed)

        // A bump made elsewhere (another stack sharing the source) is noticed on the next request.
        let other = CacheStack(tiers: [], versionSource: version, clock: clock)
        try await other.bumpVersion()
        #expect(try await cache.response(for: chat("q"), compute: model.answer).source == .computed)
        #expect(memory.count == 1)
    }

    @Test func undecodableStoredBytesAreAMissNotAnError() async throws {
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let request = chat("broken")
        memory.store(CacheEntry(value: [0xFF, 1, 2], createdAt: clock.now), for: CacheQuery(request: request))
        let result = try await cache.response(for: request, compute: model.answer)
        #expect(result.source == .computed)
        #expect(cache.statistics.tiers[0].decodeFailures == 1)
        #expect(try await cache.response(for: request, compute: model.answer).isCacheHit, "replaced by the fresh answer")
    }

    @Test func reportsTokensAndCostSavedThroughStatisticsAndMetrics() async throws {
        let metrics = TestMetrics()
        let prices = PriceTable(["gpt-test": .init(promptPerMillion: 1_000, completionPerMillion: 2_000)])
        let cache = CacheStack(
            tiers: [MemoryTier(maxEntries: 10, clock: clock)],
            configuration: .init(priceTable: prices, metricsFactory: metrics), clock: clock)
        for _ in 0..<3 { _ = try await cache.response(for: chat("q"), compute: model.answer) }
        let stats = cache.statistics
        #expect(stats.tokensSaved == 60)
        #expect(abs(stats.costSaved - 2 * (10 * 1_000 + 20 * 2_000) / 1_000_000) < 1e-9)
        #expect(stats.hitRate > 0.66 && stats.hitRate < 0.67)
        let hits = try metrics.expectCounter("llmcache_lookups_total", [("tier", "memory"), ("result", "hit")])
        #expect(hits.totalValue == 2)
        let tokens = try metrics.expectCounter("llmcache_tokens_saved_total", [("tier", "memory")])
        #expect(tokens.totalValue == 60)
        let timer = try metrics.expectTimer("llmcache_lookup_duration", [("tier", "memory")])
        #expect(timer.values.count == 3)
        #expect(stats.tiers[0].lookupP99 > .zero)
        #expect(stats.description.contains("memory"))
    }

    @Test func resultBuilderComposesTiers() {
        let useSemantic = true
        let cache = CacheStack(clock: clock) {
            MemoryTier(maxEntries: 10, clock: clock)
            if useSemantic {
                MemorySemanticTier(embedder: DeterministicTestEmbedder(), threshold: 0.9, clock: clock)
            }
        }
        #expect(cache.tiers.map(\.name) == ["memory", "semantic-memory"])
    }
}
