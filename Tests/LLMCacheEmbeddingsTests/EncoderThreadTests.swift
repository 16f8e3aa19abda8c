import Foundation
import Synchronization
import LLMCache
import Testing

@testable import LLMCacheEmbeddings

/// The encoder thread's queue with a stand-in forward pass (one float per
/// text, its length), so merging, the batch window and cancellation inside
/// a pass can be checked without the model.
@Suite("Encoder thread queue")
struct EncoderThreadTests {
    /// A stand-in pass that records the batches it saw and can be made to
    /// block until the test lets it go.
    final class FakePass: Sendable {
        private let state = Mutex<(batches: [[String]], gateOpen: Bool)>(([], true))

        var batches: [[String]] { state.withLock { $0.batches } }

        func closeGate() { state.withLock { $0.gateOpen = false } }
        func openGate() { state.withLock { $0.gateOpen = true } }

        func encode(_ texts: [String]) -> [TextEncoding] {
            state.withLock { $0.batches.append(texts) }
            while !state.withLock({ $0.gateOpen }) { usleep(200) }
            return texts.map { TextEncoding(vector: [Float($0.count)]) }
        }
    }

    static func thread(_ pass: FakePass, maxBatchSize: Int = 4, window: Duration = .zero) -> EncoderThread {
        EncoderThread(name: "test-encoder", maxBatchSize: maxBatchSize, batchWindow: window, maxQueuedTexts: 16) {
            pass.encode($0)
        }
    }

    @Test func aBatchWindowWaitsForCompanyUntilTheBatchIsFull() async throws {
        let pass = FakePass()
        // A window far longer than the test: the pass starts only because
        // the batch fills, so all four calls share it.
        let worker = Self.thread(pass, window: .seconds(600))
        defer { worker.stop() }
        let lengths: [Float] = try await withThrowingTaskGroup(of: Float.self) { group in
            for text in ["a", "bb", "ccc", "dddd"] {
                group.addTask { try await worker.embed([text])[0].vector[0] }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(lengths.sorted() == [1, 2, 3, 4])
        #expect(pass.batches.count == 1 && pass.batches.first?.count == 4)
        #expect(worker.statistics.forwardPasses == 1 && worker.statistics.largestPass == 4)
    }

    @Test func aCallLargerThanAPassIsSplitAndAnsweredWhole() async throws {
        let pass = FakePass()
        let worker = Self.thread(pass, maxBatchSize: 4)
        defer { worker.stop() }
        let texts = (1...10).map { String(repeating: "x", count: $0) }
        let vectors = try await worker.embed(texts).map(\.vector)
        #expect(vectors.map { $0[0] } == (1...10).map(Float.init))
        #expect(pass.batches.map(\.count) == [4, 4, 2])
    }

    @Test func aCallCancelledDuringItsPassIsAnsweredAtOnceAndItsVectorsDropped() async throws {
        let pass = FakePass()
        pass.closeGate()
        let worker = Self.thread(pass)
        defer { worker.stop() }
        let call = Task { try await worker.embed(["running"]) }
        try await eventually { pass.batches.count == 1 }
        call.cancel()
        // Answered while the pass is still blocked.
        await #expect(throws: CancellationError.self) { try await call.value }
        pass.openGate()
        #expect(try await worker.embed(["after"]).map(\.vector) == [[5]])
        let statistics = worker.statistics
        #expect(statistics.callsCancelled == 1)
        #expect(statistics.textsEncoded == 2, "the cancelled text was already in its pass")
    }
}
