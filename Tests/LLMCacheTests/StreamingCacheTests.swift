import LLMCache
import LLMCacheTesting
import Testing

@Suite("Streaming through the cache")
struct StreamingCacheTests {
    struct Boom: Error, Equatable {}

    let clock = ManualCacheClock()

    private func stack(_ tiers: [any CacheTier]) -> CacheStack {
        CacheStack(tiers: tiers, configuration: .init(defaultTTL: .seconds(3600)), clock: clock)
    }

    @Test func aMissStreamsAndStoresAndAHitReplaysIdenticalChunks() async throws {
        let model = FixedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let slow = MemoryTier(name: "slow", configuration: .init(ttl: nil), clock: clock)
        let cache = stack([memory, slow])
        let ask = cache.wrapStream(model.stream)

        let (first, firstError) = await collect(ask("capital?"))
        #expect(firstError == nil)
        #expect(first == model.chunks)
        let (second, secondError) = await collect(ask("capital?"))
        #expect(secondError == nil)
        #expect(second == first)
        #expect(model.callCount == 1)
        #expect(memory.count == 1 && slow.count == 1)

        // A hit in the slower tier is promoted like any other answer.
        memory.removeAll()
        let third = await cache.streamResponse(for: "capital?", compute: model.stream)
        #expect(third.source == .tier(name: "slow", similarity: nil, matchedText: nil))
        #expect(await collect(third.value).0 == first)
        #expect(memory.count == 1)
        let fourth = await cache.streamResponse(for: "capital?", compute: model.stream)
        #expect(fourth.source == .tier(name: "memory", similarity: nil, matchedText: nil))
        #expect(await collect(fourth.value).0 == first)
        let stats = cache.statistics
        #expect(stats.requests == 4 && stats.computed == 1 && stats.hits == 3)
        #expect(model.callCount == 1)
    }

    @Test func aHitReportsTheTokensTheStreamCost() async throws {
        let cache = stack([MemoryTier(maxEntries: 100, clock: clock)])
        let chunks = [UsageChunk(text: "Hi"), UsageChunk(text: "!"), UsageChunk(text: "", usage: .init(promptTokens: 5, completionTokens: 2))]
        let ask = cache.wrapStream { (_: String) in
            AsyncThrowingStream<UsageChunk, any Error> { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish()
            }
        }
        #expect(await collect(ask("hello")).0 == chunks)
        #expect(await collect(ask("hello")).0 == chunks)
        #expect(cache.statistics.tokensSaved == 7)
    }

    @Test func aFailedStreamDeliversItsChunksThenTheErrorAndIsNotStored() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let result = await cache.streamResponse(for: "fails", compute: model.stream)
        #expect(result.source == .computed)
        await eventually { model.callCount == 1 }
        model.send("a", "b")
        model.finish(throwing: Boom())
        let (chunks, error) = await collect(result.value)
        #expect(chunks == ["a", "b"])
        #expect(error as? Boom == Boom())
        await settle()
        #expect(memory.count == 0)
        #expect(cache.statistics.computeFailures == 1)

        // The next request calls the model again.
        let retry = await cache.streamResponse(for: "fails", compute: model.stream)
        #expect(retry.source == .computed)
        await eventually { model.callCount == 2 }
        model.send("ok")
        model.finish()
        #expect(await collect(retry.value).0 == ["ok"])
        await eventually { memory.count == 1 }
    }

    @Test func aCancelledConsumerAbortsTheModelCallAndNothingIsStored() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let ask = cache.wrapStream(model.stream)
        let (seen, signal) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            var count = 0
            for try await _ in ask("cancel me") {
                count += 1
                signal.yield()
            }
            return count
        }
        await eventually { model.callCount == 1 }
        model.send("a")
        var signals = seen.makeAsyncIterator()
        _ = await signals.next()
        consumer.cancel()
        _ = await consumer.result
        await eventually { model.cancelledCount == 1 }
        // Whatever the model would still have said, the stream was not completed.
        model.send("b")
        model.finish()
        await settle()
        #expect(memory.count == 0)
        #expect(cache.statistics.computeFailures == 0, "a cancellation is not a model failure")

        let again = await cache.streamResponse(for: "cancel me", compute: model.stream)
        #expect(again.source == .computed)
        await eventually { model.callCount == 2 }
    }

    @Test func droppingAStreamUnreadToTheEndAbortsTheModelCall() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        do {
            let result = await cache.streamResponse(for: "drop me", compute: model.stream)
            var iterator = result.value.makeAsyncIterator()
            await eventually { model.callCount == 1 }
            model.send("a")
            #expect(try await iterator.next() == "a")
        }
        await eventually { model.cancelledCount == 1 }
        model.finish()
        await settle()
        #expect(memory.count == 0)
    }

    @Test func concurrentIdenticalStreamsShareOneModelCall() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let results = try await withThrowingTaskGroup(of: (CacheResult<[String]>.Source, [String]).self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let result = await cache.streamResponse(for: "same", compute: model.stream)
                    var chunks: [String] = []
                    for try await chunk in result.value { chunks.append(chunk) }
                    return (result.source == .computed ? .computed : .coalesced, chunks)
                }
            }
            await eventually { cache.statistics.coalesced == 19 && model.callCount == 1 }
            model.send("one", " two")
            model.send(" three")
            model.finish()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(model.callCount == 1)
        #expect(results.allSatisfy { $0.1 == ["one", " two", " three"] })
        #expect(results.filter { $0.0 == .computed }.count == 1)
        await eventually { memory.count == 1 }
        let later = await cache.streamResponse(for: "same", compute: model.stream)
        #expect(later.isCacheHit)
        #expect(await collect(later.value).0 == ["one", " two", " three"])
    }

    @Test func aLateFollowerReceivesEveryChunkFromTheFirst() async throws {
        let model = ScriptedStreamModel()
        let cache = stack([MemoryTier(maxEntries: 100, clock: clock)])
        let leader = await cache.streamResponse(for: "late", compute: model.stream)
        var leading = leader.value.makeAsyncIterator()
        await eventually { model.callCount == 1 }
        model.send("a", "b")
        #expect(try await leading.next() == "a")
        #expect(try await leading.next() == "b")

        let follower = await cache.streamResponse(for: "late", compute: model.stream)
        #expect(follower.source == .coalesced)
        var following = follower.value.makeAsyncIterator()
        #expect(try await following.next() == "a", "replayed from the start")
        model.send("c")
        model.finish()
        #expect(try await leading.next() == "c")
        #expect(try await leading.next() == nil)
        #expect(try await following.next() == "b")
        #expect(try await following.next() == "c")
        #expect(try await following.next() == nil)
        #expect(model.callCount == 1)
    }

    @Test func whenTheLeaderCancelsAFollowerKeepsTheStreamAndItIsStored() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let (seen, signal) = AsyncStream<Void>.makeStream()
        let leader = Task {
            let result = await cache.streamResponse(for: "shared", compute: model.stream)
            for try await _ in result.value { signal.yield() }
        }
        await eventually { model.callCount == 1 }
        let follower = await cache.streamResponse(for: "shared", compute: model.stream)
        #expect(follower.source == .coalesced)
        model.send("a")
        var signals = seen.makeAsyncIterator()
        _ = await signals.next()
        leader.cancel()
        _ = await leader.result
        model.send("b")
        model.finish()
        let (chunks, error) = await collect(follower.value)
        #expect(chunks == ["a", "b"] && error == nil)
        #expect(model.cancelledCount == 0, "the model call went on for the follower")
        await eventually { memory.count == 1 }
        let hit = await cache.streamResponse(for: "shared", compute: model.stream)
        #expect(hit.isCacheHit)
        #expect(await collect(hit.value).0 == ["a", "b"])
    }

    @Test func everySubscriberGetsTheErrorAfterTheChunks() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let leader = await cache.streamResponse(for: "both fail", compute: model.stream)
        await eventually { model.callCount == 1 }
        let follower = await cache.streamResponse(for: "both fail", compute: model.stream)
        model.send("a")
        model.finish(throwing: Boom())
        for result in [leader, follower] {
            let (chunks, error) = await collect(result.value)
            #expect(chunks == ["a"])
            #expect(error as? Boom == Boom())
        }
        await settle()
        #expect(memory.count == 0)
        #expect(cache.statistics.computeFailures == 1)
    }

    @Test func fixedPacingPausesBetweenReplayedChunks() async throws {
        let model = FixedStreamModel(["a", "b", "c"])
        let sleeper = RecordingClock()
        let cache = stack([MemoryTier(maxEntries: 100, clock: clock)])
        let paced = StreamCaching(pacing: .fixed(.milliseconds(40)), clock: sleeper)
        let ask = cache.wrapStream(caching: paced, model.stream)
        #expect(await collect(ask("q")).0 == ["a", "b", "c"])
        #expect(sleeper.sleeps.isEmpty, "a miss streams at the model's pace")
        #expect(await collect(ask("q")).0 == ["a", "b", "c"])
        #expect(sleeper.sleeps == [.milliseconds(40), .milliseconds(40)], "the first chunk comes at once")
        let unpaced = await cache.streamResponse(for: "q", caching: StreamCaching(clock: sleeper), compute: model.stream)
        #expect(await collect(unpaced.value).0 == ["a", "b", "c"])
        #expect(sleeper.sleeps.count == 2)
    }

    @Test func recordedPacingReplaysTheModelsRhythm() async throws {
        let model = FixedStreamModel(["a", "b", "c"])
        let tier = CapturingTier(clock: clock)
        let cache = stack([tier])
        _ = await collect(cache.streamResponse(for: "rhythm", compute: model.stream).value)
        await cache.waitForPendingStores()
        let query = try #require(tier.storedQuery)
        let stored = try #require(tier.inner.lookup(query)).entry
        var recording = try RecordedStream<String>(cacheEncoded: stored.value)
        #expect(recording.chunks == ["a", "b", "c"])
        recording.intervals = [.seconds(1), .seconds(2), .seconds(4)]
        var rewritten = stored
        rewritten.value = try recording.cacheEncoded()
        tier.inner.store(rewritten, for: query)

        let sleeper = RecordingClock()
        let twiceAsFast = StreamCaching(pacing: .recorded(speed: 2), clock: sleeper)
        let replay = await cache.streamResponse(for: "rhythm", caching: twiceAsFast, compute: model.stream)
        #expect(await collect(replay.value).0 == ["a", "b", "c"])
        #expect(sleeper.sleeps == [.seconds(1), .seconds(2)])
        let nonsense = StreamCaching(pacing: .recorded(speed: 0), clock: sleeper)
        _ = await collect(cache.streamResponse(for: "rhythm", caching: nonsense, compute: model.stream).value)
        #expect(sleeper.sleeps.count == 2, "a speed of zero replays unpaced")
        #expect(model.callCount == 1)
    }

    @Test func aStoredStreamThatDoesNotDecodeIsAMiss() async throws {
        let model = FixedStreamModel(["x", "y"])
        let tier = CapturingTier(clock: clock)
        let cache = stack([tier])
        _ = await collect(cache.streamResponse(for: "corrupt", compute: model.stream).value)
        await cache.waitForPendingStores()
        let query = try #require(tier.storedQuery)
        var broken = try #require(tier.inner.lookup(query)).entry
        broken.value = [1, 0xFF, 0xFF, 0xFF, 0xFF, 3]  // a record claiming far more bytes than follow
        tier.inner.store(broken, for: query)

        let result = await cache.streamResponse(for: "corrupt", compute: model.stream)
        #expect(result.source == .computed)
        #expect(await collect(result.value).0 == ["x", "y"])
        #expect(cache.statistics.tiers[0].decodeFailures == 1)
        await eventually { (try? tier.inner.lookup(query).map { try RecordedStream<String>(cacheEncoded: $0.entry.value) }) != nil }
        let healed = await cache.streamResponse(for: "corrupt", compute: model.stream)
        #expect(healed.isCacheHit)
        #expect(model.callCount == 2)
    }

    @Test func aStreamTooLargeToStoreIsStillDeliveredButNotStoredOrShared() async throws {
        let model = ScriptedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let small = StreamCaching(maxRecordedBytes: 24)
        let first = await cache.streamResponse(for: "long", caching: small, compute: model.stream)
        await eventually { model.callCount == 1 }
        model.send("0123456789", "0123456789")
        var iterator = first.value.makeAsyncIterator()
        #expect(try await iterator.next() == "0123456789")
        #expect(try await iterator.next() == "0123456789")
        // Past the limit nobody joins (that would need every chunk kept): a new
        // call, told not to store so that an entry could only be the first's.
        let second = await cache.streamResponse(
            for: "long", options: CacheOptions(skipStore: true), caching: small, compute: model.stream)
        #expect(second.source == .computed)
        await eventually { model.callCount == 2 }
        model.send("end")
        model.finish()
        #expect(try await iterator.next() == "end")
        #expect(try await iterator.next() == nil)
        #expect(await collect(second.value).0 == ["end"])
        await settle()
        #expect(memory.count == 0)
    }

    @Test func pastTheLimitChunksAreReleasedOnlyOnceEverySubscriberReadThem() async throws {
        let model = ScriptedStreamModel()
        let cache = stack([MemoryTier(maxEntries: 100, clock: clock)])
        let small = StreamCaching(maxRecordedBytes: 100)
        let leader = await cache.streamResponse(for: "big", caching: small, compute: model.stream)
        await eventually { model.callCount == 1 }
        let follower = await cache.streamResponse(for: "big", caching: small, compute: model.stream)
        #expect(follower.source == .coalesced)
        let chunks = (0..<500).map { "chunk \($0)" }
        var leading = leader.value.makeAsyncIterator()
        var following = follower.value.makeAsyncIterator()
        var followed: [String] = []
        for (index, chunk) in chunks.enumerated() {
            model.send(chunk)
            #expect(try await leading.next() == chunk)
            if index % 97 == 96 {  // the follower catches up in bursts, far behind the leader
                while followed.count <= index, let next = try await following.next() { followed.append(next) }
            }
        }
        model.finish()
        #expect(try await leading.next() == nil)
        while let next = try await following.next() { followed.append(next) }
        #expect(followed == chunks)
        #expect(model.callCount == 1)
    }

    @Test func streamedAndCompleteAnswersToOneRequestAreKeptApart() async throws {
        let model = FixedStreamModel(["streamed"])
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let whole = try await cache.response(for: "q") { _ in "complete" }
        let streamed = await cache.streamResponse(for: "q", compute: model.stream)
        #expect(whole.source == .computed && streamed.source == .computed)
        #expect(await collect(streamed.value).0 == ["streamed"])
        await eventually { memory.count == 2 }
        #expect(try await cache.response(for: "q") { _ in "again" }.value == "complete")
        #expect(await collect(cache.streamResponse(for: "q", compute: model.stream).value).0 == ["streamed"])
        #expect(model.callCount == 1)
    }

    @Test func aParaphraseReplaysTheStreamFromTheSemanticTier() async throws {
        let model = FixedStreamModel()
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let semantic = MemorySemanticTier(embedder: DeterministicTestEmbedder(), threshold: 0.9, clock: clock)
        let cache = stack([memory, semantic])
        _ = await collect(cache.streamResponse(for: "What is the capital of France?", compute: model.stream).value)
        let paraphrase = await cache.streamResponse(for: "capital of France", compute: model.stream)
        guard case .tier(let name, let similarity, let matched) = paraphrase.source else {
            Issue.record("expected a semantic hit, got \(paraphrase.source)")
            return
        }
        #expect(name == "semantic-memory" && (similarity ?? 0) >= 0.9)
        #expect(matched == "What is the capital of France?")
        #expect(await collect(paraphrase.value).0 == model.chunks)
        let promoted = await cache.streamResponse(for: "capital of France", compute: model.stream)
        #expect(promoted.source == .tier(name: "memory", similarity: nil, matchedText: "What is the capital of France?"))
        #expect(model.callCount == 1)
    }

    @Test func perCallOptionsApplyToStreams() async throws {
        let model = FixedStreamModel(["a"])
        let memory = MemoryTier(maxEntries: 100, clock: clock)
        let cache = stack([memory])
        let ask = cache.wrapStream(model.stream)
        _ = await withCacheOptions(CacheOptions(skipStore: true)) { await collect(ask("private")) }
        #expect(memory.count == 0)
        _ = await collect(ask("fresh"))
        await eventually { memory.count == 1 }
        let refreshed = await cache.streamResponse(
            for: "fresh", options: CacheOptions(bypassLookup: true), compute: model.stream)
        #expect(refreshed.source == .computed)
        _ = await collect(refreshed.value)
        #expect(model.callCount == 3)
        _ = await withCacheOptions(CacheOptions(tags: ["news"])) { await collect(ask("tagged")) }
        await eventually { memory.count == 2 }
        #expect(try await cache.invalidate(tags: ["news"]) == 1)
    }

    @Test func aRecordingSurvivesItsByteLayout() throws {
        let recording = RecordedStream(
            chunks: ["", "héllo", " wörld 🌍"], intervals: [.milliseconds(250), .microseconds(1500), .zero])
        let decoded = try RecordedStream<String>(cacheEncoded: recording.cacheEncoded())
        #expect(decoded == recording)
        #expect(try RecordedStream<String>(cacheEncoded: RecordedStream<String>(chunks: []).cacheEncoded()).chunks.isEmpty)
        #expect(throws: CacheError.self) { try RecordedStream<String>(cacheEncoded: [9]) }
        #expect(throws: CacheError.self) { try RecordedStream<String>(cacheEncoded: [1, 0, 0]) }
    }
}
