import LLMCache
import LLMCacheTesting
import Synchronization
import Testing

/// Tiers outside the process are written after the caller has its answer,
/// with a bound on writes in progress; answers the model did not finish are
/// not stored unless the caller asks.
@Suite("Write-behind and unfinished answers")
struct WriteBehindTests {
    /// A remote-looking tier whose stores wait at a gate.
    final class StalledTier: CacheTier {
        let name = "stalled"
        let matching: TierMatching = .exact
        let gate = TestGate()
        let stores = SharedCounter()

        func lookup(_ query: CacheQuery) -> CacheHit? { nil }
        func store(_ entry: CacheEntry, for query: CacheQuery) async {
            await gate.wait()
            stores.increment()
        }
        func invalidate(tags: Set<String>) -> Int { 0 }
        func removeAll() {}
        func namespaceVersionDidChange(to version: UInt64) {}
    }

    @Test func callersDoNotWaitForSlowStoresAndTheBacklogIsBounded() async throws {
        let clock = ManualCacheClock()
        let stalled = StalledTier()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        var configuration = CacheStack.Configuration()
        configuration.maxPendingStores = 2
        let stack = CacheStack(tiers: [memory, stalled], configuration: configuration, clock: clock)
        for index in 0..<5 {
            let result = try await stack.response(for: "question \(index)") { "answer to \($0)" }
            #expect(result.source == .computed)
        }
        #expect(memory.count == 5, "in-process tiers are written before the answer returns")
        #expect(stack.statistics.droppedStores == 3)
        stalled.gate.open()
        await stack.waitForPendingStores()
        #expect(stalled.stores.value == 2)
    }

    @Test func anAnswerCutShortIsNotStoredUnlessAskedFor() async throws {
        let clock = ManualCacheClock()
        let memory = MemoryTier(maxEntries: 10, clock: clock)
        let stack = CacheStack(tiers: [memory], clock: clock)
        func cutShort(_ request: ChatRequest) -> ChatResponse {
            ChatResponse(
                id: "r", model: request.model, created: 0,
                choices: [.init(message: .assistant("The answer is"), finishReason: "length")], usage: nil)
        }
        let request = chat("Explain everything")
        _ = try await stack.response(for: request, compute: cutShort)
        #expect(memory.count == 0)
        #expect(stack.statistics.incompleteAnswers == 1)
        _ = try await stack.response(for: request, options: CacheOptions(storeIncompleteAnswers: true), compute: cutShort)
        #expect(memory.count == 1)
        let filtered = ChatResponse(
            id: "r", model: "m", created: 0, choices: [.init(message: .assistant(""), finishReason: "content_filter")], usage: nil)
        #expect(filtered.incompleteReason == "content_filter")
    }

    @Test func outputLimitsArePartOfTheSemanticScope() {
        func scope(_ request: ChatRequest) -> CacheKey { CacheQuery(request: request).scope }
        let base = chat("Summarise the report")
        var longer = base
        longer.maxTokens = 2000
        var stopped = base
        stopped.stop = ["\n"]
        var several = base
        several.n = 3
        var probabilities = base
        probabilities.logprobs = true
        let scopes = [base, longer, stopped, several, probabilities].map(scope)
        #expect(Set(scopes).count == scopes.count)
        var one = base
        one.n = 1
        #expect(scope(one) == scope(base), "the API default changes nothing")
        #expect(CacheQuery(request: one).key == CacheQuery(request: base).key)
    }
}
