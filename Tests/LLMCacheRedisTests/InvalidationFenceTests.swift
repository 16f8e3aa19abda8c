import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Synchronization
import Testing

/// A model call that started before an invalidation never stores its answer
/// afterwards: not in this process's tiers, not in Redis, so not for another
/// process either. The model is gated so that the invalidation lands while
/// it runs, without sleeps.
@Suite("Invalidation fences")
struct InvalidationFenceTests {
    /// Two processes' worth of stacks on one namespace: memory, exact and
    /// vector-set tiers each, with their own clients.
    private struct Processes {
        let stack: CacheStack
        let tiers: [any CacheTier]
        let namespace: RedisNamespace
        let otherStack: CacheStack
        let otherNamespace: RedisNamespace
    }

    private func withProcesses(_ body: (Processes) async throws -> Void) async throws {
        let name = uniqueNamespace("fence")
        let url = try TestServers.url()
        func tiers(_ namespace: RedisNamespace) throws -> [any CacheTier] {
            let memory = MemoryTier(maxEntries: 100)
            namespace.propagateInvalidations(to: memory)
            return [
                memory, RedisExactTier(namespace: namespace),
                try RedisSemanticTier(
                    namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 32),
                    configuration: .init(threshold: 0.9, backend: .vectorSet)),
            ]
        }
        try await withRedisClient(try RedisConfiguration(url: url)) { client in
            try await withRedisClient(try RedisConfiguration(url: url)) { otherClient in
                let namespace = try await RedisNamespace(name: name, client: client)
                let otherNamespace = try await RedisNamespace(name: name, client: otherClient)
                let mine = try tiers(namespace)
                let processes = Processes(
                    stack: CacheStack(tiers: mine, versionSource: namespace), tiers: mine, namespace: namespace,
                    otherStack: CacheStack(tiers: try tiers(otherNamespace), versionSource: otherNamespace),
                    otherNamespace: otherNamespace)
                do {
                    try await body(processes)
                } catch {
                    await namespace.shutdown()
                    await otherNamespace.shutdown()
                    throw error
                }
                await namespace.shutdown()
                await otherNamespace.shutdown()
            }
        }
    }

    /// Starts a call whose model waits at `gate`; returns once the model runs.
    private func startGatedCall(
        _ stack: CacheStack, _ prompt: String, tags: Set<String>, gate: TestGate, answer: String
    ) async -> Task<CacheResult<String>, any Error> {
        let started = TestGate()
        let task = Task {
            try await stack.response(for: prompt, options: CacheOptions(tags: tags)) { _ in
                started.open()
                await gate.wait()
                return answer
            }
        }
        await started.wait()
        return task
    }

    /// Every tier of both processes misses `prompt`.
    private func expectGone(_ prompt: String, in processes: Processes) async throws {
        let query = CacheQuery(request: prompt, namespaceVersion: processes.namespace.current)
        for tier in processes.tiers {
            #expect(try await tier.lookup(query) == nil, "\(tier.name) still has the stale answer")
        }
        let other = try await processes.otherStack.response(for: prompt) { _ in "fresh" }
        #expect(other.source == .computed, "the other process was served a stale answer")
    }

    @Test func anAnswerComputedAcrossAnInvalidationOfItsTagIsNotStored() async throws {
        try await withProcesses { processes in
            let gate = TestGate()
            let call = await startGatedCall(processes.stack, "What is our refund policy?", tags: ["policy"], gate: gate, answer: "stale")
            try await processes.stack.invalidate(tags: ["policy"])
            gate.open()
            #expect(try await call.value.value == "stale", "the caller still gets its answer")
            await processes.stack.waitForPendingStores()
            try await expectGone("What is our refund policy?", in: processes)
        }
    }

    @Test func anInvalidationByAnotherProcessFencesToo() async throws {
        try await withProcesses { processes in
            let gate = TestGate()
            let call = await startGatedCall(processes.stack, "Who is on call?", tags: ["roster"], gate: gate, answer: "stale")
            try await processes.otherStack.invalidate(tags: ["roster"])
            gate.open()
            _ = try await call.value
            await processes.stack.waitForPendingStores()
            try await expectGone("Who is on call?", in: processes)
        }
    }

    @Test func anInvalidationOfAnotherTagDoesNotFence() async throws {
        try await withProcesses { processes in
            let gate = TestGate()
            let call = await startGatedCall(processes.stack, "Opening hours?", tags: ["hours"], gate: gate, answer: "9 to 5")
            try await processes.stack.invalidate(tags: ["prices"])
            gate.open()
            _ = try await call.value
            await processes.stack.waitForPendingStores()
            let other = try await processes.otherStack.response(for: "Opening hours?") { _ in "recomputed" }
            #expect(other.value == "9 to 5")
        }
    }

    @Test func anAnswerComputedAcrossAVersionBumpIsNotServed() async throws {
        try await withProcesses { processes in
            let gate = TestGate()
            let call = await startGatedCall(processes.stack, "Current prices?", tags: [], gate: gate, answer: "old prices")
            let version = try await processes.stack.bumpVersion()
            gate.open()
            _ = try await call.value
            await processes.stack.waitForPendingStores()
            let heard = try await waitUntil(.seconds(10)) { processes.otherNamespace.current == version }
            #expect(heard != nil, "the other process hears of the bump")
            try await expectGone("Current prices?", in: processes)
            let again = try await processes.stack.response(for: "Current prices?") { _ in "new prices" }
            #expect(again.value != "old prices")
        }
    }

    @Test func aFlushFencesAnswersComputedBeforeIt() async throws {
        try await withProcesses { processes in
            let gate = TestGate()
            let call = await startGatedCall(processes.stack, "Weather?", tags: [], gate: gate, answer: "rain")
            try await processes.stack.removeAll()
            gate.open()
            _ = try await call.value
            await processes.stack.waitForPendingStores()
            try await expectGone("Weather?", in: processes)
        }
    }

    /// Callers with other tags do not share a model call (documented); each
    /// answer is stored with its caller's tags, and invalidating either
    /// caller's tags removes the answer from every tier.
    @Test func aCallerWithOtherTagsKeepsItsTagsOnTheSharedKey() async throws {
        try await withProcesses { processes in
            let gate = TestGate()
            let first = await startGatedCall(processes.stack, "Shipping times?", tags: ["a"], gate: gate, answer: "first")
            let second = await startGatedCall(processes.stack, "Shipping times?", tags: ["b"], gate: gate, answer: "second")
            gate.open()
            #expect(try await first.value.source == .computed)
            #expect(try await second.value.source == .computed, "other tags: not coalesced")
            await processes.stack.waitForPendingStores()
            try await processes.stack.invalidate(tags: ["b"])
            try await expectGone("Shipping times?", in: processes)
        }
    }

    @Test func theInvalidationMessageIsPublishedByTheScriptThatDeletes() async throws {
        try await withProcesses { processes in
            let memory = MemoryTier(maxEntries: 10)
            processes.otherNamespace.propagateInvalidations(to: memory)
            memory.store(
                CacheEntry(value: Array("x".utf8), createdAt: SystemCacheClock().now, tags: ["t"]),
                for: CacheQuery(request: "x"))
            // The namespace's own invalidate has no separate PUBLISH any more:
            // the other process hears it all the same.
            _ = try await RedisExactTier(namespace: processes.namespace).invalidate(tags: ["t"])
            #expect(try await waitUntil(.seconds(10)) { memory.count == 0 } != nil)
        }
    }
}

/// A tier of a user's own follows other processes' invalidations.
@Suite("Following invalidations")
struct FollowingTests {
    /// Records what it was told, in order.
    final class RecordingTier: CacheTier {
        let name = "recording"
        let matching: TierMatching = .exact
        let events = Mutex<[String]>([])

        func lookup(_ query: CacheQuery) -> CacheHit? { nil }
        func store(_ entry: CacheEntry, for query: CacheQuery) {}
        func invalidate(tags: Set<String>) async -> Int {
            events.withLock { $0.append("tags \(tags.sorted())") }
            return 0
        }
        func removeAll() async { events.withLock { $0.append("cleared") } }
        func namespaceVersionDidChange(to version: UInt64) {}
    }

    @Test(arguments: TestServers.plain)
    func anyTierHearsInvalidationsAndFlushesInOrder(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let tier = RecordingTier()
            namespace.propagateInvalidations(to: tier)
            let other = try await RedisNamespace(name: namespace.keyspace.namespace, client: client)
            _ = try await RedisExactTier(namespace: other).invalidate(tags: ["a", "b"])
            try await other.removeAllEntries()
            _ = try await RedisExactTier(namespace: other).invalidate(tags: ["c"])
            let heard = try await waitUntil(.seconds(10)) { tier.events.withLock { $0.count } == 3 }
            #expect(heard != nil)
            #expect(tier.events.withLock { $0 } == ["tags [\"a\", \"b\"]", "cleared", "tags [\"c\"]"])
            await other.shutdown()
        }
    }

    @Test(arguments: TestServers.plain)
    func theEchoOfItsOwnFlushDoesNotClearWhatAProcessStoredSince(server: String) async throws {
        try await withNamespace(url: try TestServers.url(server)) { client, namespace in
            let memory = MemoryTier(maxEntries: 10)
            let recorder = RecordingTier()
            namespace.propagateInvalidations(to: memory)
            namespace.propagateInvalidations(to: recorder)
            let stack = CacheStack(tiers: [memory, RedisExactTier(namespace: namespace)], versionSource: namespace)
            try await stack.removeAll()
            #expect(try await stack.response(for: "question") { _ in "answer" }.source == .computed)
            // Messages on the channel arrive in order: once another process's
            // invalidation is heard, the flush's echo has been handled too.
            let other = try await RedisNamespace(name: namespace.keyspace.namespace, client: client)
            _ = try await RedisExactTier(namespace: other).invalidate(tags: ["marker"])
            let heard = try await waitUntil(.seconds(10)) {
                recorder.events.withLock { $0.contains("tags [\"marker\"]") }
            }
            #expect(heard != nil)
            #expect(memory.count == 1, "the echo of the earlier flush did not clear the fresh answer")
            #expect(try await stack.response(for: "question") { _ in "again" }.value == "answer")
            await other.shutdown()
        }
    }
}
