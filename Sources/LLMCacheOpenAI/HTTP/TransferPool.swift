import LLMCache
import Synchronization

/// The bounded set of threads that run an ``HTTPClient``'s blocking libcurl
/// transfers, and the bounded queue in front of them.
///
/// At most `maxTransfers` threads exist, started on demand and kept between
/// requests with their easy handles, so connections stay open for the next
/// request (keep-alive) and the cooperative pool never blocks. When every
/// thread is busy, up to `maxQueued` jobs wait in arrival order; one more is
/// turned away at once with `.queueFull` rather than piling up memory and
/// latency. A job cancelled while queued leaves the queue without running.
///
/// The threads hold the pool, never the client: dropping the client stops
/// the pool, and its threads leave once their current job is done.
final class TransferPool: Sendable {
    /// The most transfers running at once (and threads alive).
    let maxTransfers: Int
    /// The most jobs waiting for a thread.
    let maxQueued: Int

    private struct State {
        var queue: [TransferJob] = []
        /// Idle workers, the most recently idle last: it is handed the next job.
        var idle: [TransferWorker] = []
        var threads = 0
        var stopping = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = CacheLock(State())

    init(maxTransfers: Int, maxQueued: Int) {
        self.maxTransfers = max(1, maxTransfers)
        self.maxQueued = max(0, maxQueued)
    }

    /// What `submit` decided under the lock, carried out after unlocking.
    private enum Admission {
        case handTo(TransferWorker)
        case startThread(TransferWorker)
        case queued
        case rejected(HTTPClientError)
    }

    /// Runs `job` on an idle thread, a new one, or later from the queue; or
    /// rejects it at once (client stopped, job cancelled, queue full).
    func submit(_ job: TransferJob) {
        let admission: Admission = state.withLock { state in
            if state.stopping {
                return .rejected(HTTPClientError(.shutdown, "the HTTP client was shut down"))
            }
            if job.cancellation.isCancelled {
                return .rejected(HTTPClientError(.cancelled, "cancelled before the request was sent"))
            }
            if let worker = state.idle.popLast() { return .handTo(worker) }
            if state.threads < maxTransfers {
                state.threads += 1
                return .startThread(TransferWorker())
            }
            if state.queue.count < maxQueued {
                state.queue.append(job)
                return .queued
            }
            return .rejected(
                HTTPClientError(
                    .queueFull,
                    "\(maxTransfers) transfers are running and \(maxQueued) requests are queued"))
        }
        switch admission {
        case .handTo(let worker): worker.resume(with: job)
        case .startThread(let worker): worker.start(job, pool: self)
        case .queued: break
        case .rejected(let error): job.reject(error)
        }
    }

    /// Takes the job with this cancellation flag out of the queue, if it is
    /// still there, and fails it with `.cancelled`. A job already running is
    /// left to notice the flag itself.
    func cancelQueued(_ cancellation: CancellationFlag) {
        let removed: TransferJob? = state.withLock { state in
            guard let index = state.queue.firstIndex(where: { $0.cancellation === cancellation }) else { return nil }
            return state.queue.remove(at: index)
        }
        removed?.reject(HTTPClientError(.cancelled, "cancelled while waiting for a free connection"))
    }

    /// Called by a worker after each job: the next queued job, or (after
    /// waiting idle) the next submitted one; nil when the thread should end.
    /// `report` (the finished job's outcome) runs once the worker is
    /// available again, so the caller's next request can reuse it.
    func nextJob(for worker: TransferWorker, reporting report: () -> Void) -> TransferJob? {
        let immediate: TransferJob?? = state.withLock { state in
            if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
            if state.stopping { return .some(nil) }
            state.idle.append(worker)
            return nil
        }
        report()
        if let immediate { return immediate }
        return worker.waitForJob()
    }

    /// Called by a worker's thread as it ends.
    func workerStopped() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.threads -= 1
            guard state.threads == 0, state.stopping else { return [] }
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Refuses new jobs; queued and running ones finish, then every thread
    /// ends. Does not wait: safe from `deinit`.
    func stop() {
        let idle: [TransferWorker] = state.withLock { state in
            state.stopping = true
            defer { state.idle = [] }
            return state.idle
        }
        for worker in idle { worker.resume(with: nil) }
    }

    /// ``stop()``, then waits until every thread has ended.
    func stopAndWait() async {
        stop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.threads == 0 { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Requests waiting for a thread right now.
    var queuedCount: Int { state.withLock { $0.queue.count } }
}
