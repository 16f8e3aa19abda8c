@testable import LLMCacheRedis
import Synchronization
import Testing

/// The gate in front of vector-set inserts lets a fixed number through at
/// once and every caller through in the end.
@Suite("Insert gate")
struct InsertGateTests {
    /// Bodies inside the gate now, and the most at once.
    final class Counts: Sendable {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
    }

    @Test(arguments: [1, 2, 0])
    func atMostThePermittedInsertsRunAtOnce(permits: Int) async throws {
        let gate = InsertGate(permits: permits)
        let counts = Counts()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await gate.run {
                        let now = counts.running.add(1, ordering: .relaxed).newValue
                        counts.most.max(now, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(2))
                        counts.running.subtract(1, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        if permits > 0 {
            #expect(counts.most.load(ordering: .relaxed) <= permits)
        } else {
            #expect(counts.most.load(ordering: .relaxed) > 2, "no limit")
        }
        #expect(counts.running.load(ordering: .relaxed) == 0)
    }

    @Test func aFailedInsertLetsTheNextOneIn() async throws {
        struct Failure: Error {}
        let gate = InsertGate(permits: 1)
        await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
        #expect(try await gate.run { 7 } == 7)
    }
}
