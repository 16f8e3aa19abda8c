import LLMCache
import Synchronization

/// An embedder whose calls wait until the test calls ``release()`` (or are
/// cancelled), counting the calls that started, finished and were cancelled,
/// so tests can see whether a caller that gave up stopped the work it started.
final class SlowTestEmbedder: Embedder {
    let identifier = "slow-test-embedder"
    let dimensions = 4
    private let state = Mutex<(released: Bool, started: Int, finished: Int, cancelled: Int)>((false, 0, 0, 0))

    init(released: Bool = false) {
        state.withLock { $0.released = released }
    }

    var startedCount: Int { state.withLock { $0.started } }
    var finishedCount: Int { state.withLock { $0.finished } }
    var cancelledCount: Int { state.withLock { $0.cancelled } }

    /// Lets every waiting and future call finish.
    func release() { state.withLock { $0.released = true } }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        state.withLock { $0.started += 1 }
        do {
            while !state.withLock({ $0.released }) { try await Task.sleep(for: .milliseconds(1)) }
        } catch {
            state.withLock { $0.cancelled += 1 }
            throw error
        }
        state.withLock { $0.finished += 1 }
        return texts.map { _ in [1, 0, 0, 0] }
    }
}
