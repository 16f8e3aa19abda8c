import Foundation
import Testing

@testable import LLMCacheEmbeddings

/// Concurrent calls to the real embedder: merged into shared forward passes
/// with the same vectors as alone, refused fast when the queue is full, and
/// dropped without being encoded when cancelled.
///
/// Each test holds the encoder thread while it queues its calls, so what
/// shares a pass is decided by the test, not by timing. Serialized: the
/// tests read one embedder's counters.
@Suite("MiniLM embedder dynamic batching", .serialized)
struct MiniLMBatchingTests {
    typealias Record = MiniLMEmbedderTests.Record

    /// One embedder for this suite: batches of 32, at most 64 texts queued.
    private static let loaded = Task { () throws(EmbeddingError) -> MiniLMEmbedder in
        try await MiniLMEmbedder.load(
            modelFolder: ModelFiles.folder, configuration: .init(threads: 2, maxBatchSize: 32, maxQueuedTexts: 64))
    }

    static func embedder() async throws -> MiniLMEmbedder { try await loaded.value }

    /// Starts one single-text call per text while the worker is held, lets
    /// the worker go once all are queued, and returns the vectors in order.
    static func concurrentSingles(_ texts: [String], on embedder: MiniLMEmbedder) async throws -> [[Float]] {
        let queuedBefore = embedder.statistics.queuedTexts
        embedder.worker.hold()
        return try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await embedder.embed([text])[0]) }
            }
            do {
                try await eventually { embedder.statistics.queuedTexts == queuedBefore + texts.count }
            } catch {
                embedder.worker.release()
                throw error
            }
            embedder.worker.release()
            var vectors = [[Float]](repeating: [], count: texts.count)
            for try await (index, vector) in group { vectors[index] = vector }
            return vectors
        }
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func sixtyFourConcurrentCallsShareTwoPassesWithTheirOwnVectors() async throws {
        let embedder = try await Self.embedder()
        let all = try MiniLMEmbedderTests.records()
        // A stride through the file mixes empty, short, long and truncated texts.
        let records = (0..<64).map { all[($0 * 37) % all.count] }
        let before = embedder.statistics
        let merged = try await Self.concurrentSingles(records.map(\.text), on: embedder)
        let after = embedder.statistics
        #expect(after.forwardPasses - before.forwardPasses == 2, "64 queued texts, batches of 32")
        #expect(after.textsEncoded - before.textsEncoded == 64)
        #expect(after.largestPass == 32)
        _ = MiniLMEmbedderTests.expectMatches(merged, records, batchSize: 32)
        for (index, record) in records.enumerated() {
            let alone = try await embedder.embed([record.text])[0]
            let difference = Self.maxDifference(alone, merged[index])
            #expect(difference <= 1e-5, "\(record.text.prefix(40).debugDescription) moved by \(difference) in company")
        }
    }

    @Test func aFullQueueFailsFastAndLaterCallsStillWork() async throws {
        let embedder = try await Self.embedder()
        let before = embedder.statistics
        embedder.worker.hold()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<64 {
                group.addTask { try await embedder.embed(["queued call \(index)"]).count }
            }
            do {
                try await eventually { embedder.statistics.queuedTexts == 64 }
                _ = try await embedder.embed(["one too many"])
                Issue.record("the 65th text was queued beyond the bound of 64")
            } catch let error as EmbeddingError {
                #expect(error.code == .queueFull, "\(error)")
            } catch {
                Issue.record("expected queueFull, got \(error)")
            }
            embedder.worker.release()
            return try await group.reduce(0, +)
        }
        #expect(results == 64, "every admitted call got its vector")
        #expect(embedder.statistics.callsRejected - before.callsRejected == 1)
        let later = try await embedder.embed(["a later call"])
        #expect(later.count == 1 && later[0].count == 384)
    }

    @Test func cancelledCallsLeaveNoWorkBehind() async throws {
        let embedder = try await Self.embedder()
        let before = embedder.statistics
        embedder.worker.hold()
        let kept = Task { try await embedder.embed(["kept"]) }
        let dropped = Task { try await embedder.embed(["dropped one", "dropped two"]) }
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await embedder.embed(["cancelled before it was queued"])
        }
        do {
            try await eventually { embedder.statistics.queuedTexts == 3 }
        } catch {
            embedder.worker.release()
            throw error
        }
        dropped.cancel()
        await #expect(throws: CancellationError.self) { try await dropped.value }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(embedder.statistics.queuedTexts == 1, "the cancelled call's texts left the queue")
        embedder.worker.release()
        #expect(try await kept.value.count == 1)
        let after = embedder.statistics
        #expect(after.forwardPasses - before.forwardPasses == 1)
        #expect(after.textsEncoded - before.textsEncoded == 1, "only the kept text was encoded")
        #expect(after.callsCancelled - before.callsCancelled == 2)
    }

    @Test func invalidQueueSettingsAreRefused() async {
        for configuration in [
            MiniLMEmbedder.Configuration(maxQueuedTexts: 0), MiniLMEmbedder.Configuration(batchWindow: .milliseconds(-1)),
        ] {
            let error = await #expect(throws: EmbeddingError.self) {
                _ = try await MiniLMEmbedder.load(modelFolder: ModelFiles.folder, configuration: configuration)
            }
            #expect(error?.code == .invalidConfiguration)
        }
    }
}
