// The dynamic-batching phase: the same 64 single-text calls made one at a
// time (each its own forward pass) and then all at once from 64 tasks (merged
// by the embedder into a few passes).
import Foundation
import LLMCacheEmbeddings

/// One round of the phase: sentences per second one at a time and
/// concurrently, and how many forward passes the concurrent calls took.
struct ConcurrentSinglesRound {
    var sequentialPerSecond: Double
    var concurrentPerSecond: Double
    var concurrentPasses: Int
}

func concurrentSinglesRound(_ model: MiniLMEmbedder, _ texts: [String]) async throws -> ConcurrentSinglesRound {
    var start = ContinuousClock.now
    for text in texts { _ = try await model.embed([text]) }
    let sequential = Double(texts.count) / seconds(ContinuousClock.now - start)

    let passesBefore = model.statistics.forwardPasses
    start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for text in texts { group.addTask { _ = try await model.embed([text]) } }
        try await group.waitForAll()
    }
    let concurrent = Double(texts.count) / seconds(ContinuousClock.now - start)
    return ConcurrentSinglesRound(
        sequentialPerSecond: sequential, concurrentPerSecond: concurrent,
        concurrentPasses: model.statistics.forwardPasses - passesBefore)
}
