import LLMCache
import LLMCacheTesting
import Synchronization
import Testing

/// In-process tiers fence their stores like the Redis ones: an answer whose
/// computation started before an invalidation of one of its tags (or a
/// flush) is refused.
@Suite("Store fences in memory")
struct StoreFenceTests {
    private let clock = ManualCacheClock()

    @Test func aMemoryTierRefusesAStoreAcrossAnInvalidationOfItsTag() {
        let tier = MemoryTier(maxEntries: 10, clock: clock)
        let mark = tier.invalidationMark()
        tier.invalidate(tags: ["docs"])
        #expect(tier.store(entry("a", clock: clock, tags: ["docs"]), for: query("a"), unlessInvalidatedSince: mark) == .invalidatedMeanwhile)
        #expect(tier.store(entry("b", clock: clock, tags: ["other"]), for: query("b"), unlessInvalidatedSince: mark) == .stored)
        let fresh = tier.invalidationMark()
        #expect(tier.store(entry("a", clock: clock, tags: ["docs"]), for: query("a"), unlessInvalidatedSince: fresh) == .stored)
        tier.removeAll()
        #expect(tier.store(entry("b", clock: clock), for: query("b"), unlessInvalidatedSince: fresh) == .invalidatedMeanwhile)
    }

    @Test func aMemorySemanticTierRefusesAStoreAcrossAnInvalidation() async throws {
        let tier = MemorySemanticTier(embedder: DeterministicTestEmbedder(dimensions: 16), threshold: 0.9, clock: clock)
        let mark = tier.invalidationMark()
        tier.invalidate(tags: ["docs"])
        let outcome = try await tier.store(
            entry("a", clock: clock, tags: ["docs"]), for: query("a"), unlessInvalidatedSince: mark)
        #expect(outcome == .invalidatedMeanwhile)
        #expect(tier.count == 0)
    }

    @Test func theStackDoesNotStoreAnAnswerInvalidatedWhileItWasComputed() async throws {
        let memory = MemoryTier(maxEntries: 10, clock: clock)
        let semantic = MemorySemanticTier(embedder: DeterministicTestEmbedder(dimensions: 16), threshold: 0.9, clock: clock)
        let stack = CacheStack(tiers: [memory, semantic], clock: clock)
        let gate = TestGate()
        let started = TestGate()
        let call = Task {
            try await stack.response(for: "question", options: CacheOptions(tags: ["docs"])) { _ in
                started.open()
                await gate.wait()
                return "stale"
            }
        }
        await started.wait()
        try await stack.invalidate(tags: ["docs"])
        gate.open()
        #expect(try await call.value.value == "stale")
        #expect(memory.count == 0 && semantic.count == 0)
        let next = try await stack.response(for: "question", options: CacheOptions(tags: ["docs"])) { _ in "fresh" }
        #expect(next.source == .computed && next.value == "fresh")
    }

    @Test func aReplacedEntryStaysFiledUnderTheTagsOfWhatItReplaced() {
        let tier = MemoryTier(maxEntries: 10, clock: clock)
        tier.store(entry("first", clock: clock, tags: ["a"]), for: query("q"))
        tier.store(entry("second", clock: clock, tags: ["b"]), for: query("q"))
        #expect(tier.invalidate(tags: ["a"]) == 1, "as a Redis tag set keeps a rewritten key")
        #expect(tier.lookup(query("q")) == nil)
    }

    @Test func callersWithOtherTagsDoNotShareAModelCall() async throws {
        let stack = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        let gate = TestGate()
        let calls = SharedCounter()
        func call(_ tags: Set<String>) -> Task<CacheResult<String>, any Error> {
            Task {
                try await stack.response(for: "q", options: CacheOptions(tags: tags)) { _ in
                    calls.increment()
                    await gate.wait()
                    return "answer"
                }
            }
        }
        let tasks = [call(["a"]), call(["a"]), call(["b"])]
        while calls.value < 2 { await Task.yield() }
        gate.open()
        let sources = try await tasks.asyncMap { try await $0.value.source }
        #expect(calls.value == 2)
        #expect(sources.filter { $0 == .coalesced }.count == 1)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
