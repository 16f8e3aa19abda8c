import LLMCache
import LLMCacheTesting
import Testing

@Suite("Cacheability policy in the stack")
struct CacheabilityStackTests {
    let clock = ManualCacheClock()
    let model = CountingModel()
    let embedder = DeterministicTestEmbedder()
    let memory: MemoryTier
    let semantic: MemorySemanticTier

    init() {
        memory = MemoryTier(maxEntries: 100, ttl: nil, clock: clock)
        semantic = MemorySemanticTier(embedder: embedder, threshold: 0.9, matchGuard: nil, clock: clock)
    }

    private func stack(policy: (any CacheabilityPolicy)? = DefaultCacheabilityPolicy()) -> CacheStack {
        CacheStack(
            tiers: [memory, semantic], configuration: .init(defaultTTL: .seconds(3600), cacheabilityPolicy: policy),
            clock: clock)
    }

    private func ask(
        _ cache: CacheStack, _ text: String, options: CacheOptions = CacheOptions()
    ) async throws -> CacheResult<ChatResponse> {
        try await cache.response(for: chat(text), options: options, compute: model.answer)
    }

    @Test func aTimeSensitiveQuestionIsNotServedFromAParaphraseButAnExactRepeatIs() async throws {
        let cache = stack()
        let first = try await ask(cache, "What is the weather today?")
        #expect(first.source == .computed)
        #expect(first.cacheability == .exactOnly(.init(.timeSensitive, trigger: "today"), maxTTL: .seconds(300)))
        #expect(semantic.count == 0, "semantic tiers are not filled")

        let paraphrase = try await ask(cache, "Today: what is the weather?")
        #expect(paraphrase.source == .computed, "without the policy the test embedder matches these at 1.0")
        let repeated = try await ask(cache, "What is the weather today?")
        guard case .tier(name: "memory", similarity: nil, _) = repeated.source else {
            Issue.record("expected an exact hit, got \(repeated.source)")
            return
        }
        #expect(repeated.value == first.value)
        #expect(model.callCount == 2)
        #expect(embedder.callCount == 0, "semantic tiers are not asked either")

        // A timeless question still meets semantic matching.
        _ = try await ask(cache, "What is the capital of France?")
        let similar = try await ask(cache, "France: capital?")
        #expect(similar.cacheability == .cache)
        guard case .tier(name: "semantic-memory", let similarity?, _) = similar.source else {
            Issue.record("expected a semantic hit, got \(similar.source)")
            return
        }
        #expect(similarity > 0.99)
    }

    @Test func withoutThePolicyTheSameParaphraseIsASemanticHit() async throws {
        let cache = stack(policy: nil)
        _ = try await ask(cache, "What is the weather today?")
        let paraphrase = try await ask(cache, "Today: what is the weather?")
        #expect(paraphrase.isCacheHit && paraphrase.cacheability == .cache)
    }

    @Test func aTimeSensitiveAnswerLivesNoLongerThanTheSettingAndDoesNotSlide() async throws {
        var policy = DefaultCacheabilityPolicy()
        policy.timeSensitiveTTL = .seconds(60)
        let cache = stack(policy: policy)
        let options = CacheOptions(ttl: .seconds(600), expiration: .sliding)
        _ = try await ask(cache, "Who is playing tonight?", options: options)
        clock.advance(by: .seconds(50))
        #expect(try await ask(cache, "Who is playing tonight?", options: options).isCacheHit)
        clock.advance(by: .seconds(20))
        #expect(try await ask(cache, "Who is playing tonight?", options: options).source == .computed)
        #expect(model.callCount == 2)

        // A shorter TTL of the call's own stays.
        _ = try await ask(cache, "Who won last night?", options: CacheOptions(ttl: .seconds(10)))
        clock.advance(by: .seconds(11))
        #expect(try await ask(cache, "Who won last night?").source == .computed)
    }

    @Test func aPersonalQuestionIsNotCachedByDefaultAndExactlyPerUserWhenAsked() async throws {
        let cache = stack()
        let first = try await ask(cache, "Where is my order?")
        #expect(first.cacheability == .doNotCache(.init(.personal, trigger: "my order")))
        #expect(try await ask(cache, "Where is my order?").source == .computed)
        #expect(memory.count == 0 && semantic.count == 0)

        var perUser = DefaultCacheabilityPolicy()
        perUser.personal = .exactOnlyWithinPartition
        let partitioned = stack(policy: perUser)
        let alice = CacheOptions(partition: "alice")
        _ = try await ask(partitioned, "Where is my order?", options: alice)
        #expect(try await ask(partitioned, "Where is my order?", options: alice).isCacheHit)
        #expect(try await ask(partitioned, "Where is my order?", options: CacheOptions(partition: "bob")).source == .computed)
        #expect(try await ask(partitioned, "Where's my order?", options: alice).source == .computed, "no paraphrase")
        #expect(semantic.count == 0)
    }

    @Test func aPerCallDecisionWinsOverThePolicy() async throws {
        let cache = stack()
        let timeless = CacheOptions(cacheability: .cache)
        _ = try await ask(cache, "What is the weather today?", options: timeless)
        let paraphrase = try await ask(cache, "Today: what is the weather?", options: timeless)
        #expect(paraphrase.isCacheHit && paraphrase.cacheability == .cache)

        let never = CacheOptions(cacheability: .doNotCache(.init(.caller)))
        let calls = model.callCount
        _ = try await ask(cache, "Spell 'cat' backwards", options: never)
        let again = try await ask(cache, "Spell 'cat' backwards", options: never)
        #expect(again.source == .computed && again.cacheability == .doNotCache(.init(.caller)))
        #expect(model.callCount == calls + 2)
        #expect(try await ask(cache, "Spell 'cat' backwards").source == .computed, "nothing was stored")
    }

    struct NoMondays: CacheabilityPolicy {
        func decision(for input: CacheabilityInput) -> CacheabilityDecision {
            guard let text = input.text, text.lowercased().contains("monday") else { return .cache }
            return .exactOnly(CacheabilityReason(.init("mondays")), maxTTL: .seconds(5))
        }
    }

    @Test func aCustomPolicyReplacesTheDefaultRules() async throws {
        let cache = stack(policy: NoMondays())
        _ = try await ask(cache, "What is the weather today?")
        #expect(try await ask(cache, "Today: what is the weather?").isCacheHit, "the default rules are gone")
        let monday = try await ask(cache, "Plans for Monday?")
        #expect(monday.cacheability.reason?.kind.name == "mondays")
        #expect(try await ask(cache, "Monday plans?").source == .computed)
        #expect(cache.statistics.cacheability.byReason == ["mondays": 2])
    }

    /// The README's example: a policy that adds a rule and keeps the default ones.
    struct SupportPolicy: CacheabilityPolicy {
        let rules = DefaultCacheabilityPolicy()
        func decision(for input: CacheabilityInput) -> CacheabilityDecision {
            if (input.request as? ChatRequest)?.model == "gpt-4o-realtime" {
                return .doNotCache(CacheabilityReason(.init("realtime-model")))
            }
            return rules.decision(for: input)
        }
    }

    @Test func aCustomPolicyCanWrapTheDefaultOne() async throws {
        let cache = stack(policy: SupportPolicy())
        let realtime = try await cache.response(
            for: chat("What is the capital of France?", model: "gpt-4o-realtime"), compute: model.answer)
        #expect(realtime.cacheability.reason?.kind.name == "realtime-model")
        #expect(try await ask(cache, "What is the weather today?").cacheability.reason?.kind == .timeSensitive)
        #expect(try await ask(cache, "What is the capital of France?").cacheability == .cache)
    }

    @Test func concurrentExactOnlyRequestsShareOneModelCallUncachedOnesDoNot() async throws {
        let gated = GatedModel()
        let cache = stack()
        func burst(_ prompt: String, _ count: Int) async throws -> [CacheResult<String>] {
            let before = cache.statistics.requests
            return try await withThrowingTaskGroup(of: CacheResult<String>.self) { group in
                for _ in 0..<count { group.addTask { try await cache.response(for: prompt, compute: gated.answer) } }
                await eventually { cache.statistics.requests == before + count }
                gated.release()
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let timely = try await burst("Who is on stage tonight?", 10)
        #expect(gated.callCount == 1, "one flight for the exact-only request")
        #expect(timely.filter { $0.source == .computed }.count == 1)
        #expect(timely.allSatisfy { $0.cacheability.reason?.kind == .timeSensitive })
        let personal = try await burst("What is my balance?", 5)
        #expect(gated.callCount == 6, "a request that is not cached shares nothing")
        #expect(personal.allSatisfy { $0.source == .computed })
    }

    @Test func decisionsAreCountedInTheStatistics() async throws {
        let cache = stack()
        _ = try await ask(cache, "What is the weather today?")
        _ = try await ask(cache, "What is the weather today?")
        _ = try await ask(cache, "Where is my order?")
        _ = try await ask(cache, "What is the capital of France?")
        _ = try await ask(cache, "Hello", options: CacheOptions(cacheability: .exactOnly(.init(.caller))))
        let stats = cache.statistics
        #expect(stats.requests == 5)
        #expect(stats.cacheability.exactOnly == 3 && stats.cacheability.doNotCache == 1)
        #expect(stats.cacheability.byReason == ["time-sensitive": 2, "personal": 1, "caller": 1])
        #expect(stats.description.contains("cacheability policy: exact only 3, not cached 1"))
    }

    @Test func streamedRequestsFollowTheSameDecision() async throws {
        let streams = FixedStreamModel()
        let cache = stack()
        let first = await cache.streamResponse(for: "Is it raining right now?", compute: streams.stream)
        #expect(first.cacheability.reason?.kind == .timeSensitive)
        _ = await collect(first.value)
        await cache.waitForPendingStores()
        #expect(semantic.count == 0)
        let paraphrase = await cache.streamResponse(for: "Right now, is it raining?", compute: streams.stream)
        #expect(paraphrase.source == .computed)
        _ = await collect(paraphrase.value)
        let repeated = await cache.streamResponse(for: "Is it raining right now?", compute: streams.stream)
        guard case .tier(name: "memory", similarity: nil, _) = repeated.source else {
            Issue.record("expected an exact hit, got \(repeated.source)")
            return
        }
        #expect(await collect(repeated.value).0 == streams.chunks)

        let personal = await cache.streamResponse(for: "What is my balance?", compute: streams.stream)
        #expect(personal.cacheability.reason?.kind == .personal)
        _ = await collect(personal.value)
        #expect(await cache.streamResponse(for: "What is my balance?", compute: streams.stream).source == .computed)
    }
}
