import LLMCache
import LLMCacheTesting
import Testing

/// The schedule the Redis tiers are held to, in the memory tiers: stored
/// sliding with 10 s, touched at 8 s, alive at 15 s, gone at 26 s untouched;
/// its tag still removes it at 15 s.
@Suite("Sliding expiry in memory")
struct SlidingMemoryTests {
    enum Kind: CaseIterable { case exact, semantic }

    private func stack(_ kind: Kind, clock: ManualCacheClock) -> CacheStack {
        switch kind {
        case .exact: CacheStack(tiers: [MemoryTier(maxEntries: 10, ttl: nil, clock: clock)], clock: clock)
        case .semantic:
            CacheStack(
                tiers: [MemorySemanticTier(embedder: DeterministicTestEmbedder(dimensions: 16), threshold: 0.9, clock: clock)],
                clock: clock)
        }
    }

    private let options = CacheOptions(ttl: .seconds(10), expiration: .sliding, tags: ["faq"])

    private func isHit(_ stack: CacheStack) async throws -> Bool {
        try await stack.response(for: "How do I reset my password?", options: options) { _ in "Use the link." }.isCacheHit
    }

    @Test(arguments: Kind.allCases)
    func aTouchedEntryOutlivesItsOriginalExpiry(kind: Kind) async throws {
        let clock = ManualCacheClock()
        let stack = stack(kind, clock: clock)
        #expect(try await isHit(stack) == false)
        clock.advance(by: .seconds(8))
        #expect(try await isHit(stack))
        clock.advance(by: .seconds(7))
        #expect(try await isHit(stack))
        clock.advance(by: .seconds(11))
        #expect(try await isHit(stack) == false)
    }

    @Test(arguments: Kind.allCases)
    func itsTagStillRemovesIt(kind: Kind) async throws {
        let clock = ManualCacheClock()
        let stack = stack(kind, clock: clock)
        _ = try await isHit(stack)
        clock.advance(by: .seconds(8))
        #expect(try await isHit(stack))
        clock.advance(by: .seconds(7))
        #expect(try await stack.invalidate(tags: ["faq"]) == 1)
        #expect(try await isHit(stack) == false)
    }
}
