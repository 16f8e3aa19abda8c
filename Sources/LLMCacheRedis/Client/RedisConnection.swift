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
final class RedisConnection: Sendable {
    private struct Pending: Sendable {
        let arguments: [[UInt8]]
        let continuation: CheckedContinuation<RedisValue, any Error>
    }

    private struct Queue {
        var pending: [Pending] = []
        var isShutDown = false
        var isIdle = false
    }

    private static let maximumBatch = 1024

    let configuration: RedisConfiguration
    private let logger: Logger
    private let queue = CacheLock(Queue())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let queued = Atomic<Int>(0)
    private let finished = OneShotSignal()

    init(configuration: RedisConfiguration, logger: Logger, name: String) {
        self.configuration = configuration
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Commands waiting or in flight, to pick the least busy connection.
    var load: Int { queued.load(ordering: .relaxed) }

    /// Sends one command and waits for its reply. Error replies are returned
    /// as `.error`, not thrown; transport failures throw.
    func send(_ arguments: [[UInt8]]) async throws -> RedisValue {
        try await withCheckedThrowingContinuation { continuation in
            let (accepted, wasIdle) = queue.withLock { queue -> (Bool, Bool) in
                guard !queue.isShutDown else { return (false, false) }
                queue.pending.append(Pending(arguments: arguments, continuation: continuation))
                defer { queue.isIdle = false }
                return (true, queue.isIdle)
            }
            guard accepted else {
                continuation.resume(throwing: RedisError(.clientShutDown, "the Redis client was shut down"))
                return
            }
            queued.add(1, ordering: .relaxed)
            if wasIdle { wakeUp.signal() }
        }
    }

    /// Fails what is queued, closes the connection and returns once the
    /// thread has ended (without blocking the caller's thread).
    func shutdown() async {
        queue.withLock { $0.isShutDown = true }
        wakeUp.signal()
        await finished.wait()
    }

    var isShutDown: Bool { queue.withLock { $0.isShutDown } }

    // MARK: - The connection thread

    private func run() {
        var context: HiredisContext?
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
                    context = try HiredisContext(configuration: configuration)
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
        finished.fire()
    }

    /// Waits for work; `nil` once shut down and drained.
    private func nextBatch() -> [Pending]? {
        while true {
            let (batch, isShutDown): ([Pending], Bool) = queue.withLock { queue in
                let take = min(queue.pending.count, Self.maximumBatch)
                let batch = Array(queue.pending.prefix(take))
                queue.pending.removeFirst(take)
                if batch.isEmpty { queue.isIdle = true }
                return (batch, queue.isShutDown)
            }
            if isShutDown {
                fail(batch + queue.withLock { queue in
                    defer { queue.pending = [] }
                    return queue.pending
                }, with: RedisError(.clientShutDown, "the Redis client was shut down"))
                return nil
            }
            if !batch.isEmpty {
                queued.add(-batch.count, ordering: .relaxed)
                return batch
            }
            if awaitWorkBriefly() { continue }
            wakeUp.wait()
        }
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
    private func execute(_ batch: [Pending], on context: HiredisContext) -> RedisError? {
        do {
            for command in batch { try context.append(command.arguments) }
            try context.flush()
        } catch {
            fail(batch, with: error)
            return error
        }
        for (index, command) in batch.enumerated() {
            do {
                command.continuation.resume(returning: try reply(from: context))
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
    private func reply(from context: HiredisContext) throws(RedisError) -> RedisValue {
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
