// Memory-tier figures: the cost of a hit through a whole wrapped closure, and
// lookup throughput under contention.
//
//   swift run -c release MemoryTierBenchmark [--runs 5] [--calls 200000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let calls = Int(BenchmarkReport.argument("calls") ?? "") ?? 200_000
let lookupsPerTask = Int(BenchmarkReport.argument("lookups") ?? "") ?? 1_000_000
let tasks = 8

// A 2 KB answer of real-looking English.
let sentence = "The cache returns the stored answer without calling the model again, which saves time and money. "
let answer = String(String(repeating: sentence, count: 2048 / sentence.utf8.count + 1).utf8.prefix(2048))!
let request = ChatRequest(
    model: "gpt-4o-mini",
    messages: [.system("You are a concise assistant."), .user("How does a response cache save money on LLM calls?")],
    temperature: 0)
let response = ChatResponse(
    id: "bench", model: "gpt-4o-mini", created: 1_700_000_000,
    choices: [.init(message: .assistant(answer))], usage: TokenUsage(promptTokens: 30, completionTokens: 450))

/// p50 and p99 of one wrapped-closure hit, in microseconds.
func measureWrappedHits() async throws -> (p50: Double, p99: Double) {
    let stack = CacheStack { MemoryTier(maxEntries: 10_000, maxBytes: 64 << 20, ttl: .seconds(300)) }
    let cachedAsk = stack.wrap { (_: ChatRequest) async throws -> ChatResponse in response }
    _ = try await cachedAsk(request)
    var samples = [Double](repeating: 0, count: calls)
    for index in 0..<calls {
        let start = DispatchTime.now().uptimeNanoseconds
        let hit = try await cachedAsk(request)
        samples[index] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
        precondition(hit.choices.count == 1)
    }
    precondition(stack.statistics.computed == 1, "every measured call must be a hit")
    let percentiles = Percentiles(samples)
    return (percentiles.value(at: 0.5), percentiles.value(at: 0.99))
}

/// Lookups per second with `tasks` tasks hammering one tier.
func measureConcurrentLookups() async -> Double {
    let tier = MemoryTier(maxEntries: 10_000, maxBytes: 64 << 20, ttl: .seconds(300))
    let queries = (0..<1_000).map { CacheQuery(request: "question \($0)") }
    let entry = CacheEntry(
        value: try! response.cacheEncoded(), createdAt: SystemCacheClock().now,
        expiresAt: SystemCacheClock().now.advanced(by: .seconds(3600)))
    for query in queries { tier.store(entry, for: query) }
    let start = DispatchTime.now().uptimeNanoseconds
    let hits = await withTaskGroup(of: Int.self) { group in
        for task in 0..<tasks {
            group.addTask {
                var hits = 0
                for index in 0..<lookupsPerTask where tier.lookup(queries[(index &* 7 &+ task) % queries.count]) != nil {
                    hits += 1
                }
                return hits
            }
        }
        return await group.reduce(0, +)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    precondition(hits == tasks * lookupsPerTask, "every lookup must hit")
    return Double(hits) / seconds
}

var p50s: [Double] = []
var p99s: [Double] = []
var throughputs: [Double] = []
for _ in 0..<runs {
    let (p50, p99) = try await measureWrappedHits()
    p50s.append(p50)
    p99s.append(p99)
    throughputs.append(await measureConcurrentLookups())
}

var report = BenchmarkReport(name: "memory-tier")
report.add("runs", runs)
report.add("answer_bytes", answer.utf8.count)
report.add("wrapped_hit_calls_per_run", calls)
report.add("wrapped_hit_p50_us", median(p50s))
report.add("wrapped_hit_p99_us", median(p99s))
report.add("concurrent_tasks", tasks)
report.add("concurrent_lookups_per_task", lookupsPerTask)
report.add("concurrent_lookups_per_second", median(throughputs))
report.add("cores", ProcessInfo.processInfo.activeProcessorCount)
report.emit()
