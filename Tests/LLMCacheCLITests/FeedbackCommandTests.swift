import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

@Suite("llmcache feedback")
struct FeedbackCommandTests {
    @Test func wrongRemovesTheAnswerFromTheExactAndSemanticTiers() async throws {
        let url = try testRedisURL()
        let name = "cli-\(UUID().uuidString.prefix(8).lowercased())"
        let client = try RedisClient(url: url)
        let namespace = try await RedisNamespace(name: name, client: client)
        var configuration = RedisSemanticTier.Configuration(threshold: 0.9, backend: .vectorSet)
        configuration.matchGuard = nil
        let semantic = try RedisSemanticTier(
            namespace: namespace, embedder: DeterministicTestEmbedder(dimensions: 32), configuration: configuration)
        let exact = RedisExactTier(namespace: namespace)
        let query = CacheQuery(request: "capital city France")
        let entry = CacheEntry(value: Array("Lyon".utf8), createdAt: SystemCacheClock().now)
        try await exact.store(entry, for: query)
        try await semantic.store(entry, for: query)
        #expect(try await semantic.lookup(CacheQuery(request: "France capital city")) != nil)

        let result = try await CommandLineTool.run([
            "feedback", query.entryReference.description, "--wrong", "--redis", url, "--namespace", name, "--json",
        ])
        #expect(result.status == 0, "\(result.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((report["removed_keys"] as? NSNumber)?.intValue == 2)
        #expect(try await exact.lookup(query) == nil)
        #expect(try await semantic.lookup(CacheQuery(request: "France capital city")) == nil)

        let scored = try await CommandLineTool.run([
            "feedback", query.entryReference.description, "--right", "--score", "0.93", "--redis", url, "--namespace", name,
        ])
        #expect(scored.status == 0, "\(scored.error)")
        let observations = try await RedisObservationStore(namespace: namespace).observations(of: query.entryReference)
        #expect(observations.observations == [MatchObservation(score: 0.93, correct: true)])

        for invalid in [["feedback", "nonsense", "--wrong"], ["feedback", query.entryReference.description, "--right"]] {
            let refused = try await CommandLineTool.run(invalid + ["--redis", url, "--namespace", name])
            #expect(refused.status != 0)
        }
        await namespace.shutdown()
        await client.shutdown()
    }
}
