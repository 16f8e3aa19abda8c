import Foundation
import LLMCacheRedis
import Testing

@Suite("llmcache bench against Redis")
struct BenchCommandTests {
    /// Keys left on the server by bench runs named after `namespace`.
    func leftovers(_ url: String, namespace: String) async throws -> (keys: [String], indexes: [String]) {
        try await withRedisClient(try RedisConfiguration(url: url)) { client in
            let keys = try await client.execute(RedisCommand("KEYS", "llmcache:\(namespace).bench.*")).array ?? []
            let indexes = try await client.send(RedisCommand("FT._LIST")).array ?? []
            return (
                keys.compactMap(\.string),
                indexes.compactMap(\.string).filter { $0.hasPrefix("llmcache:\(namespace).bench.") }
            )
        }
    }

    func uniqueName() -> String { "cli-bench-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func printsATableOfEveryPhaseWithProgressOnStandardErrorAndLeavesNothing() async throws {
        let url = try testRedisURL()
        let name = uniqueName()
        let result = try await CommandLineTool.run([
            "bench", "--redis", url, "--namespace", name, "--iterations", "20", "--entries", "40", "--concurrency", "4",
            "--progress",
        ])
        #expect(result.status == 0, "\(result.error)")
        let phases = [
            "memory hit, wrapped closure", "redis GET, bare (same bytes)", "redis exact-tier hit ",
            "redis exact-tier store", "redis exact-tier hit, 4 tasks", "semantic store (vectorSet, 8 writers)",
            "semantic lookup (vectorSet, 40 entries)",
        ]
        let rows = result.output.split(separator: "\n").map(String.init)
        for phase in phases {
            #expect(rows.contains { $0.hasPrefix(phase) && ($0.contains("µs") || $0.contains("ms")) }, "\(phase)\n\(result.output)")
        }
        #expect(rows.contains { $0.hasPrefix("phase") && $0.contains("p50") && $0.contains("p99") && $0.hasSuffix("ops/s") })
        #expect(result.output.contains("semantic backend: vectorSet; lookups answered: 20 of 20"))
        #expect(result.output.contains("namespace \(name).bench."))
        // Progress: one final line per phase, on standard error only.
        for number in 1...7 {
            #expect(result.error.contains("[\(number)/7] ") && result.error.contains("100% ("), "\(result.error)")
        }
        #expect(!result.output.contains("%"))
        #expect(try await leftovers(url, namespace: name).keys.isEmpty)
    }

    @Test func printsOneJSONObjectAndSkipsSemanticPhasesWithoutEntries() async throws {
        let url = try testRedisURL()
        let result = try await CommandLineTool.run([
            "bench", "--redis", url, "--namespace", uniqueName(), "--iterations", "20", "--entries", "0",
            "--concurrency", "3", "--json", "--no-progress",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.isEmpty)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let phases = try #require(report["phases"] as? [[String: Any]])
        #expect(phases.compactMap { $0["id"] as? String } == [
            "memory_hit", "redis_get_bare", "exact_hit", "exact_store", "exact_hit_concurrent",
        ])
        #expect(phases.compactMap { ($0["samples"] as? NSNumber)?.intValue } == [20, 20, 20, 20, 60])
        for phase in phases {
            let p50 = try #require((phase["p50_us"] as? NSNumber)?.doubleValue)
            let p99 = try #require((phase["p99_us"] as? NSNumber)?.doubleValue)
            #expect(p50 > 0 && p99 >= p50)
            #expect(((phase["ops_per_second"] as? NSNumber)?.doubleValue ?? 0) > 0)
        }
        #expect((report["answer_bytes"] as? NSNumber)?.intValue == 2048)
        #expect(((report["stored_frame_bytes"] as? NSNumber)?.intValue ?? 0) > 0)
        #expect(((report["exact_hit_over_bare_get"] as? NSNumber)?.doubleValue ?? 0) > 0)
        #expect(report["semantic_backend"] == nil)
        #expect((report["server"] as? String).map { !$0.contains("redis://") } == true)
    }

    @Test func dropsTheSearchIndexItCreatedOnRediSearch() async throws {
        let url = try testRedisURL("LLMCACHE_REDIS8_SEARCH_URL")
        let name = uniqueName()
        let result = try await CommandLineTool.run([
            "bench", "--redis", url, "--namespace", name, "--iterations", "10", "--entries", "30", "--concurrency", "2",
            "--backend", "search", "--json",
        ])
        #expect(result.status == 0, "\(result.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(report["semantic_backend"] as? String == "search")
        let left = try await leftovers(url, namespace: name)
        #expect(left.keys.isEmpty && left.indexes.isEmpty, "\(left)")
    }

    @Test func rejectsBadArgumentsAndUnreachableServers() async throws {
        let zero = try await CommandLineTool.run(["bench", "--redis", try testRedisURL(), "--namespace", "x", "--iterations", "0"])
        #expect(zero.status != 0 && zero.error.contains("--iterations"))
        let backend = try await CommandLineTool.run(["bench", "--redis", try testRedisURL(), "--namespace", "x", "--backend", "faiss"])
        #expect(backend.status != 0 && backend.error.contains("--backend"))
        let namespace = try await CommandLineTool.run(["bench", "--redis", try testRedisURL(), "--namespace", "a b"])
        #expect(namespace.status != 0 && namespace.error.contains("namespace"))
        let down = try await CommandLineTool.run(["bench", "--redis", "redis://127.0.0.1:1", "--namespace", "x", "--iterations", "1"])
        #expect(down.status != 0 && !down.error.isEmpty)
    }
}
