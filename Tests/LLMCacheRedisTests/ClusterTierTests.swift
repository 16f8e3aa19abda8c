import Foundation
import LLMCache
@testable import LLMCacheRedis
import LLMCacheTesting
import Testing

extension OnTheLocalClusters {
    /// The cache tiers on the local clusters (3 primaries + 3 replicas; Redis
    /// 8.2.3 and Valkey 9.1): every script they run is single-slot, and the
    /// operations across the namespace reach every primary.
    @Suite("Cache tiers on a cluster")
    struct ClusterTierTests {
        static let clusters = ClusterClientTests.clusters

        /// A process of its own: client, namespace, a memory tier that follows
        /// invalidations, the exact tier, and a stack over both.
        struct Process {
            let client: RedisClient
            let namespace: RedisNamespace
            let memory = MemoryTier(maxEntries: 10_000)
            let exact: RedisExactTier
            let stack: CacheStack

            init(url: String, name: String) async throws {
                client = try RedisClient(url: url)
                namespace = try await RedisNamespace(name: name, client: client, refreshInterval: .seconds(1))
                exact = RedisExactTier(namespace: namespace)
                namespace.propagateInvalidations(to: memory)
                stack = CacheStack(tiers: [memory, exact], versionSource: namespace)
            }

            func shutdown() async {
                await stack.waitForPendingStores()
                await namespace.shutdown()
                await client.shutdown()
            }
        }

        /// Keys of the namespace on each primary, by kind, read from the primaries themselves.
        func keysPerPrimary(_ client: RedisClient, _ keyspace: RedisKeyspace) async throws -> [[RedisKeyspace.KeyKind]] {
            var perPrimary: [[RedisKeyspace.KeyKind]] = []
            for primary in try await ClusterClientTests().primaries(client) {
                let node = try ClusterClientTests().node(primary.endpoint)
                var kinds: [RedisKeyspace.KeyKind] = []
                try await node.scan(matching: keyspace.pattern) { keys in kinds += keys.compactMap(keyspace.kind(of:)) }
                await node.shutdown()
                perPrimary.append(kinds)
            }
            return perPrimary
        }

        @Test(arguments: clusters)
        func entriesSpreadOverThePrimariesAndEveryStoreAndHitIsOneSlot(cluster: String) async throws {
            let process = try await Process(url: try TestServers.url(cluster), name: uniqueNamespace("cluster-exact"))
            let count = 3_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let outcome = try await process.exact.store(
                            storedEntry("answer \(index)", tags: ["t\(index % 5)", "all"]),
                            for: CacheQuery(request: "question \(index)"), unlessInvalidatedSince: nil)
                        #expect(outcome == .stored)
                    }
                }
                try await group.waitForAll()
            }
            let hits = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await process.exact.lookup(CacheQuery(request: "question \(index)"))?.entry.value
                            == Array("answer \(index)".utf8)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(hits == count)
            let perPrimary = try await keysPerPrimary(process.client, process.namespace.keyspace)
            #expect(perPrimary.count == 3)
            for kinds in perPrimary {
                let entries = kinds.filter { if case .exactEntry = $0 { true } else { false } }.count
                #expect(abs(entries - count / 3) < count / 10, "\(entries) of \(count) entries on one primary")
                #expect(kinds.contains(.tagSet), "every primary holds tag sets of its own entries")
            }
            await process.shutdown()
        }

        /// An invalidation removes the tag's entries from every primary and
        /// reaches the memory tier of another process, whose subscription is
        /// on whichever node; answers computed before it are refused after it.
        @Test(arguments: clusters)
        func tagInvalidationReachesEveryPrimaryAndEveryProcess(cluster: String) async throws {
            let url = try TestServers.url(cluster)
            let name = uniqueNamespace("cluster-tags")
            let writer = try await Process(url: url, name: name)
            let reader = try await Process(url: url, name: name)
            let count = 300
            for index in 0..<count {
                let tags: Set<String> = index % 2 == 0 ? ["pricing"] : ["docs"]
                _ = try await writer.stack.response(for: "question \(index)", options: CacheOptions(tags: tags)) { _ in
                    "answer \(index)"
                }
            }
            await writer.stack.waitForPendingStores()
            for index in 0..<count {
                let source = try await reader.stack.response(for: "question \(index)") { _ in "recomputed" }.source
                #expect(source == .tier(name: "redis", similarity: nil, matchedText: nil))
            }
            #expect(reader.memory.count == count, "the reader's memory tier holds copies")

            let mark = try await writer.exact.invalidationMark()
            #expect(try await writer.exact.invalidate(tags: ["pricing"]) == count / 2)
            let dropped = try await waitUntil(.seconds(10), every: .milliseconds(20)) { reader.memory.count == count / 2 }
            #expect(dropped != nil, "the reader heard of the invalidation: \(reader.memory.count) copies left")
            for index in 0..<count {
                let found = try await writer.exact.lookup(CacheQuery(request: "question \(index)"))
                #expect((found == nil) == (index % 2 == 0), "question \(index)")
            }
            // An answer computed before the invalidation is refused in every group.
            for index in stride(from: 0, to: count, by: 2) {
                let outcome = try await writer.exact.store(
                    storedEntry("stale \(index)", tags: ["pricing"]), for: CacheQuery(request: "question \(index)"),
                    unlessInvalidatedSince: mark)
                #expect(outcome == .invalidatedMeanwhile)
            }
            let fresh = try await writer.exact.invalidationMark()
            #expect(
                try await writer.exact.store(
                    storedEntry("fresh", tags: ["pricing"]), for: CacheQuery(request: "question 0"),
                    unlessInvalidatedSince: fresh) == .stored)
            await writer.shutdown()
            await reader.shutdown()
        }

        @Test(arguments: clusters)
        func aFlushEmptiesEveryPrimaryAndABumpReachesEveryGroup(cluster: String) async throws {
            let url = try TestServers.url(cluster)
            let name = uniqueNamespace("cluster-flush")
            let process = try await Process(url: url, name: name)
            let other = try await Process(url: url, name: name)
            for index in 0..<300 {
                _ = try await process.stack.response(for: "question \(index)", options: CacheOptions(tags: ["t"])) { _ in "a" }
            }
            await process.stack.waitForPendingStores()
            let mark = try await process.exact.invalidationMark()
            try await process.exact.removeAll()
            for kinds in try await keysPerPrimary(process.client, process.namespace.keyspace) {
                #expect(!kinds.contains { if case .exactEntry = $0 { true } else { $0 == .tagSet } }, "\(kinds)")
            }
            for index in 0..<50 {
                let outcome = try await process.exact.store(
                    storedEntry("stale"), for: CacheQuery(request: "question \(index)"), unlessInvalidatedSince: mark)
                #expect(outcome == .invalidatedMeanwhile, "refused after the flush in every group")
            }

            let version = try await process.namespace.bump()
            let heard = try await waitUntil(.seconds(10), every: .milliseconds(20)) { other.namespace.current == version }
            #expect(heard != nil)
            let afterBump = try await process.exact.invalidationMark()
            for index in 0..<50 {
                let stale = try await process.exact.store(
                    storedEntry("old version", version: version - 1),
                    for: CacheQuery(request: "question \(index)", namespaceVersion: version - 1), unlessInvalidatedSince: afterBump)
                #expect(stale == .invalidatedMeanwhile, "every group's copy of the version moved")
                let current = try await process.exact.store(
                    storedEntry("new version", version: version),
                    for: CacheQuery(request: "question \(index)", namespaceVersion: version), unlessInvalidatedSince: afterBump)
                #expect(current == .stored)
            }
            let statistics = try await process.namespace.resetPublishedStatistics()
            #expect(statistics >= 0)
            await process.shutdown()
            await other.shutdown()
        }

        @Test(arguments: zip(clusters, [RedisSemanticTier.Backend.vectorSet, .lsh]))
        func semanticEntriesLiveBesideTheirContainersAndInvalidateEverywhere(
            cluster: String, expected: RedisSemanticTier.Backend
        ) async throws {
            let process = try await Process(url: try TestServers.url(cluster), name: uniqueNamespace("cluster-semantic"))
            let embedder = DeterministicTestEmbedder(dimensions: 64)
            let tier = try RedisSemanticTier(namespace: process.namespace, embedder: embedder, configuration: .init(threshold: 0.9))
            #expect(try await tier.resolveBackend() == expected)
            let tenants = (0..<12).map { "tenant-\($0)" }
            for tenant in tenants {
                for topic in ["password reset", "invoice download", "account deletion"] {
                    let query = CacheQuery(request: "how do I do a \(topic)", partition: tenant)
                    let outcome = try await tier.store(
                        storedEntry("\(tenant): \(topic)", tags: [topic]), for: query,
                        vector: embedder.vector(for: "how do I do a \(topic)"), mark: nil)
                    #expect(outcome == .stored)
                }
            }
            for tenant in tenants {
                let paraphrase = CacheQuery(request: "password reset how", partition: tenant)
                let hit = try await tier.lookup(paraphrase, vector: embedder.vector(for: "password reset how"))
                #expect(hit?.entry.value == Array("\(tenant): password reset".utf8))
            }
            #expect(try await tier.invalidate(tags: ["password reset"]) == tenants.count)
            for tenant in tenants {
                let paraphrase = CacheQuery(request: "password reset how", partition: tenant)
                #expect(try await tier.lookup(paraphrase, vector: embedder.vector(for: "password reset how")) == nil)
                let other = CacheQuery(request: "invoice download how", partition: tenant)
                #expect(try await tier.lookup(other, vector: embedder.vector(for: "invoice download how")) != nil)
            }
            // Containers (one per scope) spread over the primaries.
            let holding = try await keysPerPrimary(process.client, process.namespace.keyspace).filter { kinds in
                kinds.contains { if case .semanticAnswer = $0 { true } else { false } }
            }
            #expect(holding.count >= 2, "scopes spread over several primaries")

            let search = try RedisSemanticTier(
                namespace: process.namespace, embedder: embedder, configuration: .init(backend: .search))
            let error = await #expect(throws: RedisError.self) { try await search.resolveBackend() }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains("Cluster") == true)
            await process.shutdown()
        }

        @Test(arguments: clusters)
        func fourProcessesShareOneModelCallForAMissOnACluster(cluster: String) async throws {
            let url = try TestServers.url(cluster)
            let name = uniqueNamespace("cluster-flight")
            var replicas: [SharedFlightTests.Replica] = []
            for _ in 0..<4 { replicas.append(try await SharedFlightTests.Replica(url: url, name: name)) }
            let model = SharedFlightTests.CountingModel(delay: .milliseconds(500))
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for replica in replicas {
                    for _ in 0..<50 {
                        group.addTask { try await replica.stack.response(for: "what is a lease?", compute: model.answer).value }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(answers).count == 1 && answers.count == 200)
            #expect(model.count == 1, "one model call for four processes")
            for replica in replicas { await replica.shutdown() }
        }

        /// Subscribers on every live node of the cluster for `channel` (a
        /// node counts only its own in `PUBSUB NUMSUB`).
        func subscribers(of channel: [UInt8], through client: RedisClient) async throws -> Int {
            let layout = try #require(try await client.execute(RedisCommand("CLUSTER", "NODES")).string)
            var total = 0
            for line in layout.split(separator: "\n") where !line.contains("fail") {
                let address = line.split(separator: " ")[1].split(separator: "@")[0]
                let node = try RedisClient(url: "redis://\(address)")
                total += Int(try await node.execute(RedisCommand("PUBSUB", "NUMSUB", channel)).array?.last?.int ?? 0)
                await node.shutdown()
            }
            return total
        }

        /// The node a process listens on is killed: its subscription moves to
        /// another node, and the next invalidation reaches its memory tier.
        @Test(arguments: clusters)
        func aProcessKeepsHearingInvalidationsWhenItsSubscriptionNodeDies(cluster: String) async throws {
            try await LocalClusters.exclusively {
                let url = try TestServers.url(cluster)
                let name = uniqueNamespace("cluster-subscriber")
                let writer = try await Process(url: url, name: name)
                let reader = try await Process(url: url, name: name)
                let channel = reader.namespace.keyspace.channel
                let clients = ClusterClientTests()
                var listenedOn: (endpoint: RedisConfiguration.Endpoint, id: String, slots: [ClosedRange<Int>])?
                for primary in try await clients.primaries(writer.client) {
                    let node = try clients.node(primary.endpoint)
                    if try await node.execute(RedisCommand("PUBSUB", "NUMSUB", channel)).array?.last?.int ?? 0 > 0 { listenedOn = primary }
                    await node.shutdown()
                }
                let victim = try #require(listenedOn, "the processes subscribe on a primary")
                let killed = try await clients.kill(victim, of: cluster)

                // Both processes subscribe again elsewhere once the cluster has recovered.
                let resubscribed = try await waitUntil(.seconds(60), every: .milliseconds(100)) {
                    (try? await subscribers(of: channel, through: writer.client)) ?? 0 >= 2
                }
                #expect(resubscribed != nil, "both processes subscribed on a live node within 60 s")
                // Recovered once a request of the victim's slots is stored again.
                let keyspace = writer.namespace.keyspace
                let probe = try #require((0..<10_000).lazy.map { CacheQuery(request: "probe \($0)") }.first { query in
                    let slot = Int(HashSlot(key: keyspace.entryKey(query.key, version: 0)).rawValue)
                    return victim.slots.contains { $0.contains(slot) }
                })
                let served = try await waitUntil(.seconds(60), every: .milliseconds(50)) {
                    (try? await writer.exact.store(storedEntry("x"), for: probe, unlessInvalidatedSince: nil)) == .stored
                }
                #expect(served != nil)

                _ = try await writer.stack.response(for: "after the failover", options: CacheOptions(tags: ["moved"])) { _ in "answer" }
                await writer.stack.waitForPendingStores()
                let read = try await reader.stack.response(for: "after the failover") { _ in "recomputed" }
                #expect(read.value == "answer" && reader.memory.count == 1)
                #expect(try await writer.exact.invalidate(tags: ["moved"]) == 1)
                let heard = try await waitUntil(.seconds(10), every: .milliseconds(20)) { reader.memory.count == 0 }
                #expect(heard != nil, "the invalidation reached the process through its new node")

                #expect(try await clients.rejoin(killed) != nil, "the killed node came back as a replica")
                await writer.shutdown()
                await reader.shutdown()
            }
        }

        /// Every node of the cluster that is not marked failed.
        func liveNodes(_ client: RedisClient) async throws -> [(endpoint: RedisConfiguration.Endpoint, line: String)] {
            let layout = try #require(try await client.execute(RedisCommand("CLUSTER", "NODES")).string)
            return layout.split(separator: "\n").filter { !$0.contains("fail") }.map { line in
                let address = line.split(separator: " ")[1].split(separator: "@")[0]
                let colon = address.lastIndex(of: ":")!
                return (
                    .tcp(host: String(address[..<colon]), port: Int(address[address.index(after: colon)...])!), String(line)
                )
            }
        }

        /// Both nodes of one shard die (no replica can take over): the
        /// shard's slots fail fast, the other shards keep serving hits, and
        /// the tier's breaker stays closed. The nodes then come back empty and
        /// their slots are cached again.
        @Test(arguments: clusters)
        func aLostShardCostsOnlyItsOwnSlots(cluster: String) async throws {
            try await LocalClusters.exclusively {
                let url = try TestServers.url(cluster)
                let clients = ClusterClientTests()
                let admin = try RedisClient(url: url)
                // A cache serves the shards it has (the setting caches run with).
                let nodes = try await liveNodes(admin)
                func requireFullCoverage(_ value: String, on endpoints: [RedisConfiguration.Endpoint]) async throws {
                    for endpoint in endpoints {
                        let node = try clients.node(endpoint)
                        try await node.execute(RedisCommand("CONFIG", "SET", "cluster-require-full-coverage", value))
                        await node.shutdown()
                    }
                }
                try await requireFullCoverage("no", on: nodes.map(\.endpoint))

                let process = try await Process(url: url, name: uniqueNamespace("cluster-lost-shard"))
                let stack = CacheStack(tiers: [process.exact], versionSource: process.namespace)
                let count = 300
                let queries = (0..<count).map { CacheQuery(request: "question \($0)") }
                for (index, query) in queries.enumerated() { try await process.exact.store(storedEntry("answer \(index)"), for: query) }

                let victim = try #require(try await clients.primaries(admin).first)
                let replica = try #require(nodes.first { $0.line.contains(" \(victim.id) ") && $0.line.contains("slave") })
                let lost = Set(queries.indices.filter { index in
                    let slot = Int(HashSlot(key: process.namespace.keyspace.entryKey(queries[index].key, version: 0)).rawValue)
                    return victim.slots.contains { $0.contains(slot) }
                })
                #expect(!lost.isEmpty && lost.count < count)
                let killedReplica = try await clients.kill(replica.endpoint, of: cluster)
                let killedPrimary = try await clients.kill(victim.endpoint, of: cluster)

                var hits = 0
                var answered = 0
                for _ in 0..<2 {
                    for index in 0..<count {
                        let result = try await stack.response(for: "question \(index)") { _ in "answer \(index)" }
                        answered += result.value == "answer \(index)" ? 1 : 0
                        hits += result.source == .computed ? 0 : 1
                    }
                }
                await stack.waitForPendingStores()
                #expect(answered == 2 * count, "every caller was answered")
                #expect(hits == 2 * (count - lost.count), "every entry of a live shard was a hit, twice")
                let tier = stack.statistics.tiers[0]
                #expect(tier.breaker == .closed, "the tier's breaker stays closed for the live shards")
                #expect(tier.errors == 2 * lost.count, "each lookup on the lost shard failed, fast")

                try ClusterClientTests.restart(killedPrimary.endpoint, directory: killedPrimary.directory, cluster: cluster)
                try ClusterClientTests.restart(killedReplica.endpoint, directory: killedReplica.directory, cluster: cluster)
                let probe = try #require(lost.first)
                let cachedAgain = try await waitUntil(.seconds(60), every: .milliseconds(100)) {
                    _ = try await stack.response(for: "question \(probe)") { _ in "answer \(probe)" }
                    await stack.waitForPendingStores()
                    return try await stack.response(for: "question \(probe)") { _ in "recomputed" }.source != .computed
                }
                #expect(cachedAgain != nil, "the shard's slots are cached again once its nodes are back")
                let whole = try await waitUntil(.seconds(60), every: .milliseconds(100)) {
                    let state = try? await clients.node(killedReplica.endpoint).execute(RedisCommand("CLUSTER", "INFO")).string
                    return state?.contains("cluster_state:ok") == true
                }
                #expect(whole != nil, "the cluster is whole again for the next test")
                try await requireFullCoverage("yes", on: try await liveNodes(admin).map(\.endpoint))
                await process.shutdown()
                await admin.shutdown()
            }
        }
    }
}
