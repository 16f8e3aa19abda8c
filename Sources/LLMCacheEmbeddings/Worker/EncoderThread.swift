import Foundation
import LLMCache

/// A dedicated thread that runs submitted jobs one at a time, in order.
///
/// The encoder's forward pass is tens of milliseconds of blocking CPU work
/// (BLAS calls that cannot yield). Run on Swift's cooperative pool, which has
/// one thread per core, it would stall every other task of the process; here
/// it runs beside the pool and async callers wait on a continuation instead.
final class EncoderThread: @unchecked Sendable {
    // @unchecked: `jobs` and `stopping` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    /// Starts the thread, named `name` for debuggers and profilers.
    init(name: String) {
        startThread(named: name) { [self] in run() }
    }

    /// Queues `job`; it runs on the worker thread after the jobs queued before it.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        precondition(!stopping, "job submitted to a stopped encoder thread")
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs already queued, then exit. Called when
    /// the embedder goes away; the thread holds no reference to the embedder.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
