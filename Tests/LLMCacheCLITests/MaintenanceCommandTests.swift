import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// A server `scripts/test.sh` starts (Redis 8 unless told otherwise);
/// missing is a failure, not a skip.
func testRedisURL(_ variable: String = "LLMCACHE_REDIS8_URL") throws -> String {
    if let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty {
        return url.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
    }
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".cache/redis/run/env")
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") where line.hasPrefix("\(variable)=") {
        return String(line.dropFirst(variable.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
    }
    throw CLIError(description: "\(variable) is not set: run the tests with scripts/test.sh")
}

@Suite("llmcache maintenance commands against Redis")
struct MaintenanceCommandTests {
    /// A namespace holding two tagged entries and `untagged` more, for one test.
    func withStoredEntries(
        server: String = "LLMCACHE_REDIS8_URL", untagged: Int = 0, _ body: (String, String, RedisExactTier) async throws -> Void
    ) async throws {
        let url = try testRedisURL(server)
        let name = "cli-\(UUID().uuidString.prefix(8).lowercased())"
        let client = try RedisClient(url: url)
        let namespace = try await RedisNamespace(name: name, client: client)
        let tier = RedisExactTier(namespace: namespace)
        let now = SystemCacheClock().now
        for (text, tag) in [("a", "docs"), ("b", "pricing")] {
            let entry = CacheEntry(value: Array(text.utf8), createdAt: now, expiresAt: now.advanced(by: .seconds(60)), tags: [tag])
            try await tier.store(entry, for: CacheQuery(request: text))
        }
        let entry = CacheEntry(value: Array("x".utf8), createdAt: now, expiresAt: now.advanced(by: .seconds(60)))
        for index in 0..<untagged { try await tier.store(entry, for: CacheQuery(request: "untagged \(index)")) }
        do {
            try await body(url, name, tier)
        } catch {
            await namespace.shutdown()
            await client.shutdown()
            throw error
        }
        await namespace.shutdown()
        await client.shutdown()
    }

    @Test(arguments: ["LLMCACHE_REDIS8_URL", "LLMCACHE_VALKEY8_URL", "LLMCACHE_VALKEY9_URL"])
    func invalidateRemovesTaggedEntries(server: String) async throws {
        try await withStoredEntries(server: server) { url, name, tier in
            let result = try await CommandLineTool.run(["invalidate", "--tag", "docs", "--redis", url, "--namespace", name, "--json"])
            #expect(result.status == 0, "\(result.error)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            #expect((report["removed"] as? NSNumber)?.intValue == 1)
            #expect(try await tier.lookup(CacheQuery(request: "a")) == nil)
            #expect(try await tier.lookup(CacheQuery(request: "b")) != nil)
        }
    }

    @Test(arguments: ["LLMCACHE_REDIS8_URL", "LLMCACHE_VALKEY8_URL", "LLMCACHE_VALKEY9_URL"])
    func bumpVersionRetiresEverything(server: String) async throws {
        try await withStoredEntries(server: server) { url, name, _ in
            let first = try await CommandLineTool.run(["bump-version", "--redis", url, "--namespace", name])
            #expect(first.status == 0 && first.output.contains("version: 1"), "\(first.output)\(first.error)")
            let second = try await CommandLineTool.run(["bump-version", "--redis", url, "--namespace", name, "--json"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any])
            #expect((report["version"] as? NSNumber)?.intValue == 2)
        }
    }

    @Test func flushAsksFirstUnlessToldYes() async throws {
        try await withStoredEntries { url, name, tier in
            let refused = try await CommandLineTool.run(["flush", "--redis", url, "--namespace", name], input: "no\n")
            #expect(refused.status != 0 && refused.error.contains("nothing deleted"))
            #expect(try await tier.lookup(CacheQuery(request: "a")) != nil)

            let confirmed = try await CommandLineTool.run(["flush", "--redis", url, "--namespace", name], input: "\(name)\n")
            #expect(confirmed.status == 0, "\(confirmed.error)")
            #expect(try await tier.lookup(CacheQuery(request: "a")) == nil)
            #expect(try await tier.lookup(CacheQuery(request: "b")) == nil)
        }
    }

    @Test func flushShowsProgressOnStandardErrorAndReportsTheCount() async throws {
        // 2,500 entries, two tag sets: about three SCAN batches.
        try await withStoredEntries(untagged: 2_496) { url, name, tier in
            let result = try await CommandLineTool.run(["flush", "--yes", "--progress", "--json", "--redis", url, "--namespace", name])
            #expect(result.status == 0, "\(result.error)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            #expect((report["deleted_keys"] as? NSNumber)?.intValue == 2_500)
            #expect(report["flushed"] as? Bool == true)
            let lines = result.error.split(separator: "\n").map(String.init)
            #expect(lines.last == "deleted 2500 keys", "\(result.error)")
            #expect(lines.dropLast().allSatisfy { $0.hasPrefix("deleted ") && $0.hasSuffix(" keys…") })
            #expect(lines.count >= 2, "the first batch is reported before the final count")
            #expect(try await tier.lookup(CacheQuery(request: "untagged 7")) == nil)

            // Not a terminal and no --progress: standard error stays quiet.
            let quiet = try await CommandLineTool.run(["flush", "--yes", "--redis", url, "--namespace", name])
            #expect(quiet.status == 0 && quiet.error.isEmpty, "\(quiet.error)")
            #expect(quiet.output.contains("deleted_keys: 0"))
        }
    }

    @Test func badArgumentsFailClearly() async throws {
        let noTag = try await CommandLineTool.run(["invalidate", "--redis", "redis://127.0.0.1:1", "--namespace", "x"])
        #expect(noTag.status != 0 && noTag.error.contains("--tag"))
        let badNamespace = try await CommandLineTool.run(["flush", "--yes", "--redis", try testRedisURL(), "--namespace", "a b"])
        #expect(badNamespace.status != 0 && badNamespace.error.contains("namespace"))
    }

    /// The maintenance and inspection commands on the local clusters: the
    /// namespace-wide ones reach every primary.
    @Test(arguments: ["LLMCACHE_REDIS8_CLUSTER_URL", "LLMCACHE_VALKEY9_CLUSTER_URL"])
    func theCommandsWorkOnACluster(server: String) async throws {
        try await LocalClusters.exclusively {
            try await withStoredEntries(server: server, untagged: 300) { url, name, tier in
                func json(_ arguments: [String]) async throws -> [String: Any] {
                    let result = try await CommandLineTool.run(arguments + ["--redis", url, "--namespace", name, "--json"])
                    #expect(result.status == 0, "\(arguments): \(result.error)")
                    return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
                }
                let invalidated = try await json(["invalidate", "--tag", "docs"])
                #expect((invalidated["removed"] as? NSNumber)?.intValue == 1)
                #expect(try await tier.lookup(CacheQuery(request: "a")) == nil)
                #expect(try await tier.lookup(CacheQuery(request: "b")) != nil)

                let stats = try await json(["stats"])
                let groups = (stats["entries"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
                let answers = groups.first { $0["kind"] as? String == "exact answers" && $0["current_version"] as? Bool == true }
                #expect((answers?["keys"] as? NSNumber)?.intValue == 301, "every primary's entries counted: \(groups)")

                let inspected = try await json(["inspect", CacheKey(request: "b").hex])
                #expect(inspected["kind"] as? String == "exact answer")

                let bumped = try await json(["bump-version"])
                #expect((bumped["version"] as? NSNumber)?.intValue == 1)
                let flushed = try await json(["flush", "--yes"])
                #expect(((flushed["deleted_keys"] as? NSNumber)?.intValue ?? 0) >= 301)
                #expect(try await tier.lookup(CacheQuery(request: "b")) == nil)
            }
        }
    }
}
