import Dispatch
import Foundation
import LLMCache
import Logging
import Synchronization

/// One Redis connection driven by a thread of its own, with auto-pipelining.
///
/// Callers queue commands and suspend; the thread takes everything queued,
/// writes it in one go, reads the replies in order and resumes the callers.
/// Commands queued while a batch is in flight go out together in the next
/// write, so many concurrent tasks share few round trips. hiredis blocks, so it
/// never runs on Swift's cooperative pool.
///
/// After an I/O error or a timeout the connection is discarded; the next batch
/// reconnects, and failed reconnects back off so that a dead server costs one
/// connect timeout per back-off period, not one per command.
///
/// The thread is also a `TaskExecutor`: a task that prefers it runs between
/// batches on this thread, so its commands need no hand-off in either
/// direction (see ``RedisClient/taskExecutor``).
final class RedisConnection: TaskExecutor {
    private struct Pending: Sendable {
        let id: UInt64
        let arguments: [[UInt8]]
        /// Sent just before `arguments` with its reply discarded: `ASKING`
        /// for a command redirected to a slot being migrated.
        let prelude: [[UInt8]]?
        let bytes: Int
        /// The command timeout counts from here, queueing included: a
        /// command behind a stalled batch fails when its own time is up
        /// rather than waiting for that batch and then for its own reply.
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<RedisValue, any Error>
    }

    private struct Queue {
        var pending: [Pending] = []
        /// The argument bytes of `pending`.
        var pendingBytes = 0
        var nextID: UInt64 = 0
        /// Jobs of tasks that prefer this thread as their executor.
        var jobs: [UnownedJob] = []
        var isShutDown = false
        var isIdle = false
        /// Set when the thread has ended: jobs then go to the global executor.
        var hasEnded = false
    }

    private static let maximumBatch = 1024

    let configuration: RedisConfiguration
    private let logger: Logger
    private let queue = CacheLock(Queue())
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Commands and jobs waiting or in flight.
    private let queued = Atomic<Int>(0)
    private let threadID = Atomic<UInt>(0)
    private let finished = OneShotSignal()

    init(configuration: RedisConfiguration, logger: Logger, name: String) {
        self.configuration = configuration
        self.logger = logger
        startThread(named: name) { [self] in
            threadID.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .releasing)
            run()
        }
    }

    /// Commands waiting or in flight, to pick the least busy connection.
    var load: Int { queued.load(ordering: .relaxed) }

    /// Whether the caller runs on this connection's thread (as a task that prefers it).
    var isCurrentThread: Bool {
        threadID.load(ordering: .acquiring) == UInt(bitPattern: Int(bitPattern: pthread_self()))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (accepted, wasIdle) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.hasEnded else { return (false, false) }
            queue.jobs.append(job)
            defer { queue.isIdle = false }
            return (true, queue.isIdle)
        }
        guard accepted else {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        queued.add(1, ordering: .relaxed)
        if wasIdle { wakeUp.signal() }
    }

    /// Sends one command and waits for its reply. Error replies are returned
    /// as `.error`, not thrown; transport failures throw.
    ///
    /// A command that finds ``RedisConfiguration/maximumPendingCommands``
    /// commands (or ``RedisConfiguration/maximumPendingBytes`` bytes) already
    /// waiting fails at once with `.overloaded`: a stalled server then costs
    /// callers a fast miss instead of a queue that grows without bound. A
    /// caller cancelled while its command waits leaves the queue at once
    /// (`CancellationError`); a command already written still completes.
    func send(_ arguments: [[UInt8]], after prelude: [[UInt8]]? = nil) async throws -> RedisValue {
        let bytes = arguments.reduce(0) { $0 + $1.count + 16 }
        let id = queue.withLock { queue in
            defer { queue.nextID &+= 1 }
            return queue.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(
                    Pending(
                        id: id, arguments: arguments, prelude: prelude, bytes: bytes, deadline: .now + configuration.commandTimeout,
                        continuation: continuation))
            }
        } onCancel: {
            let cancelled = queue.withLock { queue -> Pending? in
                // Not found: already written (its reply will come), or not yet queued.
                guard let index = queue.pending.firstIndex(where: { $0.id == id }) else { return nil }
                let pending = queue.pending.remove(at: index)
                queue.pendingBytes -= pending.bytes
                return pending
            }
            if let cancelled {
                queued.add(-1, ordering: .relaxed)
                cancelled.continuation.resume(throwing: CancellationError())
            }
        }
    }

    private enum Admission { case accepted(wasIdle: Bool), shutDown, overloaded }

    private func enqueue(_ pending: Pending) {
        let admission = queue.withLock { queue -> Admission in
            guard !queue.isShutDown else { return .shutDown }
            guard queue.pending.count < configuration.maximumPendingCommands,
                queue.pending.isEmpty || queue.pendingBytes + pending.bytes <= configuration.maximumPendingBytes
            else { return .overloaded }
            queue.pending.append(pending)
            queue.pendingBytes += pending.bytes
            defer { queue.isIdle = false }
            return .accepted(wasIdle: queue.isIdle)
        }
        switch admission {
        case .accepted(let wasIdle):
            queued.add(1, ordering: .relaxed)
            if wasIdle { wakeUp.signal() }
        case .shutDown:
            pending.continuation.resume(throwing: RedisError(.clientShutDown, "the Redis client was shut down"))
        case .overloaded:
            pending.continuation.resume(
                throwing: RedisError(
                    .overloaded,
                    "too many commands waiting for this Redis connection (limits: \(configuration.maximumPendingCommands) commands, \(configuration.maximumPendingBytes) bytes)"))
        }
    }

    /// Fails what is queued, closes the connection and returns once the
    /// thread has ended (without blocking the caller's thread).
    func shutdown() async {
        requestShutdown()
        await finished.wait()
    }

    /// Tells the thread to fail what is queued and end, without waiting:
    /// for an owner going away without ``shutdown()``.
    func requestShutdown() {
        queue.withLock { $0.isShutDown = true }
        wakeUp.signal()
    }

    var isShutDown: Bool { queue.withLock { $0.isShutDown } }

    // MARK: - The connection thread

    private func run() {
        var context: RedisWire?
        var retryAt: ContinuousClock.Instant?
        var delay = configuration.reconnectDelay
        var lastFailure: RedisError?

        while let batch = nextBatch() {
            if context == nil {
                if let retryAt, ContinuousClock.now < retryAt {
                    fail(batch, with: RedisError(
                        .connectionUnavailable,
                        "Redis is unreachable, next reconnect attempt pending (\(lastFailure?.message ?? "no detail"))"))
                    continue
                }
                do {
                    context = try RedisWire(configuration: configuration)
                    if lastFailure != nil { logger.info("reconnected to Redis") }
                    retryAt = nil
                    lastFailure = nil
                    delay = configuration.reconnectDelay
                } catch {
                    logger.warning("Redis connection failed", metadata: ["error": "\(error)"])
                    lastFailure = error
                    retryAt = ContinuousClock.now + delay
                    delay = min(delay * 2, configuration.maximumReconnectDelay)
                    fail(batch, with: error)
                    continue
                }
            }
            if let failure = execute(batch, on: context!) {
                logger.warning("Redis connection dropped", metadata: ["error": "\(failure)"])
                context = nil
                lastFailure = failure
            }
        }
        context = nil
        drainJobs()
        finished.fire()
    }

    /// Runs the jobs of tasks that prefer this thread and waits for
    /// commands; `nil` once shut down and drained.
    private func nextBatch() -> [Pending]? {
        while true {
            let (jobs, batch, isShutDown) = queue.withLock { queue in
                let take = min(queue.pending.count, Self.maximumBatch)
                let batch = Array(queue.pending.prefix(take))
                queue.pending.removeFirst(take)
                queue.pendingBytes -= batch.reduce(0) { $0 + $1.bytes }
                defer { queue.jobs = [] }
                if batch.isEmpty && queue.jobs.isEmpty { queue.isIdle = true }
                return (queue.jobs, batch, queue.isShutDown)
            }
            run(jobs)
            if isShutDown {
                fail(batch + queue.withLock { queue in
                    defer {
                        queue.pending = []
                        queue.pendingBytes = 0
                    }
                    return queue.pending
                }, with: RedisError(.clientShutDown, "the Redis client was shut down"))
                return nil
            }
            if !batch.isEmpty {
                queued.add(-batch.count, ordering: .relaxed)
                return batch
            }
            if !jobs.isEmpty || awaitWorkBriefly() { continue }
            wakeUp.wait()
        }
    }

    /// Runs what is left of the preferring tasks' jobs; later jobs go to the
    /// global executor, as the thread is about to end.
    private func drainJobs() {
        while true {
            let jobs = queue.withLock { queue in
                defer { queue.jobs = [] }
                if queue.jobs.isEmpty { queue.hasEnded = true }
                return queue.jobs
            }
            if jobs.isEmpty { return }
            run(jobs)
        }
    }

    private func run(_ jobs: [UnownedJob]) {
        guard !jobs.isEmpty else { return }
        queued.add(-jobs.count, ordering: .relaxed)
        for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    /// Polls for new commands for a short while before the thread sleeps.
    ///
    /// A caller that just got its reply usually sends its next command a few
    /// microseconds later; catching it here saves a sleep and a wake-up, which
    /// on a virtual machine cost about as much as the round trip to Redis.
    private func awaitWorkBriefly() -> Bool {
        guard configuration.idleSpin > .zero else { return false }
        let deadline = ContinuousClock.now + configuration.idleSpin
        var polls = 0
        while queued.load(ordering: .relaxed) == 0 {
            polls += 1
            if polls & 63 == 0 {
                if ContinuousClock.now >= deadline { return false }
                sched_yield()
            }
        }
        return true
    }

    /// Writes the batch in one go and reads its replies in order. On a
    /// transport failure, fails the unanswered commands and returns the error.
    ///
    /// Commands whose time ran out while they waited fail with `.timeout`
    /// unsent; if the oldest of the others has less than its full timeout
    /// left, the socket waits only that long for the replies.
    private func execute(_ batch: [Pending], on context: RedisWire) -> RedisError? {
        let now = ContinuousClock.now
        let expired = batch.prefix { $0.deadline <= now }
        if !expired.isEmpty {
            fail(expired, with: RedisError(.timeout, "waited longer than the command timeout for a stalled connection"))
        }
        let batch = batch.dropFirst(expired.count)
        guard let oldest = batch.first else { return nil }
        let left = oldest.deadline - now
        let shortened = left < configuration.commandTimeout - .milliseconds(5)
        if shortened { context.setTimeout(left) }
        defer { if shortened { context.setTimeout(configuration.commandTimeout) } }
        do {
            for command in batch {
                if let prelude = command.prelude { context.append(prelude) }
                context.append(command.arguments)
            }
            try context.flush()
        } catch {
            fail(batch, with: error)
            return error
        }
        for index in batch.indices {
            do {
                if batch[index].prelude != nil { _ = try reply(from: context) }
                batch[index].continuation.resume(returning: try reply(from: context))
            } catch {
                fail(batch[index...], with: error)
                return error
            }
        }
        return nil
    }

    /// The next reply: polled for a short while (the round trip to a local
    /// server is shorter than putting this thread to sleep and waking it),
    /// then waited for in hiredis with the command timeout.
    private func reply(from context: RedisWire) throws(RedisError) -> RedisValue {
        if let buffered = try context.bufferedReply() { return buffered }
        if configuration.replySpin > .zero, context.pollReadable(for: configuration.replySpin) {
            try context.readAvailable()
            if let buffered = try context.bufferedReply() { return buffered }
        }
        return try context.nextReply()
    }

    private func fail(_ batch: some Sequence<Pending>, with error: RedisError) {
        for command in batch { command.continuation.resume(throwing: error) }
    }
}
