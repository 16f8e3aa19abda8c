import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// The suites that use the local clusters of scripts/redis.sh, one at a
/// time: some kill a primary, which the others must not see mid-test.
@Suite("On the local clusters", .serialized)
enum OnTheLocalClusters {}

extension OnTheLocalClusters {
    /// `RedisClient` in cluster mode against the local clusters of
    /// scripts/redis.sh (3 primaries + 3 replicas; Redis 8.2.3 and Valkey 9.1).
    @Suite("Cluster client")
    struct ClusterClientTests {
        static let clusters = ["LLMCACHE_REDIS8_CLUSTER_URL", "LLMCACHE_VALKEY9_CLUSTER_URL"]

        /// A client of one node, for the administrative commands a test sends to it.
        func node(_ endpoint: RedisConfiguration.Endpoint) throws -> RedisClient {
            RedisClient(configuration: RedisConfiguration(endpoint: endpoint))
        }

        /// Each primary's endpoint and node id, and the primary serving `slot`.
        func primaries(_ client: RedisClient) async throws -> [(endpoint: RedisConfiguration.Endpoint, id: String, slots: [ClosedRange<Int>])] {
            let nodes = try #require(try await client.execute(RedisCommand("CLUSTER", "NODES")).string)
            return nodes.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count >= 8, fields[2].contains("master"), !fields[2].contains("fail") else { return nil }
                let address = fields[1].split(separator: "@")[0]
                let colon = address.lastIndex(of: ":")!
                let endpoint = RedisConfiguration.Endpoint.tcp(host: String(address[..<colon]), port: Int(address[address.index(after: colon)...])!)
                let slots = fields.dropFirst(8).compactMap { range -> ClosedRange<Int>? in
                    guard !range.hasPrefix("[") else { return nil }
                    let bounds = range.split(separator: "-").compactMap { Int($0) }
                    return bounds.count == 2 ? bounds[0]...bounds[1] : bounds.count == 1 ? bounds[0]...bounds[0] : nil
                }
                return (endpoint, fields[0], slots)
            }
        }

        @Test(arguments: clusters)
        func hashSlotsAreTheServersSlots(cluster: String) async throws {
            #expect(HashSlot(key: Array("123456789".utf8)).rawValue == 12739)
            #expect(HashSlot(key: Array("{user1000}.following".utf8)) == HashSlot(key: Array("{user1000}.followers".utf8)))
            #expect(HashSlot(key: Array("foo{}{bar}".utf8)) == HashSlot(key: Array("foo{}{bar}".utf8)))
            try await withRedisClient(try RedisConfiguration(url: try TestServers.url(cluster))) { client in
                var generator = SystemRandomNumberGenerator()
                for index in 0..<200 {
                    let bytes = (0..<Int.random(in: 1...24, using: &generator)).map { _ in
                        Array("{}ab:c1".utf8).randomElement(using: &generator)!
                    }
                    let key = index % 2 == 0 ? bytes : Array("llmcache:ns:v\(index):e:{\(index)}".utf8)
                    let server = try await client.execute(RedisCommand("CLUSTER", "KEYSLOT", key)).int
                    #expect(server == Int64(HashSlot(key: key).rawValue), "\(String(decoding: key, as: UTF8.self))")
                }
            }
        }

        @Test(arguments: clusters)
        func keysSpreadOverEveryPrimaryAndReadBack(cluster: String) async throws {
            try await withRedisClient(try RedisConfiguration(url: try TestServers.url(cluster))) { client in
                let prefix = "spread:\(uniqueNamespace()):"
                let count = 3_000
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<count {
                        group.addTask { try await client.execute(RedisCommand("SET", "\(prefix)\(index)", "v\(index)", "EX", 300)) }
                    }
                    try await group.waitForAll()
                }
                let wrong = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<count {
                        group.addTask { try await client.execute(RedisCommand("GET", "\(prefix)\(index)")).string != "v\(index)" }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(wrong == 0)
                // SCAN walks every primary: each key once (a key may be seen twice by SCAN, never here: no rehash).
                var seen = Set<[UInt8]>()
                try await client.scan(matching: Array("\(prefix)*".utf8)) { seen.formUnion($0) }
                #expect(seen.count == count)
                // Each primary holds about a third.
                for primary in try await primaries(client) {
                    let local = try node(primary.endpoint)
                    var onNode = 0
                    try await local.scan(matching: Array("\(prefix)*".utf8)) { onNode += $0.count }
                    await local.shutdown()
                    #expect(abs(onNode - count / 3) < count / 10, "\(primary.endpoint): \(onNode) of \(count)")
                }
            }
        }

        @Test(arguments: clusters)
        func aScriptOverKeysOfOneHashTagRunsAndOneAcrossSlotsIsRefused(cluster: String) async throws {
            try await withRedisClient(try RedisConfiguration(url: try TestServers.url(cluster))) { client in
                let tag = uniqueNamespace()
                let script = RedisScript("redis.call('SET', KEYS[1], ARGV[1], 'EX', 60); redis.call('SET', KEYS[2], ARGV[1], 'EX', 60); return redis.call('GET', KEYS[2])")
                let same = try await client.run(script, keys: [Array("{\(tag)}:a".utf8), Array("{\(tag)}:b".utf8)], arguments: [Array("x".utf8)])
                #expect(same.string == "x")
                var refused: RedisError?
                do {
                    _ = try await client.run(script, keys: [Array("\(tag):a".utf8), Array("\(tag):b".utf8)], arguments: [Array("x".utf8)])
                } catch let error as RedisError {
                    refused = error
                }
                #expect(refused?.code == .serverError && refused?.message.contains("CROSSSLOT") == true, "\(String(describing: refused))")
            }
        }

        /// Moves one slot's keys to another primary by hand (`SETSLOT
        /// IMPORTING/MIGRATING`, `MIGRATE`, `SETSLOT NODE`, as `redis-cli
        /// --cluster reshard` does) while 1,000 reads of those keys run: every
        /// read gets its value, through `ASK` while keys are split between the
        /// nodes and `MOVED` after.
        @Test(arguments: clusters)
        func readsDuringASlotMigrationFollowAskAndMoved(cluster: String) async throws {
            try await withRedisClient(try RedisConfiguration(url: try TestServers.url(cluster))) { client in
                let tag = uniqueNamespace()
                let keys = (0..<100).map { "{\(tag)}:\($0)" }
                for (index, key) in keys.enumerated() { try await client.execute(RedisCommand("SET", key, "v\(index)", "EX", 300)) }
                let slot = Int(HashSlot(key: Array(keys[0].utf8)).rawValue)
                let all = try await primaries(client)
                let source = try #require(all.first { $0.slots.contains { $0.contains(slot) } })
                let target = try #require(all.first { $0.id != source.id })
                let from = try node(source.endpoint)
                let to = try node(target.endpoint)
                guard case .tcp(let targetHost, let targetPort) = target.endpoint else { return }

                let reads = Task {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for reader in 0..<10 {
                            group.addTask {
                                var wrong = 0
                                for round in 0..<100 {
                                    let index = (reader * 7 + round * 13) % keys.count
                                    if try await client.execute(RedisCommand("GET", keys[index])).string != "v\(index)" { wrong += 1 }
                                }
                                return wrong
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                }
                try await to.execute(RedisCommand("CLUSTER", "SETSLOT", slot, "IMPORTING", source.id))
                try await from.execute(RedisCommand("CLUSTER", "SETSLOT", slot, "MIGRATING", target.id))
                // Every key of the slot, ten at a time (other tests' keys may share it).
                while let batch = try await from.execute(RedisCommand("CLUSTER", "GETKEYSINSLOT", slot, 10)).array, !batch.isEmpty {
                    var migrate = RedisCommand("MIGRATE", targetHost, targetPort, "", 0, 5000, "KEYS")
                    migrate.arguments += batch.compactMap(\.bytes)
                    try await from.execute(migrate)
                    try await Task.sleep(for: .milliseconds(5))
                }
                // The target first, then the source, then the rest (as redis-cli does):
                // the other order lets the two bounce commands between them meanwhile.
                for primary in [target, source] + all.filter({ $0.id != target.id && $0.id != source.id }) {
                    let local = try node(primary.endpoint)
                    try await local.execute(RedisCommand("CLUSTER", "SETSLOT", slot, "NODE", target.id))
                    await local.shutdown()
                }
                #expect(try await reads.value == 0, "every read during the migration got its value")
                for (index, key) in keys.enumerated() {
                    #expect(try await client.execute(RedisCommand("GET", key)).string == "v\(index)")
                }
                let followed = try #require(client.clusterCounters)
                #expect(followed.asked > 0 && followed.moved > 0, "\(followed)")
                await from.shutdown()
                await to.shutdown()
            }
        }

        /// `read_from_replicas=yes`: reads go to each shard's primary and
        /// replica in turn (the replicas' own `INFO commandstats` count
        /// them), writes to the primary, and every read finds its value.
        @Test(arguments: clusters)
        func readsSpreadOverTheReplicasWhenAsked(cluster: String) async throws {
            let url = try TestServers.url(cluster) + "&read_from_replicas=yes"
            let configuration = try RedisConfiguration(url: url)
            #expect(configuration.cluster?.readsFromReplicas == true)
            try await withRedisClient(configuration) { client in
                let prefix = "replica-reads:\(uniqueNamespace()):"
                let count = 600
                for index in 0..<count { try await client.execute(RedisCommand("SET", "\(prefix)\(index)", "v\(index)", "EX", 300)) }
                let layout = try #require(try await client.execute(RedisCommand("CLUSTER", "NODES")).string)
                let replicas = layout.split(separator: "\n").filter { $0.contains("slave") && !$0.contains("fail") }.map { line in
                    String(line.split(separator: " ")[1].split(separator: "@")[0])
                }
                #expect(replicas.count == 3)
                func replicaGets() async throws -> Int {
                    var total = 0
                    for address in replicas {
                        let replica = try RedisClient(url: "redis://\(address)")
                        let stats = try await replica.execute(.info("commandstats"))
                        await replica.shutdown()
                        let line = stats.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_get:") } ?? ""
                        total += line.split(separator: ",").first.flatMap { Int($0.split(separator: "=").last ?? "") } ?? 0
                    }
                    return total
                }
                // Replication is asynchronous, and a replica of a fresh cluster
                // joins the reads once the layout shows it synced: wait for both.
                let initial = try await replicaGets()
                let replicated = try await waitUntil(.seconds(30), every: .milliseconds(200)) {
                    var found = 0
                    for index in 0..<count where try await client.execute(.get("\(prefix)\(index)")) == Array("v\(index)".utf8) {
                        found += 1
                    }
                    let served = try await replicaGets()
                    return found == count && served > initial
                }
                #expect(replicated != nil)
                let before = try await replicaGets()
                var wrong = 0
                for index in 0..<count where try await client.execute(.get("\(prefix)\(index)")) != Array("v\(index)".utf8) {
                    wrong += 1
                }
                #expect(wrong == 0)
                let served = try await replicaGets() - before
                #expect(served > count / 4 && served < count * 3 / 4, "about half the reads went to replicas: \(served) of \(count)")
            }
        }

        /// SIGKILL of a primary: its replica is promoted (about 4 s with the
        /// local clusters' 2 s node timeout); meanwhile commands for its slots
        /// fail fast, and afterwards the same client serves them from the new
        /// primary without a restart. The killed node is started again and
        /// rejoins as a replica, so that the cluster is whole for the next run.
        @Test(arguments: clusters)
        func aKilledPrimarysSlotsAreServedByItsPromotedReplica(cluster: String) async throws {
            try await LocalClusters.exclusively {
                try await withRedisClient(try RedisConfiguration(url: try TestServers.url(cluster))) { client in
                    let prefix = "failover:\(uniqueNamespace()):"
                    let keys = (0..<300).map { "\(prefix)\($0)" }
                    for (index, key) in keys.enumerated() { try await client.execute(RedisCommand("SET", key, "v\(index)", "EX", 600)) }
                    let slot = HashSlot(key: Array(keys[0].utf8))
                    let all = try await primaries(client)
                    let victim = try #require(all.first { $0.slots.contains { $0.contains(Int(slot.rawValue)) } })
                    let killed = try await kill(victim, of: cluster)

                    var failures = 0
                    let recovered = try await waitUntil(.seconds(60), every: .milliseconds(20)) {
                        do {
                            return try await client.execute(RedisCommand("GET", keys[0])).string == "v0"
                        } catch {
                            failures += 1
                            return false
                        }
                    }
                    #expect(recovered != nil, "the killed primary's slot was served again within 60 s")
                    var wrong = 0
                    for (index, key) in keys.enumerated() where try await client.execute(RedisCommand("GET", key)).string != "v\(index)" {
                        wrong += 1
                    }
                    #expect(wrong == 0, "every key was replicated before the kill and is read from the promoted replica")
                    let followed = try #require(client.clusterCounters)
                    #expect(followed.layoutReads > 1)

                    let rejoined = try await rejoin(killed)
                    #expect(rejoined != nil, "the killed node came back as a replica")
                }
            }
        }

        /// A node a test killed, to start again (a primary once its replica has taken over).
        struct KilledNode {
            let endpoint: RedisConfiguration.Endpoint
            let directory: String
            let cluster: String
        }

        /// Waits until the primary's replica holds what it holds (replication
        /// is asynchronous), then SIGKILLs it.
        func kill(
            _ victim: (endpoint: RedisConfiguration.Endpoint, id: String, slots: [ClosedRange<Int>]), of cluster: String
        ) async throws -> KilledNode {
            let victimNode = try node(victim.endpoint)
            let nodes = try #require(try await victimNode.execute(RedisCommand("CLUSTER", "NODES")).string)
            let replicaAddress = try #require(
                nodes.split(separator: "\n").first { $0.contains(" \(victim.id) ") && $0.contains("slave") }?
                    .split(separator: " ")[1].split(separator: "@")[0])
            let replica = try RedisClient(url: "redis://\(replicaAddress)")
            let replicated = try await waitUntil(.seconds(30), every: .milliseconds(50)) {
                let keysOnPrimary = try await victimNode.execute(RedisCommand("DBSIZE")).int
                let keysOnReplica = try await replica.execute(RedisCommand("DBSIZE")).int
                let replication = try await victimNode.execute(RedisCommand("INFO", "replication")).string ?? ""
                return keysOnPrimary == keysOnReplica && replication.contains("connected_slaves:1")
            }
            #expect(replicated != nil)
            await replica.shutdown()
            await victimNode.shutdown()
            return try await kill(victim.endpoint, of: cluster)
        }

        /// SIGKILLs one node, as a crash would.
        func kill(_ endpoint: RedisConfiguration.Endpoint, of cluster: String) async throws -> KilledNode {
            let victim = try node(endpoint)
            let info = try #require(try await victim.execute(RedisCommand("INFO", "server")).string)
            let pid = try #require(Self.field("process_id", in: info).flatMap { pid_t($0) })
            let directory = try #require(try await victim.execute(RedisCommand("CONFIG", "GET", "dir")).array?.last?.string)
            await victim.shutdown()
            Glibc.kill(pid, SIGKILL)
            return KilledNode(endpoint: endpoint, directory: directory, cluster: cluster)
        }

        /// Starts a killed primary again; returns once it serves as a replica
        /// of a healthy cluster (`nil` if not within 60 s).
        func rejoin(_ killed: KilledNode) async throws -> Duration? {
            try Self.restart(killed.endpoint, directory: killed.directory, cluster: killed.cluster)
            return try await waitUntil(.seconds(60), every: .milliseconds(100)) {
                let node = try node(killed.endpoint)
                defer { Task { await node.shutdown() } }
                let role = try? await node.execute(RedisCommand("INFO", "replication")).string
                let state = try? await node.execute(RedisCommand("CLUSTER", "INFO")).string
                return role?.contains("role:slave") == true && state?.contains("cluster_state:ok") == true
            }
        }

        static func field(_ name: String, in info: String) -> String? {
            info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("\(name):") }.map { String($0.dropFirst(name.count + 1)) }
        }

        /// Starts a killed node again (see ClusterNode).
        static func restart(_ endpoint: RedisConfiguration.Endpoint, directory: String, cluster: String) throws {
            guard case .tcp(_, let port) = endpoint else { return }
            let binary = try TestServers.binary(cluster == "LLMCACHE_VALKEY9_CLUSTER_URL" ? "LLMCACHE_VALKEY9_SERVER" : "LLMCACHE_REDIS8_SERVER")
            try ClusterNode.restart(binary: binary, port: port, directory: directory)
        }
    }
}
