import Foundation
import LLMCache
import Synchronization

/// One transfer thread of a ``TransferPool`` and the easy handle it owns.
///
/// The thread runs jobs one after another and sleeps on its own semaphore
/// between them, so the pool can hand the next job to the worker that went
/// idle most recently: its connection is the one most likely still open.
final class TransferWorker: Sendable {
    /// The job handed over by the pool, read by the thread after `wake`.
    private let slot = CacheLock<TransferJob?>(nil)
    private let wake = DispatchSemaphore(value: 0)

    /// Hands `job` to this idle worker (nil: stop) and wakes its thread.
    func resume(with job: TransferJob?) {
        slot.withLock { $0 = job }
        wake.signal()
    }

    /// Starts the thread with its first job. The thread holds the pool (not
    /// the client), and leaves when the pool stops.
    func start(_ first: TransferJob, pool: TransferPool) {
        startThread(named: "llmcache-http") {
            var handle: CurlEasyHandle? = nil
            var job: TransferJob? = first
            while let current = job {
                if handle == nil { handle = CurlEasyHandle() }
                let report = current.run(handle)
                job = pool.nextJob(for: self, reporting: report)
            }
            pool.workerStopped()
        }
    }

    /// Blocks the worker's thread until the pool hands it a job or stops it (nil).
    func waitForJob() -> TransferJob? {
        wake.wait()
        return slot.withLock { job in
            defer { job = nil }
            return job
        }
    }
}
