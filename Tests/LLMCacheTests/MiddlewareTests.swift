import LLMCache
import LLMCacheTesting
import Synchronization
import Testing

/// Records the order in which middleware saw a call.
struct TraceMiddleware: Middleware {
    let label: String
    let trace: TraceLog

    func handle(_ input: String, next: (String) async throws -> String) async throws -> String {
        trace.append("\(label) in")
        let output = try await next(input)
        trace.append("\(label) out")
        return output
    }
}

/// A shareable trace, so middleware values can write to it.
final class TraceLog: Sendable {
    private let storage = CacheLock<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}

@Suite("Middleware")
struct MiddlewareTests {
    let clock = ManualCacheClock()

    @Test func chainRunsOutermostFirst() async throws {
        let trace = TraceLog()
        let chain = MiddlewareChain<String, String> {
            TraceMiddleware(label: "outer", trace: trace)
            TraceMiddleware(label: "inner", trace: trace)
        }
        let output = try await chain.handle("x") { input in
            trace.append("endpoint")
            return input.uppercased()
        }
        #expect(output == "X")
        #expect(trace.lines == ["outer in", "inner in", "endpoint", "inner out", "outer out"])
    }

    @Test func cacheMiddlewareAnswersWithoutReachingTheInnerChain() async throws {
        let trace = TraceLog()
        let model = CountingModel()
        let cache = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        let chain = MiddlewareChain<String, String>([
            TraceMiddleware(label: "logging", trace: trace),
            CacheMiddleware<String, String>(stack: cache),
            TraceMiddleware(label: "retry", trace: trace),
        ])
        let ask = chain.wrap(model.answer)
        let first = try await ask("q")
        let second = try await ask("q")
        #expect(first == second && model.callCount == 1)
        #expect(trace.lines.filter { $0 == "retry in" }.count == 1, "the cache answered the second call")
        #expect(trace.lines.filter { $0 == "logging in" }.count == 2)
    }

    @Test func closureMiddlewareCanAnswerByItself() async throws {
        let chain = MiddlewareChain<String, String> {
            ClosureMiddleware { input, next in input.isEmpty ? "empty prompt" : try await next(input) }
        }
        #expect(try await chain.handle("") { _ in "model" } == "empty prompt")
        #expect(try await chain.handle("hi") { _ in "model" } == "model")
    }
}
