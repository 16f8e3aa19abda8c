// The caching gateway on loopback, measured with wrk (a C load generator
// in a process of its own): a chat completion's latency through it when
// the answer is in memory and when it is in Redis, what it adds to a miss
// compared with calling the upstream directly (every request a new
// question), and memory hits per second from 64 connections. GET /healthz
// on the same server, which does no cache work, is the floor a hit cannot
// go under. The upstream is scripts/http-test-server.py. The gateway and
// wrk share the machine's cores.
//
// With --litellm, each run also measures LiteLLM's proxy with its Redis
// cache (Benchmarks/litellm/litellm-bench.sh, which installs it into
// .cache/) in front of the same upstream and Redis, with wrk: as its docs
// configure it (a hit is answered from a copy in the proxy's memory) and
// reading Redis on every hit.
//
//   scripts/bench.sh GatewayBenchmark [--runs 3] [--seconds 3] [--litellm] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheGateway
import LLMCacheOpenAI
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 3
let seconds = Int(BenchmarkReport.argument("seconds") ?? "") ?? 3
let redisURL = ProcessInfo.processInfo.environment["LLMCACHE_REDIS8_URL"] ?? "redis://127.0.0.1:6379"
let withLiteLLM = CommandLine.arguments.contains("--litellm")

/// LiteLLM's proxy with its Redis cache in front of `upstream`: its script's JSON figures.
func measureLiteLLM(upstream: String) throws -> [String: Any] {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("litellm/litellm-bench.sh")
    let process = Process()
    process.executableURL = script
    process.arguments = ["--upstream", upstream + "/v1", "--redis", redisURL, "--seconds", String(seconds), "--runs", "1"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let figures = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw WrkFailure(description: "\(script.path) failed: \(String(decoding: data, as: UTF8.self))")
    }
    return figures
}

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

let question = #"{"model":"chat-ok","messages":[{"role":"user","content":"What is the capital of France?"}]}"#
let newQuestion = #"{"model":"chat-ok","messages":[{"role":"user","content":"question {n}"}]}"#

var figures: [String: [Double]] = [:]
@MainActor func note(_ name: String, _ result: Wrk.Result, latency: Bool = true) {
    precondition(result.errors == 0, "\(name): \(result.errors) failed requests")
    if latency {
        figures[name + "_p50_us", default: []].append(result.p50Microseconds)
        figures[name + "_p99_us", default: []].append(result.p99Microseconds)
    } else {
        figures[name + "_per_second", default: []].append(result.requestsPerSecond)
    }
}

var litellmVersion: String?
for _ in 0..<runs {
    let upstream = try LoopbackServer.start()
    let memory = try await RunningGateway.start(tiers: [MemoryTier(maxEntries: 100_000)], namespace: nil, upstream: upstream.baseURL)
    let redisClient = try RedisClient(url: redisURL)
    let namespace = try await RedisNamespace(name: ThrowawayNamespace.uniqueName("gateway-bench"), client: redisClient)
    let redis = try await RunningGateway.start(
        tiers: [RedisExactTier(namespace: namespace)], namespace: namespace, upstream: upstream.baseURL)
    let (memoryChat, redisChat) = ("http://127.0.0.1:\(memory.port)/v1/chat/completions", "http://127.0.0.1:\(redis.port)/v1/chat/completions")

    note("healthz", try Wrk.run(url: "http://127.0.0.1:\(memory.port)/healthz", seconds: seconds))
    _ = try Wrk.run(url: memoryChat, body: question, seconds: 1)  // stores the answer
    note("memory_hit", try Wrk.run(url: memoryChat, body: question, seconds: seconds))
    _ = try Wrk.run(url: redisChat, body: question, seconds: 1)
    note("redis_hit", try Wrk.run(url: redisChat, body: question, seconds: seconds))

    let direct = try Wrk.run(url: upstream.baseURL + "/v1/chat/completions", body: newQuestion, uniqueBodies: true, seconds: seconds)
    let through = try Wrk.run(url: memoryChat, body: newQuestion, uniqueBodies: true, seconds: seconds)
    note("upstream_direct", direct)
    note("miss_through_gateway", through)
    figures["miss_overhead_p50_us", default: []].append(through.p50Microseconds - direct.p50Microseconds)

    note("healthz_64_connections", try Wrk.run(url: "http://127.0.0.1:\(memory.port)/healthz", connections: 64, seconds: seconds), latency: false)
    note("memory_hits_64_connections", try Wrk.run(url: memoryChat, body: question, connections: 64, seconds: seconds), latency: false)
    note("redis_hits_64_connections", try Wrk.run(url: redisChat, body: question, connections: 64, seconds: seconds), latency: false)

    if withLiteLLM {
        // As LiteLLM's docs configure it (hits answered from a copy in the
        // proxy's memory), and reading Redis on every hit.
        let litellm = try measureLiteLLM(upstream: upstream.baseURL)
        let readThrough = litellm["redis_read_through"] as? [String: Any] ?? [:]
        for name in ["hit_p50_us", "hit_p99_us", "hits_per_second_64_connections"] {
            figures["litellm_" + name, default: []].append((litellm[name] as? NSNumber)?.doubleValue ?? .nan)
            figures["litellm_redis_read_through_" + name, default: []].append((readThrough[name] as? NSNumber)?.doubleValue ?? .nan)
        }
        litellmVersion = litellm["litellm_version"] as? String ?? "?"
    }

    memory.task.cancel()
    redis.task.cancel()
    try await ThrowawayNamespace.delete(namespace, client: redisClient)
    await namespace.shutdown()
    await redisClient.shutdown()
    upstream.stop()
}

var report = BenchmarkReport(name: "gateway")
report.add("runs", runs)
report.add("seconds_per_measurement", seconds)
for name in figures.keys.sorted() { report.add(name, median(figures[name]!)) }
if let litellmVersion {
    report.add("litellm_version", litellmVersion)
    report.add("hit_p50_litellm_over_ours_memory", median(figures["litellm_hit_p50_us"]!) / median(figures["memory_hit_p50_us"]!))
    report.add(
        "hit_p50_litellm_read_through_over_ours_redis",
        median(figures["litellm_redis_read_through_hit_p50_us"]!) / median(figures["redis_hit_p50_us"]!))
    report.add(
        "hits_per_second_ours_memory_over_litellm",
        median(figures["memory_hits_64_connections_per_second"]!) / median(figures["litellm_hits_per_second_64_connections"]!))
    report.add(
        "hits_per_second_ours_redis_over_litellm_read_through",
        median(figures["redis_hits_64_connections_per_second"]!)
            / median(figures["litellm_redis_read_through_hits_per_second_64_connections"]!))
}
report.add("cores", ProcessInfo.processInfo.activeProcessorCount)
report.emit()
