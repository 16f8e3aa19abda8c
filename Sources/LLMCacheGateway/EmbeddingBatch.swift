import Foundation
import LLMCache
import Synchronization

/// Gathers the inputs of one `/v1/embeddings` request that no tier had
/// into one upstream call.
///
/// Each input goes through the stack on its own (so it is looked up, shared
/// with identical concurrent inputs and stored like any answer); the
/// inputs that miss wait here. The batch is sent as soon as every input
/// has either settled (a hit, or an answer shared from another request) or
/// is waiting, or `window` after the first one started waiting: an input
/// shared with another request that itself waits on one of ours would
/// otherwise wait for ever.
final class EmbeddingBatch: Sendable {
    /// The upstream call: the embeddings of `inputs`, in order, and the
    /// prompt tokens it charged.
    typealias Send = @Sendable (_ inputs: [JSONValue]) async throws -> (embeddings: [[UInt8]], promptTokens: Int)

    private struct Waiting {
        let input: JSONValue
        let continuation: CheckedContinuation<[UInt8], any Error>
    }

    private struct State {
        var waiting: [Int: Waiting] = [:]
        var settled: Set<Int> = []
        var timerStarted = false
        var promptTokens = 0
    }

    private let count: Int
    private let window: Duration
    private let send: Send
    private let state = Mutex(State())

    init(count: Int, window: Duration = .milliseconds(100), send: @escaping Send) {
        self.count = count
        self.window = window
        self.send = send
    }

    /// Prompt tokens the upstream charged for this request's inputs.
    var promptTokens: Int { state.withLock { $0.promptTokens } }

    /// The embedding of input `index`, from the next upstream call.
    func embedding(of index: Int, input: JSONValue) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            let startTimer = state.withLock { state in
                state.waiting[index] = Waiting(input: input, continuation: continuation)
                defer { state.timerStarted = true }
                return !state.timerStarted
            }
            if startTimer {
                Task {
                    try? await Task.sleep(for: window)
                    flush()
                }
            }
            flushIfComplete()
        }
    }

    /// Input `index` has its answer without this batch.
    func settle(_ index: Int) {
        state.withLock { _ = $0.settled.insert(index) }
        flushIfComplete()
    }

    private func flushIfComplete() {
        let complete = state.withLock { state in
            !state.waiting.isEmpty && state.waiting.count + state.settled.subtracting(state.waiting.keys).count == count
        }
        if complete { flush() }
    }

    /// Sends what waits, in a task of its own; the next input to wait
    /// starts a new window.
    private func flush() {
        let batch = state.withLock { state in
            defer {
                state.waiting = [:]
                state.timerStarted = false
            }
            return state.waiting.sorted { $0.key < $1.key }.map(\.value)
        }
        guard !batch.isEmpty else { return }
        Task {
            do {
                let (embeddings, tokens) = try await send(batch.map(\.input))
                guard embeddings.count == batch.count else {
                    throw UpstreamFailure(
                        status: 502, contentType: nil,
                        body: Upstream.errorBody("the upstream returned \(embeddings.count) embeddings for \(batch.count) inputs"))
                }
                state.withLock { $0.promptTokens += tokens }
                for (waiting, embedding) in zip(batch, embeddings) { waiting.continuation.resume(returning: embedding) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
