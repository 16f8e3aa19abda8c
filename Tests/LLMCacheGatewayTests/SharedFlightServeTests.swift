import Foundation
import LLMCacheOpenAI
import Synchronization
import Testing

/// Several `llmcache serve` processes sharing one Redis and one upstream:
/// replicas behind a load balancer.
@Suite("llmcache serve replicas share misses", .serialized)
struct SharedFlightServeTests {
    let client = HTTPClient(
        configuration: .init(timeout: .seconds(180), retryPolicy: .none, maxConcurrentTransfers: 256, maxQueuedRequests: 1000))
    let body = Array(#"{"model": "m", "messages": [{"role": "user", "content": "the question every replica gets"}]}"#.utf8)

    /// `count` gateways in front of the upstream on `upstreamPort`, in one fresh namespace.
    func startReplicas(_ count: Int, upstreamPort: Int, settings: [String: String] = [:]) async throws -> [ServeProcess] {
        let environment = [
            "LLMCACHE_PORT": "0", "LLMCACHE_UPSTREAM_URL": "http://127.0.0.1:\(upstreamPort)/v1",
            "LLMCACHE_REDIS_URL": try testRedisURL(), "LLMCACHE_NAMESPACE": "replicas-\(UUID().uuidString.prefix(8).lowercased())",
            "LLMCACHE_SEMANTIC_ENABLED": "false", "LLMCACHE_ADMIN_KEY": "admin",
        ].merging(settings) { $1 }
        var replicas: [ServeProcess] = []
        for _ in 0..<count { replicas.append(try await ServeProcess.start([], environment: environment)) }
        return replicas
    }

    /// `perReplica` identical chat completions sent at once to each of `replicas`: status and body of each.
    func ask(_ replicas: [ServeProcess], perReplica: Int) async throws -> [(status: Int, body: [UInt8])] {
        try await withThrowingTaskGroup(of: (status: Int, body: [UInt8]).self) { group in
            for replica in replicas {
                for _ in 0..<perReplica {
                    group.addTask {
                        let response = try await client.send(
                            HTTPRequest(
                                method: .post, url: "http://127.0.0.1:\(replica.port)/v1/chat/completions",
                                headers: [(name: "Content-Type", value: "application/json")], body: body))
                        return (response.status, response.body)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// The `shared_flights` figures of one gateway's `/cache/stats`.
    func sharedFlights(_ replica: ServeProcess) async throws -> [String: Int] {
        let response = try await client.send(
            HTTPRequest(
                method: .get, url: "http://127.0.0.1:\(replica.port)/cache/stats",
                headers: [(name: "Authorization", value: "Bearer admin")]))
        let report = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let flights = report?["shared_flights"] as? [String: Any] ?? [:]
        return flights.compactMapValues { $0 as? Int }
    }

    @Test func fourGatewaysWithFiftyIdenticalRequestsEachMakeOneUpstreamCall() async throws {
        let upstream = FakeUpstream(delay: .seconds(1))
        let (upstreamPort, upstreamTask) = try await start { upstream.application(onRunning: $0) }
        defer { upstreamTask.cancel() }
        let replicas = try await startReplicas(4, upstreamPort: upstreamPort)
        let answers = try await ask(replicas, perReplica: 50)
        #expect(answers.count == 200 && answers.allSatisfy { $0.status == 200 })
        #expect(Set(answers.map(\.body)).count == 1, "every caller got the one answer")
        #expect(upstream.callCount == 1, "one upstream call for four gateways")
        var leases = 0
        for replica in replicas { leases += try await sharedFlights(replica)["leases"] ?? 0 }
        #expect(leases == 1, "one gateway took the lease")
        for replica in replicas { #expect(await replica.stop() == 0) }
    }

    @Test func withSharingOffEachGatewayCallsTheUpstreamItself() async throws {
        let upstream = FakeUpstream(delay: .seconds(1))
        let (upstreamPort, upstreamTask) = try await start { upstream.application(onRunning: $0) }
        defer { upstreamTask.cancel() }
        let replicas = try await startReplicas(2, upstreamPort: upstreamPort, settings: ["LLMCACHE_FLIGHT_SHARED": "false"])
        let answers = try await ask(replicas, perReplica: 10)
        #expect(answers.allSatisfy { $0.status == 200 })
        #expect(upstream.callCount == 2, "single-flight within each process only")
        for replica in replicas { #expect(await replica.stop() == 0) }
    }

    /// The gateway holding the lease is SIGKILLed during its (slow) upstream
    /// call. Asserted: every caller of the three survivors gets a 200 with
    /// one same answer, within the lease, the upstream's delay and a wide
    /// margin (never a tight timing), and the upstream was called exactly
    /// twice: by the killed gateway, and by the one survivor that claimed
    /// the expired lease.
    @Test func whenTheLeaseHolderIsKilledOneSurvivorCallsAndAnswersEveryone() async throws {
        // The lease outlasts an upstream call (a shorter one would let a second survivor call too).
        let upstream = FakeUpstream(delay: .seconds(2))
        let (upstreamPort, upstreamTask) = try await start { upstream.application(onRunning: $0) }
        defer { upstreamTask.cancel() }
        let replicas = try await startReplicas(
            4, upstreamPort: upstreamPort, settings: ["LLMCACHE_FLIGHT_LEASE_SECONDS": "8", "LLMCACHE_FLIGHT_WAIT_SECONDS": "120"])
        let holder = replicas[0]
        let doomed = Task { try? await ask([holder], perReplica: 1) }
        var waited = ContinuousClock.Duration.zero
        while upstream.callCount == 0, waited < .seconds(60) {
            try await Task.sleep(for: .milliseconds(20))
            waited += .milliseconds(20)
        }
        #expect(upstream.callCount == 1, "the first gateway called the upstream and holds the lease")
        let started = ContinuousClock.now
        let survivors = Task { try await ask(Array(replicas.dropFirst()), perReplica: 50) }
        try await Task.sleep(for: .milliseconds(500))
        kill(holder.process.processIdentifier, SIGKILL)
        _ = await exitStatus(of: holder.process)
        _ = await doomed.value
        let answers = try await survivors.value
        let elapsed = ContinuousClock.now - started
        #expect(answers.count == 150 && answers.allSatisfy { $0.status == 200 })
        #expect(Set(answers.map(\.body)).count == 1, "every survivor's caller got the one answer")
        #expect(elapsed < .seconds(100), "answered within lease + upstream delay, with room for a loaded machine: \(elapsed)")
        #expect(upstream.callCount == 2, "the killed gateway's call and one survivor's")
        for replica in replicas.dropFirst() { #expect(await replica.stop() == 0) }
    }
}
