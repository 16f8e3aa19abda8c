// The caching gateway on loopback: a chat completion's latency through it
// when the answer is in memory and when it is in Redis, what it adds to a
// miss compared with calling the upstream directly, and memory hits per
// second from 64 concurrent connections. The upstream is
// scripts/http-test-server.py; the client is the project's libcurl client,
// on the same two cores as the gateway; GET /healthz through the same
// client and server is the floor a hit cannot go under.
//
//   scripts/bench.sh GatewayBenchmark [--runs 3] [--calls 2000] [--seconds 3] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheGateway
import LLMCacheOpenAI
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 3
let calls = Int(BenchmarkReport.argument("calls") ?? "") ?? 2_000
let seconds = Double(BenchmarkReport.argument("seconds") ?? "") ?? 3
let redisURL = ProcessInfo.processInfo.environment["LLMCACHE_REDIS8_URL"] ?? "redis://127.0.0.1:6379"

/// A gateway over `tiers` in front of `upstream`, running until `stop()`.
struct RunningGateway {
    let port: Int
    let task: Task<Void, any Error>

    static func start(tiers: [any CacheTier], namespace: RedisNamespace?, upstream: String) async throws -> RunningGateway {
        let stack = CacheStack(
            tiers: tiers, configuration: .init(cacheabilityPolicy: nil),
            versionSource: namespace ?? LocalNamespaceVersion())
        let gateway = Gateway(configuration: GatewayConfiguration(port: 0, upstream: upstream + "/v1"), stack: stack)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await gateway.run(handlingSignals: false) { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        return RunningGateway(port: await iterator.next() ?? 0, task: task)
    }
}

let client = HTTPClient(configuration: .init(retryPolicy: .none, maxConcurrentTransfers: 64))

func chat(_ base: String, _ question: String) async throws {
    let body = "{\"model\":\"chat-ok\",\"messages\":[{\"role\":\"user\",\"content\":\"\(question)\"}]}"
    let response = try await client.send(
        HTTPRequest(
            method: .post, url: base + "/v1/chat/completions",
            headers: [(name: "Content-Type", value: "application/json")], body: Array(body.utf8)))
    precondition(response.status == 200, "status \(response.status)")
}

var figures: [String: [Double]] = [:]
@MainActor func note(_ name: String, _ value: Double) { figures[name, default: []].append(value) }

for run in 0..<runs {
    let upstream = try LoopbackServer.start()
    let memory = try await RunningGateway.start(tiers: [MemoryTier(maxEntries: 1000)], namespace: nil, upstream: upstream.baseURL)
    let redisClient = try RedisClient(url: redisURL)
    let namespace = try await RedisNamespace(name: ThrowawayNamespace.uniqueName("gateway-bench"), client: redisClient)
    let redis = try await RunningGateway.start(
        tiers: [RedisExactTier(namespace: namespace)], namespace: namespace, upstream: upstream.baseURL)
    let (memoryBase, redisBase) = ("http://127.0.0.1:\(memory.port)", "http://127.0.0.1:\(redis.port)")

    // The floor: the same client and server answering a route with no cache work.
    let health = try await sampleSequentially(count: calls) { _ in
        _ = try await client.send(HTTPRequest(url: memoryBase + "/healthz"))
    }
    note("healthz_p50_us", health.p50)

    try await chat(memoryBase, "What is the capital of France?")
    let memoryHits = try await sampleSequentially(count: calls) { _ in try await chat(memoryBase, "What is the capital of France?") }
    note("memory_hit_p50_us", memoryHits.p50)
    note("memory_hit_p99_us", memoryHits.p99)

    try await chat(redisBase, "What is the capital of France?")
    try await Task.sleep(for: .milliseconds(100))  // the write-behind store
    let redisHits = try await sampleSequentially(count: calls) { _ in try await chat(redisBase, "What is the capital of France?") }
    note("redis_hit_p50_us", redisHits.p50)
    note("redis_hit_p99_us", redisHits.p99)

    let misses = min(calls, 500)
    let direct = try await sampleSequentially(count: misses) { index in try await chat(upstream.baseURL, "direct \(run) \(index)") }
    let through = try await sampleSequentially(count: misses) { index in try await chat(memoryBase, "through \(run) \(index)") }
    note("upstream_direct_p50_us", direct.p50)
    note("miss_through_gateway_p50_us", through.p50)
    note("miss_overhead_p50_us", through.p50 - direct.p50)

    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let served = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<64 {
            group.addTask {
                var count = 0
                while ContinuousClock.now < deadline {
                    try await chat(memoryBase, "What is the capital of France?")
                    count += 1
                }
                return count
            }
        }
        var total = 0
        for try await count in group { total += count }
        return total
    }
    note("memory_hits_per_second_64_connections", Double(served) / (ContinuousClock.now - started).secondsDouble)

    memory.task.cancel()
    redis.task.cancel()
    try await ThrowawayNamespace.delete(namespace, client: redisClient)
    await namespace.shutdown()
    await redisClient.shutdown()
    upstream.stop()
}

var report = BenchmarkReport(name: "gateway")
report.add("runs", runs)
report.add("sequential_calls", calls)
for name in figures.keys.sorted() { report.add(name, median(figures[name]!)) }
report.add("cores", ProcessInfo.processInfo.activeProcessorCount)
report.emit()

extension Duration {
    var secondsDouble: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
