import Foundation
import LLMCache
import BenchmarkSupport
import LLMCacheRedis
import LLMCacheTesting

/// Exact hits over TLS: a second client reaches the same server through a
/// stunnel front (the servers here have no TLS of their own), with the
/// certificates scripts/redis.sh writes. `nil` when stunnel or the
/// certificates are missing (run the benchmark through scripts/bench.sh).
struct TLSHits {
    let hitP50: Double
    let concurrentLookupsPerSecond: Double

    static func measure(
        port: Int, namespace name: String, query: CacheQuery, runs: Int, warmUp: Int, samples: Int, lookups: Int,
        tasks: Int, poolSize: Int
    ) async throws -> TLSHits? {
        let environment = ProcessInfo.processInfo.environment
        guard let stunnel = environment["LLMCACHE_STUNNEL"], let folder = environment["LLMCACHE_TLS_DIR"] else {
            return nil
        }
        let front = try StunnelFront(
            stunnel: stunnel, targetPort: port, certificate: "\(folder)/server.pem", key: "\(folder)/server.key")
        defer { front.stop() }
        var configuration = try RedisConfiguration(url: "rediss://127.0.0.1:\(front.port)?ca_file=\(folder)/ca.pem")
        configuration.poolSize = poolSize
        return try await withRedisClient(configuration) { client in
            let namespace = try await RedisNamespace(name: name, client: client)
            let tier = RedisExactTier(namespace: namespace)
            var hits: [Double] = []
            var throughput: [Double] = []
            do {
                for _ in 0..<runs {
                    hits.append(try await tierHitP50(tier, query: query, warmUp: warmUp, samples: samples))
                    let concurrent = try await sampleConcurrently(tasks: tasks, operationsPerTask: lookups / tasks) {
                        _, _ in
                        let hit = try await tier.lookup(query)
                        precondition(hit != nil)
                    }
                    throughput.append(concurrent.operationsPerSecond)
                }
            } catch {
                await namespace.shutdown()
                throw error
            }
            await namespace.shutdown()
            return TLSHits(hitP50: median(hits), concurrentLookupsPerSecond: median(throughput))
        }
    }
}
