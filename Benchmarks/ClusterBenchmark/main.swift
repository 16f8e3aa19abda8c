// The exact tier against the local Redis 8.2.3 cluster (3 primaries + 3
// replicas, scripts/redis.sh) next to the standalone Redis 8 server of the
// same run: how evenly entries spread over the primaries, 64-task lookup
// throughput on 1 server vs 3 primaries (with each primary's own count of
// GETs from INFO commandstats), tag invalidation time (every key group on a
// cluster), lookup latency while slots are resharded, and the time from a
// primary's SIGKILL to the first hit for its slots.
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
let name = ThrowawayNamespace.uniqueName("cluster-bench")
let clusterNamespace = try await RedisNamespace(name: name, client: cluster)
let singleNamespace = try await RedisNamespace(name: name, client: single)
let clusterTier = RedisExactTier(namespace: clusterNamespace)
let singleTier = RedisExactTier(namespace: singleNamespace)
let keyspace = clusterNamespace.keyspace
let value = BenchmarkPayload.prose(bytes: 2048)
// 100k distinct requests, each tagged with one of 1,000 tags.
let queries = (0..<entries).map { CacheQuery(request: "request \($0)") }
let tagCount = 1_000
@Sendable func entry(_ index: Int) -> CacheEntry {
    CacheEntry(
        value: Array(value.utf8), createdAt: SystemCacheClock().now, expiresAt: SystemCacheClock().now.advanced(by: .seconds(3600)),
        tags: ["tag \(index % tagCount)"])
}

print("storing \(entries) entries in both", to: &standardError)
for tier in [clusterTier, singleTier] {
    try await forEachConcurrently(Array(queries.indices), tasks: tasks) { index in try await tier.store(entry(index), for: queries[index]) }
}

// Keys per primary.
let primaries = try await Primaries.read(cluster)
var perPrimary: [Int] = []
for primary in primaries {
    var count = 0
    try await primary.client.scan(matching: keyspace.pattern) { keys in
        count += keys.filter { if case .exactEntry = keyspace.kind(of: $0) { true } else { false } }.count
    }
    perPrimary.append(count)
}
let even = Double(entries) / Double(primaries.count)
let spread = perPrimary.map { (Double($0) - even) / even * 100 }

/// Whether the exact tier hits for a request derived from `n`, among those
/// whose tags are never invalidated (tags from 500 up; the invalidations
/// below take tags from 0).
@Sendable func hit(_ tier: RedisExactTier, _ n: Int) async throws -> Bool {
    let index = n % entries
    let kept = index % tagCount < tagCount / 2 ? (index + tagCount / 2) % entries : index
    return try await tier.lookup(queries[kept])?.entry.value.count == value.utf8.count
}

// 64 tasks of lookups: one server against three primaries.
func throughput(_ tier: RedisExactTier) async throws -> Double {
    var rates: [Double] = []
    for _ in 0..<runs {
        let sample = try await sampleConcurrently(tasks: tasks, operationsPerTask: lookups / tasks) { task, index in
            let found = try await hit(tier, task &* 7_919 &+ index &* 104_729)
            precondition(found)
        }
        rates.append(sample.operationsPerSecond)
    }
    return median(rates)
}
let before = try await primaries.asyncMap { try await $0.getCalls() }
let singleRate = try await throughput(singleTier)
let clusterRate = try await throughput(clusterTier)
let after = try await primaries.asyncMap { try await $0.getCalls() }
let getsPerPrimary = zip(after, before).map { $0 - $1 }

// Invalidating one tag of 100 entries, `runs` × 10 tags per server.
func invalidationMilliseconds(_ tier: RedisExactTier, first: Int) async throws -> (Double, Int) {
    var times: [Double] = []
    var removed = 0
    for tag in first..<(first + runs * 10) {
        let started = ContinuousClock.now
        removed += try await tier.invalidate(tags: ["tag \(tag)"])
        times.append((ContinuousClock.now - started) / .milliseconds(1))
    }
    return (median(times), removed)
}
let (singleInvalidation, singleRemoved) = try await invalidationMilliseconds(singleTier, first: 0)
let (clusterInvalidation, clusterRemoved) = try await invalidationMilliseconds(clusterTier, first: 0)

// Lookups while 1,000 slots move from the first primary to the second.
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
        if (try? await hit(clusterTier, task &* 7_919 &+ index &* 104_729 &+ offset)) != true {
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

// SIGKILL of the primary now serving a probe entry: time to its first hit again.
print("killing a primary", to: &standardError)
let probe = tagCount / 2
let afterReshard = try await Primaries.read(cluster)
guard let victim = afterReshard.first(where: { $0.serves(HashSlot(key: keyspace.entryKey(queries[probe].key, version: 0))) }) else {
    fatalError("no primary serves the probe's slot")
}
let pid = try await victim.processID()
let directory = try await victim.directory()
kill(pid, SIGKILL)
let killedAt = ContinuousClock.now
var failedProbes = 0
while true {
    if (try? await clusterTier.lookup(queries[probe]))?.entry.value.count == value.utf8.count { break }
    failedProbes += 1
    try await Task.sleep(for: .milliseconds(10))
}
let failoverSeconds = (ContinuousClock.now - killedAt) / .seconds(1)
try ClusterNode.restart(binary: server, port: victim.port, directory: directory)

for namespace in [clusterNamespace, singleNamespace] {
    try await namespace.removeAllEntries(includingSettings: true)
    await namespace.shutdown()
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
report.add("single_server_lookups_per_second", singleRate)
report.add("cluster_lookups_per_second", clusterRate)
report.add("gets_per_primary_during_cluster_runs", getsPerPrimary.map(String.init).joined(separator: " "))
report.add("key_groups", keyspace.groups.count)
report.add("single_server_tag_invalidation_ms", singleInvalidation)
report.add("cluster_tag_invalidation_ms", clusterInvalidation)
report.add("entries_removed_by_invalidations_single_cluster", "\(singleRemoved) \(clusterRemoved)")
report.add("reshard_slots", 1000)
report.add("reshard_seconds", reshardSeconds)
report.add("reshard_exit_status", Int(reshardStatus))
report.add("lookup_p50_during_reshard_us", reshardLatency.median)
report.add("lookup_p99_during_reshard_us", reshardLatency.value(at: 0.99))
report.add("lookups_during_reshard", duringReshard.count)
report.add("failed_lookups_during_reshard", reshardErrors.load(ordering: .relaxed))
report.add("moved_followed", counters.moved)
report.add("ask_followed", counters.asked)
report.add("retried", counters.retried)
report.add("failover_seconds_to_first_answer", failoverSeconds)
report.add("failed_probes_during_failover", failedProbes)
report.emit()
