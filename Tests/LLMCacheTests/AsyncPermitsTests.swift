import LLMCache
import Synchronization
import Testing

/// Permits let a fixed number of callers through at once (the vector-set
/// tier's graph inserts) and every caller through in the end.
@Suite("Async permits")
struct AsyncPermitsTests {
    /// Bodies inside the gate now, and the most at once.
    final class Counts: Sendable {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
    }

    @Test(arguments: [1, 2, 0])
    func atMostThePermittedInsertsRunAtOnce(permits: Int) async throws {
        let gate = AsyncPermits(count: permits)
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
        let gate = AsyncPermits(count: 1)
        await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
        #expect(try await gate.run { 7 } == 7)
    }
}
