// RedisExactTier figures against a real Redis, next to a bare hiredis GET and
// redis-benchmark on the same server in the same run: a hit from a task on
// the cooperative pool and from a task that prefers a connection's thread
// (`client.taskExecutor`); a bare hiredis GET alone and followed by the same
// frame decoding a hit does; a GET through our client with no tier logic;
// hits over TLS through a stunnel front (when scripts/redis.sh provides one).
//
//   scripts/bench.sh RedisBenchmark [--runs 5] [--json]
//   (or: LLMCACHE_REDIS8_URL=redis://127.0.0.1:PORT swift run -c release RedisBenchmark)
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let samplesPerRun = Int(BenchmarkReport.argument("samples") ?? "") ?? 20_000
let concurrentLookups = Int(BenchmarkReport.argument("lookups") ?? "") ?? 200_000
let tasks = 64
// Calls made and discarded before each measured phase. On a virtual machine
// the first few thousand round trips run while the scheduler still keeps
// client and server on one vCPU (≈ 25 µs a GET here); it then settles them on
// two, where every wake-up crosses vCPUs (≈ 80 µs). Both sides are measured
// in that steady state.
let warmUp = Int(BenchmarkReport.argument("warm-up") ?? "") ?? 5_000
guard let url = BenchmarkReport.argument("url") ?? ProcessInfo.processInfo.environment["LLMCACHE_REDIS8_URL"] else {
    FileHandle.standardError.write(Data("set LLMCACHE_REDIS8_URL or pass --url (scripts/bench.sh starts a server)\n".utf8))
    exit(2)
}
var configuration = try RedisConfiguration(url: url)
if let pool = BenchmarkReport.argument("pool").flatMap(Int.init) { configuration.poolSize = pool }
if let spin = BenchmarkReport.argument("idle-spin-us").flatMap(Int.init) { configuration.idleSpin = .microseconds(spin) }
if let spin = BenchmarkReport.argument("reply-spin-us").flatMap(Int.init) { configuration.replySpin = .microseconds(spin) }
guard case .tcp(let host, let port) = configuration.endpoint else { fatalError("TCP endpoints only") }

// A 2 KB answer of English words in a seeded order (compresses like prose).
let answer = BenchmarkPayload.prose(bytes: 2048)
let response = BenchmarkPayload.response(answer: answer)
let request = BenchmarkPayload.request

let client = RedisClient(configuration: configuration)
let namespace = try await RedisNamespace(name: ThrowawayNamespace.uniqueName("bench"), client: client)
let tier = RedisExactTier(namespace: namespace)
let query = CacheQuery(request: request, semantic: false)
let now = SystemCacheClock().now
let entry = CacheEntry(
    value: try response.cacheEncoded(), createdAt: now, expiresAt: now.advanced(by: .seconds(3600)),
    usage: response.usage, model: response.model)
try await tier.store(entry, for: query)
let entryKey = String(decoding: namespace.keyspace.entryKey(query.key, version: namespace.current), as: UTF8.self)
let storedBytes = try await client.execute(RedisCommand("STRLEN", entryKey)).int ?? 0

let stack = CacheStack { tier }
let redisOnlyAsk = stack.wrap { (_: ChatRequest) async throws -> ChatResponse in fatalError("must hit") }

var bare: [Double] = []
var bareDecoded: [Double] = []
var tierHit: [Double] = []
var clientGet: [Double] = []
var clientGetOnConnection: [Double] = []
var tierHitOnConnection: [Double] = []
var wrappedHit: [Double] = []
var throughput: [Double] = []
for _ in 0..<runs {
    bare.append(Percentiles(BareHiredis(host: host, port: port).getLatencies(key: entryKey, count: samplesPerRun, warmUp: warmUp)).median)
    bareDecoded.append(Percentiles(BareHiredis(host: host, port: port).getLatencies(
        key: entryKey, count: samplesPerRun, warmUp: warmUp
    ) { frame in _ = try! tier.configuration.codec.decodeEntry(frame) }).median)
    tierHit.append(try await tierHitP50(tier, query: query, warmUp: warmUp, samples: samplesPerRun))
    wrappedHit.append(try await wrappedHitP50(redisOnlyAsk, request: request, warmUp: warmUp, samples: samplesPerRun))
    tierHitOnConnection.append(try await withTaskExecutorPreference(client.taskExecutor) {
        try await tierHitP50(tier, query: query, warmUp: warmUp, samples: samplesPerRun)
    })
    clientGet.append(try await clientGetP50(client, key: entryKey, warmUp: warmUp, samples: samplesPerRun))
    clientGetOnConnection.append(try await withTaskExecutorPreference(client.taskExecutor) {
        try await clientGetP50(client, key: entryKey, warmUp: warmUp, samples: samplesPerRun)
    })
    let concurrent = try await sampleConcurrently(tasks: tasks, operationsPerTask: concurrentLookups / tasks) { _, _ in
        let hit = try await tier.lookup(query)
        precondition(hit != nil)
    }
    throughput.append(concurrent.operationsPerSecond)
}

// Promotion: a Redis hit, then the same request is answered by memory.
let memory = MemoryTier(maxEntries: 100)
let promoting = CacheStack(tiers: [memory, tier], versionSource: namespace)
let first = try await promoting.response(for: request) { _ in response }
let second = try await promoting.response(for: request) { _ in response }
let promoted = first.source == .tier(name: "redis", similarity: nil, matchedText: nil)
    && second.source == .tier(name: "memory", similarity: nil, matchedText: nil)

/// redis-benchmark's own GET figure on the same server, if the tool is installed.
func redisBenchmarkGet() -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["redis-benchmark", "-h", host, "-p", "\(port)", "-t", "get", "-d", "2048", "-q", "-n", "200000"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    // "GET: 123456.79 requests per second, p50=0.207 msec"
    guard let line = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).last(where: { $0.hasPrefix("GET:") }),
          let number = line.dropFirst(4).split(separator: " ").first else { return nil }
    return Double(number)
}

let tls = try await TLSHits.measure(
    port: port, namespace: namespace.keyspace.namespace, query: query, runs: runs, warmUp: warmUp,
    samples: samplesPerRun, lookups: concurrentLookups, tasks: tasks, poolSize: configuration.poolSize)

try await ThrowawayNamespace.delete(namespace, client: client)
await namespace.shutdown()
await client.shutdown()

var report = BenchmarkReport(name: "redis-exact-tier")
report.add("runs", runs)
report.add("server", url)
report.add("answer_bytes", answer.utf8.count)
report.add("stored_frame_bytes", Int(storedBytes))
report.add("bare_hiredis_get_p50_us", median(bare))
report.add("tier_hit_p50_us", median(tierHit))
report.add("tier_hit_over_bare", median(tierHit) / median(bare))
report.add("bare_hiredis_get_and_decode_p50_us", median(bareDecoded))
report.add("tier_hit_over_bare_get_and_decode", median(tierHit) / median(bareDecoded))
report.add("wrapped_redis_hit_p50_us", median(wrappedHit))
report.add("client_get_p50_us", median(clientGet))
report.add("client_get_on_connection_thread_p50_us", median(clientGetOnConnection))
report.add("tier_hit_on_connection_thread_p50_us", median(tierHitOnConnection))
report.add("tier_hit_on_connection_thread_over_bare", median(tierHitOnConnection) / median(bare))
report.add("tier_hit_on_connection_thread_over_bare_get_and_decode", median(tierHitOnConnection) / median(bareDecoded))
report.add("concurrent_tasks", tasks)
report.add("pool_size", configuration.poolSize)
report.add("warm_up_calls", warmUp)
report.add("idle_spin_us", Int(configuration.idleSpin / .microseconds(1)))
report.add("reply_spin_us", Int(configuration.replySpin / .microseconds(1)))
report.add("concurrent_lookups_per_second", median(throughput))
report.add("redis_benchmark_get_2048_rps", redisBenchmarkGet() ?? 0)
report.add("promoted_to_memory", promoted ? "yes" : "no")
if let tls {
    report.add("tls_tier_hit_p50_us", tls.hitP50)
    report.add("tls_concurrent_lookups_per_second", tls.concurrentLookupsPerSecond)
}
report.emit()
