import LLMCache
import LLMCacheTesting
import Synchronization
import Testing

/// A model call that blocks until the test opens the gate, so that the test
/// controls exactly when concurrent callers overlap.
final class GatedModel: Sendable {
    private let calls = Atomic<Int>(0)
    private let gate = CacheLock<[CheckedContinuation<Void, Never>]>([])
    private let open = Atomic<Bool>(false)

    var callCount: Int { calls.load(ordering: .relaxed) }

    func answer(_ prompt: String) async throws -> String {
        let number = calls.add(1, ordering: .relaxed).newValue
        await withCheckedContinuation { continuation in
            let proceed = gate.withLock { waiting in
                if open.load(ordering: .relaxed) { return true }
                waiting.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
        try Task.checkCancellation()
        return "answer \(number) to \(prompt)"
    }

    func release() {
        open.store(true, ordering: .relaxed)
        let waiting = gate.withLock { waiting in
            defer { waiting = [] }
            return waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// Waits (yielding, never sleeping on a timer) until `condition` holds.
func eventually(_ condition: () -> Bool) async {
    for _ in 0..<1_000_000 {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("condition not reached")
}

@Suite("Single-flight")
struct SingleFlightTests {
    let clock = ManualCacheClock()

    @Test func concurrentIdenticalMissesCallTheModelOnce() async throws {
        let model = GatedModel()
        let cache = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        let answers = try await withThrowingTaskGroup(of: CacheResult<String>.self) { group in
            for _ in 0..<50 { group.addTask { try await cache.response(for: "same", compute: model.answer) } }
            await eventually { cache.statistics.requests == 50 }
            model.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(model.callCount == 1)
        #expect(Set(answers.map(\.value)).count == 1)
        #expect(answers.filter { $0.source == .computed }.count == 1)
        #expect(cache.statistics.coalesced + cache.statistics.hits == 49)
    }

    @Test func everyWaiterGetsTheSameError() async throws {
        struct Boom: Error, Equatable { let id: Int }
        let calls = SharedCounter()
        let gate = GatedModel()
        let cache = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        let errors = await withTaskGroup(of: (any Error)?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await cache.response(for: "fails") { (prompt: String) async throws -> String in
                            let id = calls.increment()
                            _ = try await gate.answer(prompt)
                            throw Boom(id: id)
                        }
                        return nil
                    } catch { return error }
                }
            }
            await eventually { cache.statistics.requests == 20 && calls.value == 1 }
            gate.release()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(calls.value == 1)
        #expect(errors.allSatisfy { ($0 as? Boom) == Boom(id: 1) })
        #expect(cache.statistics.computeFailures == 1)
    }

    @Test func cancellingOneWaiterDoesNotDisturbTheOthers() async throws {
        let model = GatedModel()
        let cache = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        let leader = Task { try await cache.response(for: "q", compute: model.answer) }
        await eventually { model.callCount == 1 }
        let cancelled = Task { try await cache.response(for: "q", compute: model.answer) }
        let patient = Task { try await cache.response(for: "q", compute: model.answer) }
        await eventually { cache.statistics.requests == 3 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        model.release()
        #expect(try await leader.value.source == .computed)
        #expect(try await patient.value.value == "answer 1 to q")
        #expect(model.callCount == 1)
    }

    @Test func cancellingTheLeaderHandsTheCallToAWaiter() async throws {
        let model = GatedModel()
        let cache = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        let leader = Task { try await cache.response(for: "q", compute: model.answer) }
        await eventually { model.callCount == 1 }
        let waiter = Task { try await cache.response(for: "q", compute: model.answer) }
        await eventually { cache.statistics.requests == 2 }
        leader.cancel()
        model.release()
        await #expect(throws: CancellationError.self) { try await leader.value }
        let result = try await waiter.value
        #expect(result.source == .computed, "the waiter took over the call")
        #expect(result.value == "answer 2 to q")
    }

    @Test func differentRequestsDoNotShareAFlight() async throws {
        let model = GatedModel()
        model.release()
        let cache = CacheStack(tiers: [MemoryTier(maxEntries: 10, clock: clock)], clock: clock)
        async let a = cache.response(for: "a", compute: model.answer)
        async let b = cache.response(for: "b", compute: model.answer)
        let (first, second) = try await (a, b)
        #expect(first.value != second.value)
        #expect(model.callCount == 2)
    }
}
