import Foundation
import LLMCache
import LLMCacheEmbeddings
import LLMCacheRedis
import Testing

/// A namespace on the test Redis with a three-tier stack (memory, exact,
/// semantic with the native MiniLM) and a statistics publisher, for one test.
private struct CLIWorkload {
    let url: String
    let name: String
    let client: RedisClient
    let namespace: RedisNamespace
    let stack: CacheStack
    let publisher: RedisStatisticsPublisher

    /// - Parameters:
    ///   - server: the environment variable naming the test server.
    ///   - backend: the semantic tier's backend.
    static func with(
        server: String = "LLMCACHE_REDIS8_URL", backend: RedisSemanticTier.Backend = .auto,
        _ body: (CLIWorkload) async throws -> Void
    ) async throws {
        let url = try testRedisURL(server)
        let name = "cli-\(UUID().uuidString.prefix(8).lowercased())"
        let client = try RedisClient(url: url)
        let namespace = try await RedisNamespace(name: name, client: client)
        let embedder = try await MiniLMEmbedder.load(modelFolder: URL(fileURLWithPath: CommandLineTool.modelFolder))
        var semantic = RedisSemanticTier.Configuration(backend: backend)
        semantic.embeddingTimeout = nil  // a loaded test machine must not turn a slow embedding into a miss
        // Every LSH bucket probed: these tests are about the tools, not LSH's
        // recall, and a namespace's random hyperplanes now and then put a
        // paraphrase beyond the default probes.
        semantic.lsh.probes = 1 << semantic.lsh.planes
        let stack = CacheStack(
            tiers: [
                MemoryTier(maxEntries: 100), RedisExactTier(namespace: namespace),
                try RedisSemanticTier(namespace: namespace, embedder: embedder, configuration: semantic),
            ],
            versionSource: namespace)
        let publisher = RedisStatisticsPublisher(stack: stack, namespace: namespace)
        let workload = CLIWorkload(
            url: url, name: name, client: client, namespace: namespace, stack: stack, publisher: publisher)
        do {
            try await body(workload)
        } catch {
            await workload.close()
            throw error
        }
        await workload.close()
    }

    private func close() async {
        await publisher.shutdown()
        await namespace.shutdown()
        await client.shutdown()
    }

    /// Asks `prompt` (a plain-prompt request) with tags; the model answers at length.
    @discardableResult
    func ask(_ prompt: String, tags: Set<String> = []) async throws -> CacheResult<String> {
        let result = try await stack.response(for: prompt, options: CacheOptions(ttl: .seconds(600), tags: tags)) {
            prompt in String(repeating: "The answer to \"\(prompt)\" is long and repetitive. ", count: 20)
        }
        await stack.waitForPendingStores()
        return result
    }

    func run(_ command: String, _ arguments: [String] = []) async throws -> (status: Int32, output: String, error: String) {
        try await CommandLineTool.run([command] + arguments + ["--redis", url, "--namespace", name])
    }
}

private func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
}

private func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }

@Suite("llmcache stats and inspect against Redis", .serialized)
struct StatsAndInspectTests {
    @Test func statsPrintsWhatThePublisherSentAndWhatRedisHolds() async throws {
        try await CLIWorkload.with { cache in
            try await cache.ask("What is the capital of France?", tags: ["geography"])
            try await cache.ask("What is the capital of France?")  // memory hit
            try await cache.ask("Capital of France?")  // semantic hit, promoted
            try await cache.ask("How many legs does a spider have?")
            #expect(try await cache.publisher.publish())
            let expected = cache.stack.statistics

            let result = try await cache.run("stats", ["--json"])
            #expect(result.status == 0, "\(result.error)")
            let report = try jsonObject(result.output)
            let tiers = try #require(report["tiers"] as? [[String: Any]])
            #expect(tiers.compactMap { $0["name"] as? String } == ["memory", "redis", "redis-semantic"])
            for (tier, stats) in zip(tiers, expected.tiers) {
                #expect(int(tier["hits"]) == stats.hits, "\(stats.name)")
                #expect(int(tier["misses"]) == stats.misses, "\(stats.name)")
                #expect(int(tier["stores"]) == stats.stores, "\(stats.name)")
                #expect(int(tier["promotions"]) == stats.promotions, "\(stats.name)")
                #expect(int(tier["latency_samples"]) == stats.lookupLatency.count)
            }
            #expect(int(tiers[2]["hits"]) == 1 && int(tiers[0]["hits"]) == 1)
            let totals = try #require(report["totals"] as? [String: Any])
            #expect(int(totals["requests"]) == 4 && int(totals["computed"]) == 2)
            #expect((totals["hit_rate"] as? NSNumber)?.doubleValue == 0.5)
            #expect(int(totals["exact_only"]) == 0 && int(totals["not_cached"]) == 0, "the policy left these alone")
            let processes = try #require(report["processes"] as? [String: Any])
            #expect(int(processes["active"]) == 1 && int(processes["known"]) == 1)

            let entries = try #require(report["entries"] as? [String: Any])
            let groups = try #require(entries["groups"] as? [[String: Any]])
            func group(_ kind: String) -> [String: Any]? {
                groups.first { $0["kind"] as? String == kind && $0["current_version"] as? Bool == true }
            }
            // Two answers computed, one semantic hit promoted under its own key.
            #expect(int(group("exact answers")?["keys"]) == 3)
            #expect(int(group("semantic answers")?["keys"]) == 2)
            #expect(int(group("vector sets")?["vectors"]) == 2)
            #expect(int(group("tag sets")?["keys"]) == 1)
            #expect((int(group("exact answers")?["memory_bytes"]) ?? 0) > 0)
            let containers = try #require(entries["containers"] as? [[String: Any]])
            #expect(containers.count == 1 && int(containers[0]["vectors"]) == 2)
            let server = try #require(report["server"] as? [String: Any])
            #expect((int(server["used_memory"]) ?? 0) > 0)

            let table = try await cache.run("stats")
            #expect(table.status == 0, "\(table.error)")
            for text in ["redis-semantic", "hit rate", "exact answers", "vector sets", "processes: 1 reported", "used_memory"] {
                #expect(table.output.contains(text), "\(text) in\n\(table.output)")
            }
            #expect(table.output.contains("requests 4, model calls 2"), "\(table.output)")
        }
    }

    @Test func statsResetClearsTheCountersButNotTheEntries() async throws {
        try await CLIWorkload.with { cache in
            try await cache.ask("What is 15% of 80?")
            try await cache.publisher.publish()
            let reset = try await cache.run("stats", ["--reset", "--json", "--skip-entries"])
            #expect(reset.status == 0, "\(reset.error)")
            let before = try jsonObject(reset.output)
            #expect(before["reset"] as? Bool == true && before["entries"] == nil)
            #expect(int((before["totals"] as? [String: Any])?["requests"]) == 1, "printed before clearing")

            let after = try jsonObject(try await cache.run("stats", ["--json"]).output)
            #expect(int((after["totals"] as? [String: Any])?["requests"]) == 0)
            #expect((after["tiers"] as? [Any])?.isEmpty == true)
            let groups = (after["entries"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            #expect(groups.contains { $0["kind"] as? String == "exact answers" && int($0["keys"]) == 1 })
            let table = try await cache.run("stats", ["--skip-entries"])
            #expect(table.output.contains("nothing published yet"), "\(table.output)")
        }
    }

    @Test func inspectShowsAnEntrysTTLTagsAndSizes() async throws {
        try await CLIWorkload.with { cache in
            try await cache.ask("What is the capital of France?", tags: ["geography", "europe"])
            let hash = CacheKey(request: "What is the capital of France?").hex

            let result = try await cache.run("inspect", [hash, "--json"])
            #expect(result.status == 0, "\(result.error)")
            let report = try jsonObject(result.output)
            #expect(report["kind"] as? String == "exact answer")
            #expect(report["key"] as? String == "llmcache:\(cache.name):v0:e:\(hash)")
            let ttl = try #require(int(report["ttl_ms"]))
            #expect(ttl > 590_000 && ttl <= 600_000, "the 600 s TTL, less the time since")
            #expect((int(report["memory_bytes"]) ?? 0) > 0)
            let answer = try #require(report["answer"] as? [String: Any])
            let frame = try #require(answer["frame"] as? [String: Any])
            #expect(frame["compressed"] as? Bool == true)
            let stored = try #require(int(frame["stored_body_bytes"]))
            let uncompressed = try #require(int(frame["uncompressed_bytes"]))
            #expect(stored < uncompressed / 3, "a repetitive answer compresses well: \(stored) of \(uncompressed)")
            let entry = try #require(answer["entry"] as? [String: Any])
            let tags = try #require(entry["tags"] as? [[String: Any]])
            #expect(tags.compactMap { $0["name"] as? String } == ["europe", "geography"])
            #expect(tags.allSatisfy { $0["indexed"] as? Bool == true }, "each tag's set lists the entry")
            #expect(entry["source_text"] as? String == "What is the capital of France?")
            #expect((entry["value_preview"] as? String)?.hasPrefix("The answer to") == true)
            #expect(int(entry["expires_ms"]) != nil && entry["expiration"] as? String == "fixed")

            let table = try await cache.run("inspect", ["llmcache:\(cache.name):v0:e:\(hash)"])
            #expect(table.status == 0, "\(table.error)")
            for text in ["exact answer, version 0 (current)", "ttl", "zstd, ratio", "europe, geography", "The answer to"] {
                #expect(table.output.contains(text), "\(text) in\n\(table.output)")
            }
        }
    }

    @Test func inspectTextListsTheStoredParaphraseFirst() async throws {
        try await CLIWorkload.with { cache in
            try await cache.ask("What is the capital of France?", tags: ["geography"])
            try await cache.ask("How many legs does a spider have?")
            try await cache.ask("Why is the sky blue?")

            let result = try await cache.run("inspect", ["--text", "Capital of France?", "--json", "--count", "3"])
            #expect(result.status == 0, "\(result.error)")
            let report = try jsonObject(result.output)
            #expect(report["exact_key_exists"] as? Bool == false, "the paraphrase itself was never asked")
            let neighbours = try #require(report["neighbours"] as? [[String: Any]])
            #expect(neighbours.count == 3)
            let similarities = neighbours.compactMap { ($0["similarity"] as? NSNumber)?.doubleValue }
            #expect(similarities == similarities.sorted(by: >), "closest first")
            let first = try #require(neighbours.first)
            #expect(first["source_text"] as? String == "What is the capital of France?")
            #expect(similarities[0] >= 0.93 && first["would_serve"] as? Bool == true, "\(similarities)")
            #expect(similarities[1] < 0.5, "unrelated questions are far")
            #expect(first["tags"] as? [String] == ["geography"])

            // The neighbour's key explains itself, index record and tag membership included.
            let key = try #require(first["key"] as? String)
            let inspected = try jsonObject(try await cache.run("inspect", [key, "--json"]).output)
            #expect((inspected["kind"] as? String)?.hasPrefix("semantic answer") == true)
            let tags = ((inspected["answer"] as? [String: Any])?["entry"] as? [String: Any])?["tags"] as? [[String: Any]]
            #expect(tags?.first?["indexed"] as? Bool == true)

            let table = try await cache.run("inspect", ["--text", "What is the capital of France?"])
            #expect(table.status == 0, "\(table.error)")
            #expect(table.output.contains("(stored, ttl"), "the exact key of the asked prompt exists:\n\(table.output)")
            #expect(table.output.contains("hit"), "\(table.output)")
        }
    }

    @Test(arguments: [
        ("LLMCACHE_REDIS8_URL", RedisSemanticTier.Backend.vectorSet, "vector-set"),
        ("LLMCACHE_REDIS8_SEARCH_URL", .search, "search"), ("LLMCACHE_REDIS7_URL", .lsh, "lsh"),
        ("LLMCACHE_VALKEY8_URL", .lsh, "lsh"), ("LLMCACHE_VALKEY9_URL", .lsh, "lsh"),
    ])
    func statsAndInspectWorkWithEveryBackend(server: String, backend: RedisSemanticTier.Backend, option: String) async throws {
        try await CLIWorkload.with(server: server, backend: backend) { cache in
            try await cache.ask("What is the capital of France?", tags: ["geography"])
            try await cache.ask("Capital of France?")
            try await cache.publisher.publish()

            let stats = try jsonObject(try await cache.run("stats", ["--json"]).output)
            #expect(int((stats["tiers"] as? [[String: Any]])?.last?["hits"]) == 1, "the semantic hit")
            let entries = try #require(stats["entries"] as? [String: Any])
            let groups = try #require(entries["groups"] as? [[String: Any]])
            let kinds = Dictionary(groups.map { ($0["kind"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            switch backend {
            case .search:
                #expect(int(kinds["search documents"]?["keys"]) == 1)
                let indexes = try #require(entries["search_indexes"] as? [[String: Any]])
                #expect(indexes.count == 1 && int(indexes[0]["documents"]) == 1)
            case .lsh:
                #expect(int(kinds["semantic answers"]?["keys"]) == 1 && int(kinds["lsh buckets"]?["vectors"]) == 1)
            default:
                #expect(int(kinds["semantic answers"]?["keys"]) == 1 && int(kinds["vector sets"]?["vectors"]) == 1)
            }

            let found = try await cache.run("inspect", ["--text", "Capital of France?", "--backend", option, "--json"])
            #expect(found.status == 0, "\(found.error)")
            let neighbours = try #require(try jsonObject(found.output)["neighbours"] as? [[String: Any]])
            let first = try #require(neighbours.first)
            #expect(first["source_text"] as? String == "What is the capital of France?" && first["would_serve"] as? Bool == true)
            let key = try #require(first["key"] as? String)
            let inspected = try await cache.run("inspect", [key, "--json"])
            #expect(inspected.status == 0, "\(inspected.error)")
            let entry = (try jsonObject(inspected.output)["answer"] as? [String: Any])?["entry"] as? [String: Any]
            let tags = entry?["tags"] as? [[String: Any]]
            #expect(tags?.first?["name"] as? String == "geography" && tags?.first?["indexed"] as? Bool == true, "\(inspected.output)")
        }
    }

    @Test func inspectFailsClearlyForMissingAndMalformedKeys() async throws {
        try await CLIWorkload.with { cache in
            let missing = try await cache.run("inspect", [String(repeating: "ab", count: 32)])
            #expect(missing.status != 0 && missing.error.contains("no key llmcache:\(cache.name):v0:e:abab"), "\(missing.error)")
            let json = try await cache.run("inspect", ["llmcache:\(cache.name):v0:e:nothing", "--json"])
            #expect(json.status != 0 && json.error.contains("no key") && json.output.isEmpty)
            let malformed = try await cache.run("inspect", ["not-a-key"])
            #expect(malformed.status != 0 && malformed.error.contains("neither a Redis key"), "\(malformed.error)")
            let both = try await cache.run("inspect", ["--text", "x", String(repeating: "ab", count: 32)])
            #expect(both.status != 0 && both.error.contains("not both"))
            let neither = try await cache.run("inspect")
            #expect(neither.status != 0)
        }
    }
}
