import LLMCache
import LLMCacheTesting
import Testing

@Suite("Semantic guard")
struct SemanticGuardTests {
    let guardRule = NumberAndNegationGuard()

    @Test(arguments: [
        ("what is 15% of 80", "what is 25% of 80", false),
        ("what is 15% of 80", "what's 15 % of 80?", true),
        ("convert 1,000 km to miles", "how many miles is 1000 km", true),
        ("price at 0.50 dollars", "price at 0.5 dollars", true),
        ("is 7 greater than 3", "is 3 greater than 7", false),
        ("python 3.11 release notes", "python 3.12 release notes", false),
        ("is it safe to eat raw eggs", "is it not safe to eat raw eggs", false),
        ("why can't I log in", "why can I log in", false),
        ("why can’t I log in", "why cannot I log in", true),
        ("is this never not true", "is this true", true),
        ("how do I reset my password", "password reset steps", true),
    ])
    func vetoesDifferentNumbersAndNegations(query: String, candidate: String, allowed: Bool) async {
        #expect(await guardRule.allows(query: query, candidate: candidate, similarity: 0.97) == allowed)
    }

    @Test func memorySemanticTierAsksTheGuard() async throws {
        let embedder = DeterministicTestEmbedder()
        let vetoing = MemorySemanticTier(embedder: embedder, threshold: 0.5)
        let trusting = MemorySemanticTier(embedder: embedder, configuration: .init(threshold: 0.5, matchGuard: nil))
        let entry = CacheEntry(value: Array("12".utf8), createdAt: CacheTime(millisecondsSince1970: 0))
        for tier in [vetoing, trusting] {
            try await tier.store(entry, for: CacheQuery(request: "what is 15% of 80"))
        }
        #expect(try await vetoing.lookup(CacheQuery(request: "what is 25% of 80")) == nil)
        #expect(try await trusting.lookup(CacheQuery(request: "what is 25% of 80")) != nil)
    }
}
