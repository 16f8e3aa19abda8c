import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// A sliding entry lives as long as it keeps being read, in every Redis tier:
/// its stored expiry moves with each hit (not only the key's TTL), and its
/// tag sets and index records move with it, so invalidating its tag still
/// removes it. Time is a manual clock; Redis keys get real TTLs of 10 s,
/// which a test never waits out.
@Suite("Sliding expiry in Redis")
struct SlidingExpiryTests {
    /// Which tier a case exercises: the exact tier, or a semantic backend.
    enum Case: CustomStringConvertible, CaseIterable {
        case exact, vectorSet, search, lsh

        var description: String {
            switch self {
            case .exact: "exact"
            case .vectorSet: "vector sets"
            case .search: "RediSearch"
            case .lsh: "LSH"
            }
        }

        var backend: RedisSemanticTier.Backend? {
            switch self {
            case .exact: nil
            case .vectorSet: .vectorSet
            case .search: .search
            case .lsh: .lsh
            }
        }
    }

    /// A stack of one Redis tier for `kind`, on a manual clock.
    private func withStack(
        _ kind: Case, clock: ManualCacheClock, _ body: (CacheStack, RedisNamespace) async throws -> Void
    ) async throws {
        if let backend = kind.backend {
            try await withSemanticTier(backend, clock: clock) { tier, _, namespace in
                try await body(CacheStack(tiers: [tier], versionSource: namespace, clock: clock), namespace)
            }
        } else {
            try await withNamespace { _, namespace in
                let tier = RedisExactTier(namespace: namespace, clock: clock)
                try await body(CacheStack(tiers: [tier], versionSource: namespace, clock: clock), namespace)
            }
        }
    }

    private let sliding = CacheOptions(ttl: .seconds(10), expiration: .sliding, tags: ["faq"])

    private func ask(_ stack: CacheStack, _ model: CallCounter, options: CacheOptions) async throws -> Bool {
        let result = try await stack.response(for: "How do I reset my password?", options: options) { prompt in
            model.increment()
            return "Use the reset link. (\(prompt))"
        }
        await stack.waitForPendingStores()
        return result.isCacheHit
    }

    @Test(arguments: Case.allCases)
    func aTouchedEntryOutlivesItsOriginalExpiry(kind: Case) async throws {
        let clock = ManualCacheClock()
        try await withStack(kind, clock: clock) { (stack: CacheStack, _: RedisNamespace) async throws in
            let model = CallCounter()
            #expect(try await ask(stack, model, options: sliding) == false)
            clock.advance(by: .seconds(8))
            #expect(try await ask(stack, model, options: sliding), "touch at 8 s")
            clock.advance(by: .seconds(7))
            #expect(try await ask(stack, model, options: sliding), "15 s: past the original expiry, within the slid one")
            clock.advance(by: .seconds(11))
            #expect(try await ask(stack, model, options: sliding) == false, "26 s: 11 s without a touch")
            #expect(model.value == 2)
        }
    }

    @Test(arguments: Case.allCases)
    func invalidatingTheTagOfASlidEntryRemovesIt(kind: Case) async throws {
        let clock = ManualCacheClock()
        try await withStack(kind, clock: clock) { (stack: CacheStack, _: RedisNamespace) async throws in
            let model = CallCounter()
            _ = try await ask(stack, model, options: sliding)
            clock.advance(by: .seconds(8))
            #expect(try await ask(stack, model, options: sliding))
            clock.advance(by: .seconds(7))
            #expect(try await stack.invalidate(tags: ["faq"]) >= 1)
            #expect(try await ask(stack, model, options: sliding) == false)
        }
    }

    @Test func aSlidingHitExtendsItsTagSetInRedis() async throws {
        try await withNamespace { client, namespace in
            let clock = ManualCacheClock()
            let tier = RedisExactTier(namespace: namespace, clock: clock)
            let stack = CacheStack(tiers: [tier], versionSource: namespace, clock: clock)
            let options = CacheOptions(ttl: .seconds(10), expiration: .sliding, tags: ["faq"])
            _ = try await stack.response(for: "question", options: options) { _ in "answer" }
            await stack.waitForPendingStores()
            let tagKey = namespace.keyspace.groups[0].tagKey("faq")
            // Age the tag set as if most of its life had passed (Redis counts
            // real time: 4 s leaves a loaded machine room to reach the hit).
            _ = try await client.execute(RedisCommand("PEXPIRE", tagKey, 4_000))
            clock.advance(by: .seconds(8))
            #expect(try await stack.response(for: "question", options: options) { _ in "again" }.isCacheHit)
            let left = try #require(try await client.execute(RedisCommand("PTTL", tagKey)).int)
            #expect(left > 6_000, "the tag set must live as long as the slid entry")
        }
    }
}
