import Foundation
import LLMCacheRedis
import Testing

/// What the examples are run with: the test Redis, and no real model
/// endpoint even if the developer's shell has one configured.
func exampleEnvironment() throws -> [String: String] {
    let url = try testRedisURL()
    return ["LLMCACHE_REDIS_URL": url, "LLMCACHE_REDIS8_URL": url, "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""]
}

/// The answers' sources an example printed for `request`, in order: the text
/// after `separator` on every line that starts with `request` (after indentation).
func sources(of request: String, in output: String, after separator: String) -> [String] {
    output.split(separator: "\n").map { $0.drop { $0 == " " } }
        .filter { $0.hasPrefix(request + " ") }
        .compactMap { line in line.range(of: separator).map { String(line[$0.upperBound...]) } }
}

@Suite("Examples run to completion")
struct ExampleTests {
    @Test func semanticFAQAnswersParaphrasesAndLetsTheGuardVeto() async throws {
        let result = try await CommandLineTool.run([], executable: "SemanticFAQ")
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        func outcome(of question: String) -> String? { lines.first { $0.hasSuffix(question) }.map { String($0.prefix(4)) } }
        #expect(outcome(of: "how to cancel subscription") == "HIT ")
        #expect(outcome(of: "Refund policy for a yearly plan?") == "HIT ")
        #expect(outcome(of: "Is my data not encrypted at rest?") == "MISS", "negation vetoed")
        #expect(outcome(of: "Do you offer a discount for 50 seats?") == "MISS", "other number vetoed")
        #expect(outcome(of: "What's the weather in Paris?") == "MISS")
    }

    @Test func quickStartAnswersFromEveryTier() async throws {
        let result = try await CommandLineTool.run(["--fresh"], executable: "QuickStart", environment: try exampleEnvironment())
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Model: LOCAL STAND-IN"))
        func answeredBy(_ question: String) -> [String] { sources(of: question, in: result.output, after: " ms  ") }
        #expect(answeredBy("What is the capital of France?") == ["model", "memory", "model"], "repeat, then invalidated")
        let paraphrase = answeredBy("Capital of France?")
        #expect(paraphrase.count == 2 && paraphrase[0].hasPrefix("redis-semantic (similarity") && paraphrase[1] == "memory")
        #expect(answeredBy("How many legs does a spider have?") == ["model", "model"], "another system prompt")
        #expect(answeredBy("What is 25% of 80?") == ["model"], "another number")
        // Five identical requests at once, one model call: the others share it,
        // or (a slow lookup finishing after the answer was stored) hit the cache.
        let burst = answeredBy("Why is the sky blue?")
        #expect(burst.count == 5 && burst.filter { $0 == "model" }.count == 1, "\(burst)")
        #expect(burst.allSatisfy { $0 == "model" || $0 == "model (shared call)" || !$0.hasPrefix("model") }, "\(burst)")
    }

    @Test func customStackShowsNamespacesItsGuardOptionsAndItsOwnTier() async throws {
        let result = try await CommandLineTool.run([], executable: "CustomStack", environment: try exampleEnvironment())
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Model: LOCAL STAND-IN"))
        func answeredBy(_ request: String) -> [String] {
            sources(of: request, in: result.output, after: " → ").map { String($0.prefix { $0 != "," && $0 != " " }) }
        }
        #expect(answeredBy("[support] How do I reset my password?") == ["model", "memory", "memory"])
        #expect(answeredBy("[billing] How do I reset my password?") == ["model"], "namespaces do not share")
        #expect(answeredBy("[billing] What is the monthly price of the Pro plan?") == ["redis-semantic"])
        #expect(result.output.contains("guard: vetoed \"How much does the Pro plan cost per month?\""))
        #expect(answeredBy("[billing] How much does the Free plan cost per month?") == ["model"], "the guard vetoed")
        #expect(answeredBy("[support] Is there a status page?") == ["model", "model"], "expired after its TTL")
        #expect(answeredBy("[billing] Can I get a refund?") == ["model", "model"], "invalidated by tag")
        #expect(answeredBy("[billing] My card ending 4242 was declined, what now?") == ["model", "model"], "never stored")
        #expect(result.output.contains("replayed 4 records into 2 entries"))
        #expect(result.output.contains("a stack of only the replayed log: \"How do I reset my password?\" → wal:"))
        #expect(result.output.contains("model calls: 11"))
        try await expectDeleted(namespacesNamedIn: result.output)
    }

    @Test func invalidationReachesTheOtherSidesMemoryTier() async throws {
        let result = try await CommandLineTool.run([], executable: "Invalidation", environment: try exampleEnvironment())
        #expect(result.status == 0, "\(result.error)")
        func answeredBy(_ request: String) -> [String] {
            sources(of: request, in: result.output, after: " → ").map { String($0.prefix { $0 != "," }) }
        }
        #expect(answeredBy("A  What does the Pro plan cost?") == ["model", "redis"])
        #expect(answeredBy("B  What does the Pro plan cost?") == ["redis", "model"])
        #expect(answeredBy("B  How do I export my data?") == ["redis", "memory"])
        #expect(answeredBy("A  How do I export my data?") == ["model", "model"], "the version bump retired it")
        #expect(result.output.contains("B's memory tier dropped the 2 \"pricing\" entries"))
        #expect(result.output.contains("(3 → 1)"))
        #expect(result.output.contains("A's namespace saw version"))
        #expect(result.output.contains("A's memory tier dropped everything of version") && result.output.contains("(2 → 1)"))
        #expect(result.output.contains("model calls: 5"))
        try await expectDeleted(namespacesNamedIn: result.output)
    }

    @Test func examplesNeedingRedisSayHowToGetOne() async throws {
        var environment = try exampleEnvironment()
        environment["LLMCACHE_REDIS_URL"] = "redis://127.0.0.1:1"
        for example in ["Invalidation", "CustomStack"] {
            let result = try await CommandLineTool.run([], executable: example, environment: environment)
            #expect(result.status == 1)
            #expect(result.error.contains("needs a Redis server") && result.error.contains("scripts/example.sh \(example)"))
        }
    }

    /// The examples delete their namespaces at the end: nothing of them is left.
    func expectDeleted(namespacesNamedIn output: String) async throws {
        let names = output.split(separator: "\"").filter { $0.hasPrefix("support-") || $0.hasPrefix("billing-") || $0.hasPrefix("invalidation-demo-") }
        #expect(!names.isEmpty)
        try await withRedisClient(try RedisConfiguration(url: try testRedisURL())) { client in
            for name in names {
                let keys = try await client.execute(RedisCommand("KEYS", "llmcache:\(name):*")).array ?? []
                #expect(keys.isEmpty, "\(name)")
            }
        }
    }

    @Test func streamingReplaysTheSecondAnswerFromTheCache() async throws {
        let result = try await CommandLineTool.run(["--fresh", "--stand-in"], executable: "Streaming", environment: try exampleEnvironment())
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("LOCAL STAND-IN"))
        let answers = result.output.split(separator: "\n").filter { $0.hasPrefix("  answered by") }
        #expect(answers.count == 2)
        #expect(answers.first?.contains("answered by the model") == true)
        #expect(answers.last?.contains("answered by the cache, tier \"memory\"") == true)
        #expect(result.output.contains("the replay is identical to the first answer"))
        #expect(result.output.contains("Two identical requests at once: 1 model call,"))
    }
}
