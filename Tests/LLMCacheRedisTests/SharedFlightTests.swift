import Foundation
import LLMCache
@testable import LLMCacheRedis
import Synchronization
import Testing

/// Stacks with their own clients, namespaces and memory tiers, sharing one
/// Redis and a ``RedisMissCoordinator``: replicas of one application.
@Suite("Misses shared across processes")
struct SharedFlightTests {
    struct Replica {
        let client: RedisClient
        let namespace: RedisNamespace
        let stack: CacheStack

        init(
            url: String, name: String, leaseDuration: Duration = .seconds(30), waitBudget: Duration = .seconds(60),
            coordinator: (RedisNamespace) -> (any MissCoordinator)? = { _ in nil }
        ) async throws {
            client = try RedisClient(url: url)
            namespace = try await RedisNamespace(name: name, client: client, refreshInterval: .seconds(30))
            var configuration = CacheStack.Configuration().sharingMisses(
                through: namespace, leaseDuration: leaseDuration, waitBudget: waitBudget)
            if let custom = coordinator(namespace) { configuration.missCoordinator = custom }
            let memory = MemoryTier(maxEntries: 100)
            namespace.propagateInvalidations(to: memory)
            stack = CacheStack(
                tiers: [memory, RedisExactTier(namespace: namespace)], configuration: configuration,
                versionSource: namespace)
        }

        init(client: RedisClient, namespace: RedisNamespace, stack: CacheStack) {
            self.client = client
            self.namespace = namespace
            self.stack = stack
        }

        func shutdown() async {
            await stack.waitForPendingStores()
            await namespace.shutdown()
            await client.shutdown()
        }
    }

    /// A model that counts its calls and takes `delay` to answer.
    final class CountingModel: Sendable {
        let calls = Atomic<Int>(0)
        let delay: Duration

        init(delay: Duration) { self.delay = delay }

        var count: Int { calls.load(ordering: .relaxed) }

        @Sendable func answer(_ prompt: String) async throws -> String {
            let number = calls.add(1, ordering: .relaxed).newValue
            try await Task.sleep(for: delay)
            return "answer \(number) to \(prompt) (\(UUID()))"
        }
    }

    struct ModelFailure: Error {}

    @Test(arguments: TestServers.plain)
    func fourProcessesWithFiftyIdenticalMissesEachCallTheModelOnce(server: String) async throws {
        let url = try TestServers.url(server)
        let name = uniqueNamespace("flight")
        var replicas: [Replica] = []
        for _ in 0..<4 { replicas.append(try await Replica(url: url, name: name)) }
        let model = CountingModel(delay: .milliseconds(500))
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for replica in replicas {
                for _ in 0..<50 {
                    group.addTask { try await replica.stack.response(for: "what is a lease?", compute: model.answer).value }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(answers.count == 200)
        #expect(Set(answers).count == 1, "every caller got the one answer: \(Set(answers))")
        #expect(model.count == 1, "one model call for four processes")
        let statistics = replicas.map(\.stack.statistics)
        #expect(statistics.reduce(0) { $0 + $1.computed } == 1)
        #expect(statistics.reduce(0) { $0 + $1.sharedFlights.leases } == 1)
        #expect(statistics.reduce(0) { $0 + $1.sharedFlights.answeredElsewhere } >= 1, "at least one process waited")
        #expect(statistics.allSatisfy { $0.sharedFlights.failures == 0 && $0.sharedFlights.waitTimeouts == 0 })
        for replica in replicas {
            let publisher = RedisStatisticsPublisher(stack: replica.stack, namespace: replica.namespace)
            _ = try await publisher.publish()
            await publisher.shutdown()
        }
        let published = try await replicas[0].namespace.publishedStatistics()
        #expect(published.computed == 1 && published.sharedFlights.leases == 1, "the fleet's figures add up")
        #expect(published.sharedFlights.answeredElsewhere == statistics.reduce(0) { $0 + $1.sharedFlights.answeredElsewhere })
        for replica in replicas { await replica.shutdown() }
        let lease = replicas[0].namespace.keyspace.leaseKey(CacheKey(request: "what is a lease?"), version: 0)
        let exists = try await withRedisClient(try RedisConfiguration(url: url)) { client in
            try await client.execute(RedisCommand("EXISTS", lease)).int
        }
        #expect(exists == 0, "the lease was released")
    }

    @Test func aLeaderWhoseCallFailsLetsAWaiterCallAtOnce() async throws {
        let url = try TestServers.url()
        let name = uniqueNamespace("flight-fail")
        let a = try await Replica(url: url, name: name)
        let b = try await Replica(url: url, name: name)
        let lease = a.namespace.keyspace.leaseKey(CacheKey(request: "q"), version: 0)
        let failing = Task {
            try await a.stack.response(for: "q") { (_: String) async throws -> String in
                try await Task.sleep(for: .seconds(1))
                throw ModelFailure()
            }
        }
        let taken = try await waitUntil(.seconds(20)) {
            try await a.client.execute(RedisCommand("EXISTS", lease)).int == 1
        }
        #expect(taken != nil, "A took the lease")
        let started = ContinuousClock.now
        let result = try await b.stack.response(for: "q") { _ in "B's answer" }
        let waited = ContinuousClock.now - started
        #expect(result.value == "B's answer" && result.source == .computed)
        #expect(waited < .seconds(20), "B did not wait for the 30 s lease to expire: \(waited)")
        #expect(b.stack.statistics.sharedFlights.leases == 1, "B claimed the released lease")
        _ = await failing.result
        await a.shutdown()
        await b.shutdown()
    }

    @Test func anExpiredLeaseIsClaimedByAWaiter() async throws {
        let url = try TestServers.url()
        let name = uniqueNamespace("flight-expiry")
        let replica = try await Replica(url: url, name: name)
        // A holder that never releases: a process killed after its claim.
        let dead = RedisMissCoordinator(namespace: replica.namespace, leaseDuration: .seconds(1))
        guard case .granted = try await dead.claim(CacheKey(request: "q"), version: 0) else {
            Issue.record("the first claim must be granted")
            return
        }
        let model = CountingModel(delay: .zero)
        let results = try await withThrowingTaskGroup(of: CacheResult<String>.self) { group in
            for _ in 0..<10 { group.addTask { try await replica.stack.response(for: "q", compute: model.answer) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(model.count == 1 && Set(results.map(\.value)).count == 1)
        #expect(replica.stack.statistics.sharedFlights.leases == 1 && replica.stack.statistics.sharedFlights.waitTimeouts == 0)
        await replica.shutdown()
    }

    @Test func aWaiterCallsTheModelOnceItsBudgetIsSpent() async throws {
        let url = try TestServers.url()
        let replica = try await Replica(url: url, name: uniqueNamespace("flight-budget"), waitBudget: .milliseconds(300))
        let holder = RedisMissCoordinator(namespace: replica.namespace, leaseDuration: .seconds(60))
        guard case .granted(let lease) = try await holder.claim(CacheKey(request: "q"), version: 0) else {
            Issue.record("the first claim must be granted")
            return
        }
        let result = try await replica.stack.response(for: "q") { _ in "computed after waiting" }
        #expect(result.source == .computed)
        #expect(replica.stack.statistics.sharedFlights.waitTimeouts == 1)
        let leaseKey = String(decoding: replica.namespace.keyspace.leaseKey(CacheKey(request: "q"), version: 0), as: UTF8.self)
        let inspected = try await KeyInspection.run(key: leaseKey, namespace: replica.namespace)
        #expect(inspected?.kind.hasPrefix("flight lease") == true && inspected?.details["waiting claims"] == "1")
        await lease.release()
        await replica.shutdown()
    }

    @Test func aCoordinatorThatFailsLeavesTheMissToThisProcess() async throws {
        let url = try TestServers.url()
        var dead = try RedisConfiguration(url: "redis://127.0.0.1:\(freePort())")
        dead.commandTimeout = .milliseconds(500)
        let deadClient = RedisClient(configuration: dead)
        let deadNamespace = try await RedisNamespace(name: uniqueNamespace("dead"), client: deadClient)
        let replica = try await Replica(url: url, name: uniqueNamespace("flight-down")) { _ in
            RedisMissCoordinator(namespace: deadNamespace)
        }
        let model = CountingModel(delay: .zero)
        let result = try await replica.stack.response(for: "q", compute: model.answer)
        #expect(result.source == .computed && model.count == 1)
        #expect(replica.stack.statistics.sharedFlights.failures == 1)
        await replica.shutdown()
        await deadNamespace.shutdown()
        await deadClient.shutdown()
    }

    @Test func withRedisDownEveryProcessAnswersItsOwnMisses() async throws {
        let server = try OwnRedisServer()
        try await server.start()
        let name = uniqueNamespace("flight-outage")
        var replicas: [Replica] = []
        for _ in 0..<2 {
            let client = RedisClient(configuration: try server.restartingClientConfiguration())
            let namespace = try await RedisNamespace(name: name, client: client, refreshInterval: .seconds(30))
            replicas.append(
                Replica(
                    client: client, namespace: namespace,
                    stack: CacheStack(
                        tiers: [MemoryTier(maxEntries: 100), RedisExactTier(namespace: namespace)],
                        configuration: CacheStack.Configuration().sharingMisses(through: namespace),
                        versionSource: namespace)))
        }
        server.kill()
        let model = CountingModel(delay: .milliseconds(100))
        let started = ContinuousClock.now
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for replica in replicas {
                for _ in 0..<20 { group.addTask { try await replica.stack.response(for: "q", compute: model.answer).value } }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(answers.count == 40)
        #expect(model.count == 2, "each process called the model once, as without a coordinator")
        #expect(ContinuousClock.now - started < .seconds(20), "no caller waited for a lease")
        for replica in replicas { await replica.shutdown() }
    }
}
