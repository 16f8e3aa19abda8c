// RedisClient against the local Redis 8.2.3 cluster (3 primaries + 3
// replicas, scripts/redis.sh) next to the standalone Redis 8 server of the
// same run: how evenly entry keys spread over the primaries, 64-task GET
// throughput on 1 server vs 3 primaries (with each primary's own count of
// GETs from INFO commandstats), GET latency while slots are resharded, and
// the time from a primary's SIGKILL to the first answer for its slots.
//
//   scripts/bench.sh ClusterBenchmark [--runs 3] [--entries 100000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Synchronization

let environment = ProcessInfo.processInfo.environment
let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 3
let entries = Int(BenchmarkReport.argument("entries") ?? "") ?? 100_000
let lookups = Int(BenchmarkReport.argument("lookups") ?? "") ?? 200_000
let tasks = 64
guard let clusterURL = environment["LLMCACHE_REDIS8_CLUSTER_URL"], let singleURL = environment["LLMCACHE_REDIS8_URL"],
    let cli = environment["LLMCACHE_REDIS_CLI"], let server = environment["LLMCACHE_REDIS8_SERVER"]
else {
    FileHandle.standardError.write(Data("run through scripts/bench.sh, which starts redis8 and redis8-cluster\n".utf8))
    exit(2)
}

let cluster = RedisClient(configuration: try RedisConfiguration(url: clusterURL))
let single = RedisClient(configuration: try RedisConfiguration(url: singleURL))
let keyspace = try RedisKeyspace(namespace: ThrowawayNamespace.uniqueName("cluster-bench"))
let value = Array(BenchmarkPayload.prose(bytes: 2048).utf8)
// Entry keys as the exact tier names them, for 100k distinct requests.
let keys = (0..<entries).map { keyspace.entryKey(CacheKey(request: "request \($0)"), version: 0) }

print("writing \(entries) entries to both", to: &standardError)
for client in [cluster, single] {
    try await forEach(keys, tasks: tasks) { key in try await client.execute(RedisCommand("SET", key, value, "EX", 3600)) }
}

// Keys per primary.
let primaries = try await Primaries.read(cluster)
var perPrimary: [Int] = []
for primary in primaries {
    var count = 0
    try await primary.client.scan(matching: keyspace.pattern) { count += $0.count }
    perPrimary.append(count)
}
let even = Double(entries) / Double(primaries.count)
let spread = perPrimary.map { (Double($0) - even) / even * 100 }

// 64 tasks of GETs: one server against three primaries.
func throughput(_ client: RedisClient) async throws -> Double {
    var rates: [Double] = []
    for _ in 0..<runs {
        let sample = try await sampleConcurrently(tasks: tasks, operationsPerTask: lookups / tasks) { task, index in
            let key = keys[(task &* 7_919 &+ index &* 104_729) % keys.count]
            let found = try await client.execute(RedisCommand("GET", key)).bytes?.count
            precondition(found == value.count)
        }
        rates.append(sample.operationsPerSecond)
    }
    return median(rates)
}
let before = try await primaries.asyncMap { try await $0.getCalls() }
let singleRate = try await throughput(single)
let clusterRate = try await throughput(cluster)
let after = try await primaries.asyncMap { try await $0.getCalls() }
let getsPerPrimary = zip(after, before).map { $0 - $1 }

// GETs while 1,000 slots move from the first primary to the second.
print("resharding 1000 slots during 64 tasks of GETs", to: &standardError)
let reshardDone = Atomic(false)
let reshard = Task.detached {
    defer { reshardDone.store(true, ordering: .releasing) }
    return try ChildProcess.run(cli, [
        "--cluster", "reshard", primaries[0].address, "--cluster-from", primaries[0].id, "--cluster-to", primaries[1].id,
        "--cluster-slots", "1000", "--cluster-yes", "--cluster-pipeline", "100",
    ])
}
var duringReshard: [Double] = []
let reshardErrors = Atomic(0)
let reshardStart = ContinuousClock.now
while true {
    let offset = duringReshard.count
    let sample = try await sampleConcurrently(tasks: tasks, operationsPerTask: 200) { task, index in
        let key = keys[(task &* 7_919 &+ index &* 104_729 &+ offset) % keys.count]
        if (try? await cluster.execute(RedisCommand("GET", key)))?.bytes?.count != value.count {
            reshardErrors.add(1, ordering: .relaxed)
        }
    }
    duringReshard += sample.microseconds.sorted
    if reshardDone.load(ordering: .acquiring) { break }
}
let reshardStatus = try await reshard.value
let reshardSeconds = (ContinuousClock.now - reshardStart) / .seconds(1)
let reshardLatency = Percentiles(duringReshard)
let counters = cluster.clusterCounters ?? ClusterCounters()

// SIGKILL of the primary now serving the first key: time to its first answer again.
print("killing a primary", to: &standardError)
let probe = keys[0]
let afterReshard = try await Primaries.read(cluster)
guard let victim = afterReshard.first(where: { $0.serves(HashSlot(key: probe)) }) else {
    fatalError("no primary serves the probe's slot")
}
let pid = try await victim.processID()
let directory = try await victim.directory()
kill(pid, SIGKILL)
let killedAt = ContinuousClock.now
var failedProbes = 0
while true {
    if (try? await cluster.execute(RedisCommand("GET", probe)))?.bytes?.count == value.count { break }
    failedProbes += 1
    try await Task.sleep(for: .milliseconds(10))
}
let failoverSeconds = (ContinuousClock.now - killedAt) / .seconds(1)
try ClusterNode.restart(binary: server, port: victim.port, directory: directory)

for client in [cluster, single] {
    try await forEach(keys, tasks: tasks) { key in try await client.execute(RedisCommand("DEL", key)) }
}
for primary in primaries + afterReshard { await primary.client.shutdown() }
await cluster.shutdown()
await single.shutdown()

var report = BenchmarkReport(name: "redis-cluster")
report.add("runs", runs)
report.add("entries", entries)
report.add("primaries", primaries.count)
report.add("keys_per_primary", perPrimary.map(String.init).joined(separator: " "))
report.add("largest_deviation_from_even_percent", spread.map(abs).max() ?? 0)
report.add("concurrent_tasks", tasks)
report.add("single_server_gets_per_second", singleRate)
report.add("cluster_gets_per_second", clusterRate)
report.add("gets_per_primary_during_cluster_runs", getsPerPrimary.map(String.init).joined(separator: " "))
report.add("reshard_slots", 1000)
report.add("reshard_seconds", reshardSeconds)
report.add("reshard_exit_status", Int(reshardStatus))
report.add("get_p50_during_reshard_us", reshardLatency.median)
report.add("get_p99_during_reshard_us", reshardLatency.value(at: 0.99))
report.add("gets_during_reshard", duringReshard.count)
report.add("failed_gets_during_reshard", reshardErrors.load(ordering: .relaxed))
report.add("moved_followed", counters.moved)
report.add("ask_followed", counters.asked)
report.add("retried", counters.retried)
report.add("failover_seconds_to_first_answer", failoverSeconds)
report.add("failed_probes_during_failover", failedProbes)
report.emit()
