import Foundation
import LLMCache
import LLMCacheGateway
import LLMCacheOpenAI
import LLMCacheRedis
import LLMCacheTesting
import Testing

@Suite("Caching gateway")
struct GatewayTests {
    @Test func aRepeatIsServedFromMemoryAndAParaphraseSemantically() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        let first = try await gateway.chat("capital city of France")
        #expect(first.status == 200 && first.header("Cache-Status") == "llmcache; fwd=miss; stored")
        #expect(first.header("X-LLMCache-Entry")?.hasPrefix("v0.") == true)
        let again = try await gateway.chat("capital city of France")
        #expect(again.header("Cache-Status") == "llmcache; hit; detail=memory" && again.body == first.body)
        let paraphrase = try await gateway.chat("France capital city")
        #expect(paraphrase.header("X-LLMCache-Tier") == "semantic-memory")
        #expect(paraphrase.header("X-LLMCache-Similarity") != nil && paraphrase.content == first.content)
        #expect(gateway.upstream.callCount == 1)
        // A field the typed request does not know keeps a body exact-only.
        _ = try await gateway.chat("capital city of Spain", extra: ["reasoning_effort": "high"])
        let unknown = try await gateway.chat("Spain capital city", extra: ["reasoning_effort": "high"])
        #expect(unknown.header("Cache-Status")?.contains("fwd=miss") == true)
    }

    @Test func aHitSaysHowOldItIsAndWhatItSaved() async throws {
        let clock = ManualCacheClock()
        let gateway = try await GatewayHarness(tiers: [MemoryTier(clock: clock)], clock: clock)
        defer { gateway.close() }
        let first = try await gateway.chat("how old is this answer")
        #expect(first.header("Age") == nil && first.header("X-LLMCache-Tokens-Saved") == nil)
        clock.advance(by: .seconds(90))
        let hit = try await gateway.chat("how old is this answer")
        #expect(hit.header("Age") == "90")
        #expect(hit.header("X-LLMCache-Tokens-Saved") == "15")
        #expect(hit.json?["usage"] as? [String: Int] == ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15])
    }

    @Test func callersControlTheCacheWithHeadersAndTheBody() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        _ = try await gateway.chat("capital city of France")
        let refreshed = try await gateway.chat("capital city of France", headers: [(name: "Cache-Control", value: "no-cache")])
        #expect(refreshed.header("Cache-Status")?.contains("fwd=miss") == true && gateway.upstream.callCount == 2)
        let literal = try await gateway.chat("France capital city", headers: [(name: "X-LLMCache-Semantic", value: "off")])
        #expect(literal.header("Cache-Status")?.contains("fwd=miss") == true)

        let unstored = try await gateway.chat("what is two plus two", extra: ["cache": ["no_store": true]])
        #expect(unstored.header("Cache-Status") == "llmcache; fwd=miss")
        #expect(gateway.upstream.lastRequest?["cache"] == nil, "the cache object is not forwarded")
        // Without one, the caller's bytes go upstream untouched (a 20-digit seed keeps every digit).
        let exact = Array(#"{"seed": 12345678901234567890123, "messages": [{"role": "user", "content": "q"}],  "model": "m"}"#.utf8)
        _ = try await gateway.post("/v1/chat/completions", body: exact)
        #expect(gateway.upstream.lastBytes == exact)
        #expect(try await gateway.chat("what is two plus two").header("Cache-Status")?.contains("fwd=miss") == true)
    }

    @Test func upstreamErrorsPassThroughAndAreNeverCached() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        for _ in 0..<2 {
            let failed = try await gateway.chat("anything", model: "fail")
            #expect(failed.status == 429 && failed.serverMessage == "slow down")
        }
        #expect(gateway.upstream.callCount == 2)
    }

    @Test func badInputGetsOpenAIStyleErrors() async throws {
        let gateway = try await GatewayHarness(maxBodyBytes: 4096)
        defer { gateway.close() }
        let malformed = try await gateway.post("/v1/chat/completions", body: Array("{\"model\": ".utf8))
        #expect(malformed.status == 400 && malformed.serverMessage?.contains("JSON") == true)
        let invalidUTF8 = try await gateway.post("/v1/chat/completions", body: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        #expect(invalidUTF8.status == 400)
        let huge = try await gateway.chat(String(repeating: "long question ", count: 1000))
        #expect(huge.status == 413 && huge.serverMessage != nil)
        let badControl = try await gateway.chat("q", extra: ["cache": ["ttl": "soon"]])
        #expect(badControl.status == 400)
        #expect(gateway.upstream.callCount == 0)
    }

    @Test func oneUpstreamCallServesAThousandIdenticalConcurrentRequests() async throws {
        let gateway = try await GatewayHarness(upstreamDelay: .milliseconds(500))
        defer { gateway.close() }
        let client = HTTPClient(configuration: .init(retryPolicy: .none, maxConcurrentTransfers: 128, maxQueuedRequests: 1000))
        let body = Array(#"{"model": "m", "messages": [{"role": "user", "content": "a popular question"}]}"#.utf8)
        let answers = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    let response = try await client.send(
                        LLMCacheOpenAI.HTTPRequest(
                            method: .post, url: "http://127.0.0.1:\(gateway.port)/v1/chat/completions",
                            headers: [(name: "Content-Type", value: "application/json")], body: body))
                    return (response.status, response.body)
                }
            }
            return try await group.reduce(into: [(Int, [UInt8])]()) { $0.append($1) }
        }
        #expect(answers.count == 1000 && answers.allSatisfy { $0.0 == 200 } && Set(answers.map(\.1)).count == 1)
        #expect(gateway.upstream.callCount == 1)
    }

    @Test func aCallerThatLeavesAStreamCancelsTheUpstreamCall() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        let body = Array(#"{"model": "slow", "stream": true, "messages": [{"role": "user", "content": "tell a long story"}]}"#.utf8)
        let (firstEvent, arrived) = AsyncStream<Void>.makeStream()
        let reader = Task {
            let stream = try await gateway.client.stream(
                LLMCacheOpenAI.HTTPRequest(
                    method: .post, url: "http://127.0.0.1:\(gateway.port)/v1/chat/completions",
                    headers: [(name: "Content-Type", value: "application/json")], body: body))
            for try await _ in stream.body { arrived.yield() }
        }
        for await _ in firstEvent { break }
        reader.cancel()
        // The fake streams for a minute unless its reader goes away.
        let deadline = ContinuousClock.now + .seconds(30)
        while gateway.upstream.abandonedStreams == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(gateway.upstream.abandonedStreams == 1)
        #expect(gateway.stack.statistics.tiers.allSatisfy { $0.stores == 0 }, "an abandoned stream is not stored")
    }

    @Test func callersWithDifferentKeysDoNotShareAnswers() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        let alice = try await gateway.chat("my question", headers: [(name: "Authorization", value: "Bearer alice")])
        let bob = try await gateway.chat("my question", headers: [(name: "Authorization", value: "Bearer bob")])
        #expect(alice.content != bob.content && gateway.upstream.callCount == 2)
        let aliceAgain = try await gateway.chat("my question", headers: [(name: "Authorization", value: "Bearer alice")])
        #expect(aliceAgain.content == alice.content)
        // A selectable namespace is a partition of its own; others are refused.
        let inProject = try await gateway.chat(
            "my question", headers: [(name: "Authorization", value: "Bearer alice"), (name: "X-LLMCache-Namespace", value: "project-a")])
        #expect(inProject.status == 400, "this gateway offers no namespaces")
    }

    @Test func theGatewaysOwnKeyServesOnlyListedCallersAndCanShareAnswers() async throws {
        let gateway = try await GatewayHarness { configuration in
            configuration.upstreamKey = "sk-gateway"
            configuration.callerKeys = ["team-a", "team-b"]
            configuration.sharesAnswersAcrossCallers = true
            configuration.selectableNamespaces = ["project-x"]
        }
        defer { gateway.close() }
        #expect(try await gateway.chat("shared question").status == 401)
        #expect(try await gateway.chat("shared question", headers: [(name: "Authorization", value: "Bearer intruder")]).status == 401)
        let a = try await gateway.chat("shared question", headers: [(name: "Authorization", value: "Bearer team-a")])
        let b = try await gateway.chat("shared question", headers: [(name: "Authorization", value: "Bearer team-b")])
        #expect(a.status == 200 && b.header("Cache-Status") == "llmcache; hit; detail=memory" && b.body == a.body)
        let apart = try await gateway.chat(
            "shared question", headers: [(name: "Authorization", value: "Bearer team-b"), (name: "X-LLMCache-Namespace", value: "project-x")])
        #expect(apart.header("Cache-Status")?.contains("fwd=miss") == true)
        #expect(gateway.upstream.lastAuthorization == "Bearer sk-gateway" && gateway.upstream.callCount == 2)
    }

    @Test func streamsAreRecordedAndReplayedEventForEvent() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        let usage = ["stream": true, "stream_options": ["include_usage": true]] as [String: Any]
        let first = try await gateway.chat("say hello", extra: usage)
        let text = String(decoding: first.body, as: UTF8.self)
        #expect(first.status == 200 && first.header("Content-Type") == "text/event-stream")
        #expect(first.header("Cache-Status") == "llmcache; fwd=miss; stored" && text.hasSuffix("data: [DONE]\n\n"))
        #expect(text.contains("\"total_tokens\":12") && text.components(separatedBy: "\n\n").count == 6)
        let again = try await gateway.chat("say hello", extra: usage)
        #expect(again.header("Cache-Status") == "llmcache; hit; detail=memory" && again.body == first.body)
        #expect(again.header("Age").flatMap { Int($0) }.map { $0 >= 0 } == true, "a hit says how old it is")
        // Streamed and complete answers are kept apart; a paraphrase matches a stream.
        #expect(try await gateway.chat("say hello").header("Cache-Status")?.contains("fwd=miss") == true)
        let paraphrase = try await gateway.chat("hello say", extra: usage)
        #expect(paraphrase.header("X-LLMCache-Tier") == "semantic-memory" && paraphrase.body == first.body)
        // Without the usage event the stream is another answer.
        #expect(try await gateway.chat("say hello", extra: ["stream": true]).header("Cache-Status")?.contains("fwd=miss") == true)
        #expect(gateway.upstream.callCount == 3)
    }

    @Test func aFailedOrBrokenStreamIsPassedOnAndNeverStored() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        for _ in 0..<2 {
            let refused = try await gateway.chat("anything", model: "fail", extra: ["stream": true])
            #expect(refused.status == 429 && refused.serverMessage == "slow down")
        }
        for _ in 0..<2 {
            let broken = try? await gateway.chat("anything", model: "break", extra: ["stream": true])
            #expect(broken.map { !String(decoding: $0.body, as: UTF8.self).contains("[DONE]") } ?? true)
        }
        #expect(gateway.upstream.callCount == 4)
    }

    @Test func embeddingsAreCachedPerInputAndOnlyNewInputsGoUpstream() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        func embed(_ input: Any) async throws -> LLMCacheOpenAI.HTTPResponse {
            try await gateway.post(
                "/v1/embeddings", body: Array(try JSONSerialization.data(withJSONObject: ["model": "e", "input": input])))
        }
        func vectors(_ response: LLMCacheOpenAI.HTTPResponse) -> [[Double]] {
            (response.json?["data"] as? [[String: Any]] ?? []).map { $0["embedding"] as? [Double] ?? [] }
        }
        let first = try await embed(["alpha", "beta"])
        #expect(first.header("Cache-Status") == "llmcache; fwd=miss; stored" && vectors(first) == [[1, 5], [1, 4]])
        #expect((first.json?["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 6)
        let second = try await embed(["beta", "gamma", "alpha"])
        #expect(second.header("Cache-Status") == "llmcache; fwd=partial" && second.header("X-LLMCache-Cached-Inputs") == "2/3")
        #expect(vectors(second) == [[1, 4], [2, 5], [1, 5]])
        #expect(gateway.upstream.lastRequest?["input"] as? [String] == ["gamma"], "only the new input goes upstream")
        let single = try await embed("gamma")
        #expect(single.header("Cache-Status") == "llmcache; hit" && vectors(single) == [[2, 5]])
        #expect((single.json?["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 0)
        #expect(gateway.upstream.callCount == 2)
        #expect(try await embed([String]()).status == 400)
        #expect(try await embed(["ok", ["nested": true]]).status == 400)
    }

    @Test func healthReadinessModelsAndUnknownRoutesAnswer() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        #expect(try await gateway.request(.get, "/healthz").status == 200)
        #expect(try await gateway.request(.get, "/readyz").status == 200)
        let models = try await gateway.request(.get, "/v1/models")
        #expect(models.status == 200 && (models.json?["data"] as? [[String: Any]])?.first?["id"] as? String == "m")
        _ = try await gateway.chat("count me")
        _ = try await gateway.chat("count me")
        let metrics = String(decoding: try await gateway.request(.get, "/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"llmcache_gateway_requests_total{route="chat_completions",status="200",cache="hit"} 1"#))
        #expect(metrics.contains(#"llmcache_gateway_requests_total{route="chat_completions",status="200",cache="miss"} 1"#))
        #expect(metrics.contains(#"llmcache_lookups_total{tier="memory",result="hit"} 1"#), "the stack's metrics are there too")
        let unknown = try await gateway.request(.get, "/no/such/route")
        #expect(unknown.status == 404 && unknown.serverMessage?.contains("/no/such/route") == true)
    }

    @Test func theAdminRoutesNeedTheKeyAndInvalidateByTag() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        let admin = [(name: "Authorization", value: "Bearer \(GatewayHarness.adminKey)")]
        #expect(try await gateway.request(.get, "/cache/stats").status == 401)
        #expect(try await gateway.request(.get, "/cache/stats", headers: [(name: "Authorization", value: "Bearer nope")]).status == 401)

        _ = try await gateway.chat("pricing of plan A", headers: [(name: "X-LLMCache-Tags", value: "pricing, plans")])
        #expect(try await gateway.chat("pricing of plan A").header("Cache-Status")?.contains("hit") == true)
        let invalidated = try await gateway.post(
            "/cache/invalidate", body: Array("{\"tags\":[\"pricing\"]}".utf8), headers: admin)
        #expect(invalidated.status == 200 && (invalidated.json?["removed"] as? Int ?? 0) >= 1)
        #expect(try await gateway.chat("pricing of plan A").header("Cache-Status")?.contains("fwd=miss") == true)

        let stats = try await gateway.request(.get, "/cache/stats", headers: admin)
        #expect(stats.status == 200 && stats.json?["requests"] as? Int == 3)
        let bumped = try await gateway.post("/cache/bump-version", body: [], headers: admin)
        #expect(bumped.json?["version"] as? Int == 1)
        #expect(try await gateway.request(.delete, "/cache", headers: admin).json?["flushed"] as? Bool == true)
    }
}

@Suite("Caching gateway with the openai Python SDK")
struct OpenAISDKTests {
    @Test func theOfficialSDKTalksToTheGatewayAndSeesACacheHit() async throws {
        let gateway = try await GatewayHarness()
        defer { gateway.close() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/openai-sdk.sh")
        process.arguments = ["--base-url", "http://127.0.0.1:\(gateway.port)/v1"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let seen = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let first = try #require(seen["first"] as? [String: Any])
        let second = try #require(seen["second"] as? [String: Any])
        #expect(first["cache_status"] as? String == "llmcache; fwd=miss; stored")
        #expect(second["cache_status"] as? String == "llmcache; hit; detail=memory")
        #expect(second["content"] as? String == first["content"] as? String && second["total_tokens"] as? Int == 15)
        let streamed = try #require(seen["streamed"] as? [[String: Any]])
        #expect(streamed.map { $0["cache_status"] as? String } == ["llmcache; fwd=miss; stored", "llmcache; hit; detail=memory"])
        #expect(streamed.allSatisfy { $0["content"] as? String == "Hello" && $0["total_tokens"] as? Int == 12 })
        let tools = try #require(seen["tool_calls"] as? [[String: Any]])
        #expect(tools.last?["cache_status"] as? String == "llmcache; hit; detail=memory")
        #expect(tools.allSatisfy { $0["name"] as? String == "get_weather" && ($0["arguments"] as? [String: String]) == ["city": "Paris"] })
        let embeddings = try #require(seen["embeddings"] as? [[String: Any]])
        #expect(embeddings.map { $0["cache_status"] as? String } == ["llmcache; fwd=miss; stored", "llmcache; fwd=partial"])
        #expect((embeddings.last?["vectors"] as? [[Double]]) == [[4, 4], [5, 5]], "beta from the first call (the 4th upstream call), gamma new")
        #expect(seen["models"] as? [String] == ["m"])
    }
}

@Suite("Caching gateway over Redis")
struct GatewayRedisTests {
    @Test func aRedisThatDiesMidRunFailsOpenAndComesBack() async throws {
        let redis = try await KillableRedis.start()
        let client = RedisClient(configuration: try redis.clientConfiguration())
        let namespace = try await RedisNamespace(name: "gateway-fault", client: client)
        let memory = MemoryTier(maxEntries: 100)
        let gateway = try await GatewayHarness(tiers: [memory, RedisExactTier(namespace: namespace)], namespace: namespace)
        defer { gateway.close() }
        _ = try await gateway.chat("before the crash")
        await gateway.stack.waitForPendingStores()
        memory.removeAll()
        #expect(try await gateway.chat("before the crash").header("Cache-Status") == "llmcache; hit; detail=redis")

        redis.kill()
        for question in ["during the outage", "during the outage", "before the crash"] {
            let answer = try await gateway.chat(question)
            #expect(answer.status == 200 && answer.content != nil, "requests are forwarded while Redis is down")
        }
        #expect(try await gateway.chat("during the outage").header("Cache-Status") == "llmcache; hit; detail=memory")
        let degraded = try await gateway.request(.get, "/readyz")
        #expect(degraded.status == 503 && degraded.json?["redis"] as? String == "down")
        #expect((degraded.json?["breakers"] as? [String: String])?["redis"] != nil)

        try await redis.restart()
        let deadline = ContinuousClock.now + .seconds(30)
        while try await gateway.request(.get, "/readyz").status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await gateway.request(.get, "/readyz").status == 200)
        #expect(try await gateway.chat("after the restart").status == 200)
        redis.kill()
        await namespace.shutdown()
        await client.shutdown()
    }

    @Test func answersAreSharedThroughRedisAndTheAdminRoutesFlushIt() async throws {
        let client = try RedisClient(url: try testRedisURL())
        let namespace = try await RedisNamespace(name: "gateway-\(UUID().uuidString.prefix(8).lowercased())", client: client)
        let memory = MemoryTier(maxEntries: 100)
        let gateway = try await GatewayHarness(tiers: [memory, RedisExactTier(namespace: namespace)], namespace: namespace)
        let admin = [(name: "Authorization", value: "Bearer \(GatewayHarness.adminKey)")]
        let first = try await gateway.chat("capital city of France")
        await gateway.stack.waitForPendingStores()
        memory.removeAll()
        let fromRedis = try await gateway.chat("capital city of France")
        #expect(fromRedis.header("Cache-Status") == "llmcache; hit; detail=redis" && fromRedis.body == first.body)
        #expect(try await gateway.request(.get, "/readyz").json?["redis"] as? String == "up")
        let reference = try #require(first.header("X-LLMCache-Entry"))
        let inspected = try await gateway.request(.get, "/cache/entries/\(reference)", headers: admin)
        let entry = (inspected.json?["answer"] as? [String: Any])?["entry"] as? [String: Any]
        #expect(inspected.status == 200 && inspected.json?["kind"] as? String == "exact answer")
        #expect(entry?["promptTokens"] as? Int == 10 && entry?["model"] as? String == "m")
        #expect(try await gateway.request(.get, "/cache/entries/\(reference)").status == 401)
        #expect(try await gateway.request(.get, "/cache/entries/\(String(repeating: "0", count: 64))", headers: admin).status == 404)
        #expect(try await gateway.request(.get, "/cache/entries/nonsense", headers: admin).status == 400)
        let flushed = try await gateway.request(.delete, "/cache", headers: admin)
        #expect(flushed.status == 200 && (flushed.json?["deleted_keys"] as? Int ?? 0) >= 1)
        #expect(try await gateway.chat("capital city of France").header("Cache-Status")?.contains("fwd=miss") == true)
        #expect(gateway.upstream.callCount == 2)
        gateway.close()
        await namespace.shutdown()
        await client.shutdown()
    }
}
