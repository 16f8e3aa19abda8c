import BenchmarkSupport
import Foundation
import Synchronization
import LLMCache
import LLMCacheRedis

// The timed loops live outside main.swift: a closure formed in top-level code
// is isolated to the main actor, and every call would hop to it and back.

/// A request no earlier one asked.
func uniqueRequest(_ label: String, _ index: Int) -> ChatRequest {
    ChatRequest(model: "gpt-4o-mini", messages: [.user("How does a response cache save money? (\(label) \(index))")])
}

/// p50 and p99 (µs) of `count` sequential misses through `stack` as the
/// caller sees them (Redis writes and the lease's release happen after the
/// answer), and p50 of the same misses until those writes are done too.
func missLatencies(
    _ stack: CacheStack, label: String, count: Int, answer: ChatResponse
) async throws -> (caller: LatencySample, complete: Double) {
    let caller = try await sampleSequentially(count: count) { index in
        let result = try await stack.response(for: uniqueRequest("\(label) caller", index)) { _ in answer }
        precondition(result.source == .computed)
    }
    await stack.waitForPendingStores()
    let complete = try await sampleSequentially(count: count) { index in
        _ = try await stack.response(for: uniqueRequest("\(label) complete", index)) { _ in answer }
        await stack.waitForPendingStores()
    }
    return (caller, complete.p50)
}

/// p50 (µs) of one claim granted and released, on fresh keys.
func claimAndReleaseP50(_ coordinator: RedisMissCoordinator, count: Int) async throws -> Double {
    try await sampleSequentially(count: count) { index in
        guard case .granted(let lease) = try await coordinator.claim(CacheKey(request: "lease \(index) \(UUID())"), version: 0)
        else { preconditionFailure("a fresh key's claim is granted") }
        await lease.release()
    }.p50
}

/// Two processes' stacks miss the same request at once, `count` times: p50
/// (µs) of how much later the waiting one answered than the one that called
/// the model (store in Redis, release, message, read), and how many rounds
/// made exactly one model call.
func handover(
    _ first: CacheStack, _ second: CacheStack, count: Int, modelTime: Duration, answer: ChatResponse
) async throws -> (p50: Double, singleCalls: Int) {
    var gaps: [Double] = []
    var singleCalls = 0
    for index in 0..<count {
        let request = uniqueRequest("handover \(UUID())", index)
        let calls = ModelCalls()
        let model: @Sendable (ChatRequest) async throws -> ChatResponse = { _ in
            calls.add()
            try await Task.sleep(for: modelTime)
            return answer
        }
        async let a = timed { try await first.response(for: request, compute: model) }
        async let b = timed { try await second.response(for: request, compute: model) }
        let results = try await [a, b]
        if calls.count == 1 { singleCalls += 1 }
        guard let leader = results.first(where: { $0.result.source == .computed }),
            let waiter = results.first(where: { $0.result.isCacheHit })
        else { continue }
        gaps.append(waiter.microseconds - leader.microseconds)
    }
    await first.waitForPendingStores()
    await second.waitForPendingStores()
    return (Percentiles(gaps).median, singleCalls)
}

/// `body`'s result and how long it took, in microseconds.
func timed<T: Sendable>(_ body: () async throws -> T) async throws -> (result: T, microseconds: Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try await body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
}

/// Counts model calls across tasks.
final class ModelCalls: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
