import Foundation
import LLMCache

/// A dedicated thread that encodes queued `embed` calls, merging the calls
/// that wait into shared forward passes (dynamic batching).
///
/// The encoder's forward pass is milliseconds of blocking CPU work (BLAS
/// calls that cannot yield). Run on Swift's cooperative pool, which has one
/// thread per core, it would stall every other task of the process; here it
/// runs beside the pool and async callers wait on a continuation instead.
///
/// A pass over many texts costs far less than one pass per text (one matrix
/// product per layer for the whole batch), so each pass takes every waiting
/// call that fits in `maxBatchSize` texts: calls that arrive while a pass runs
/// share the next one. With a `batchWindow`, an idle thread also waits that
/// long after the oldest call for company before it starts.
///
/// `@unchecked Sendable`: `queue`, `counters`, `held`, `stopping` and every
/// job's mutable fields are only touched with `condition` locked.
final class EncoderThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: JobQueue
    private var counters = MiniLMEmbedder.Statistics()
    private var held = false
    private var stopping = false
    private let maxBatchSize: Int
    private let batchWindow: Duration
    /// Tokenises and encodes up to `maxBatchSize` texts: one forward pass.
    private let encode: @Sendable ([String]) -> [TextEncoding]

    /// Starts the thread, named `name` for debuggers and profilers.
    init(
        name: String, maxBatchSize: Int, batchWindow: Duration, maxQueuedTexts: Int,
        encode: @escaping @Sendable ([String]) -> [TextEncoding]
    ) {
        queue = JobQueue(maxTexts: maxQueuedTexts)
        self.maxBatchSize = maxBatchSize
        self.batchWindow = batchWindow
        self.encode = encode
        startThread(named: name) { [self] in run() }
    }

    /// A snapshot of the counters.
    var statistics: MiniLMEmbedder.Statistics {
        condition.lock()
        defer { condition.unlock() }
        var snapshot = counters
        snapshot.queuedTexts = queue.texts
        return snapshot
    }

    /// The vectors of `texts` (non-empty), computed in a pass shared with
    /// whatever else is waiting; see ``MiniLMEmbedder/embed(_:)``.
    func embed(_ texts: [String]) async throws -> [TextEncoding] {
        let job = EmbeddingJob(texts: texts)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                submit(job, continuation)
            }
        } onCancel: {
            cancel(job)
        }
    }

    /// Queues `job`, to be answered through `continuation`; answers at once
    /// with ``EmbeddingError/Code/queueFull`` when the queue is at its bound,
    /// or with `CancellationError` if the job was cancelled before it came.
    private func submit(_ job: EmbeddingJob, _ continuation: CheckedContinuation<[TextEncoding], any Error>) {
        condition.lock()
        precondition(!stopping, "job submitted to a stopped encoder thread")
        if job.phase == .cancelledEarly {
            job.phase = .finished
            counters.callsCancelled += 1
            condition.unlock()
            continuation.resume(throwing: CancellationError())
            return
        }
        job.enqueued = .now
        guard queue.admit(job) else {
            job.phase = .finished
            counters.callsRejected += 1
            let (waiting, bound) = (queue.texts, queue.maxTexts)
            condition.unlock()
            continuation.resume(
                throwing: EmbeddingError(
                    .queueFull,
                    "MiniLMEmbedder's queue holds \(waiting) texts, its bound is \(bound) "
                        + "(Configuration.maxQueuedTexts): \(job.texts.count) more refused"))
            return
        }
        job.phase = .queued
        job.continuation = continuation
        condition.signal()
        condition.unlock()
    }

    /// Answers `job`'s caller with `CancellationError` now. A queued job is
    /// removed and never encoded; a job inside a pass has its vectors dropped.
    private func cancel(_ job: EmbeddingJob) {
        condition.lock()
        var waiting: CheckedContinuation<[TextEncoding], any Error>?
        switch job.phase {
        case .created:
            job.phase = .cancelledEarly
        case .queued:
            _ = queue.remove(job)
            fallthrough
        case .running:
            job.phase = .finished
            counters.callsCancelled += 1
            waiting = job.continuation
            job.continuation = nil
        case .cancelledEarly, .finished:
            break
        }
        condition.unlock()
        waiting?.resume(throwing: CancellationError())
    }

    /// Keeps the thread from starting another pass until ``release()``, so
    /// tests can fill the queue deterministically.
    func hold() {
        condition.lock()
        held = true
        condition.unlock()
    }

    /// Undoes ``hold()``.
    func release() {
        condition.lock()
        held = false
        condition.broadcast()
        condition.unlock()
    }

    /// Lets the thread finish the jobs already queued, then exit. Called when
    /// the embedder goes away; the thread holds no reference to the embedder.
    func stop() {
        condition.lock()
        stopping = true
        held = false
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while let batch = nextBatch() {
            let texts = batch.flatMap(\.texts)
            var vectors: [TextEncoding] = []
            vectors.reserveCapacity(texts.count)
            var passes: [Int] = []
            for start in stride(from: 0, to: texts.count, by: maxBatchSize) {
                // Only a single call larger than a pass gets here twice; stop
                // encoding it once its caller has gone.
                if start > 0, !isWanted(batch) { break }
                let end = min(start + maxBatchSize, texts.count)
                vectors += encode(Array(texts[start..<end]))
                passes.append(end - start)
            }
            deliver(vectors, to: batch, passes: passes)
        }
    }

    /// Waits for the next batch (or for the end); marks its jobs running.
    private func nextBatch() -> [EmbeddingJob]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if queue.isEmpty || held {
                if stopping && queue.isEmpty { return nil }
                condition.wait()
                continue
            }
            if batchWindow > .zero, !stopping, queue.texts < maxBatchSize {
                let remaining = queue.jobs[0].enqueued + batchWindow - ContinuousClock.now
                if remaining > .zero {
                    let (seconds, attoseconds) = remaining.components
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
                    continue
                }
            }
            let batch = queue.takeBatch(limit: maxBatchSize)
            for job in batch { job.phase = .running }
            return batch
        }
    }

    /// Whether any job of `batch` still has a caller waiting.
    private func isWanted(_ batch: [EmbeddingJob]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return batch.contains { $0.phase == .running }
    }

    /// Hands each still-waiting job its slice of `vectors` and counts `passes`
    /// (texts per pass).
    private func deliver(_ vectors: [TextEncoding], to batch: [EmbeddingJob], passes: [Int]) {
        var answers: [(CheckedContinuation<[TextEncoding], any Error>, [TextEncoding])] = []
        condition.lock()
        counters.forwardPasses += passes.count
        counters.textsEncoded += passes.reduce(0, +)
        counters.largestPass = max(counters.largestPass, passes.max() ?? 0)
        var start = 0
        for job in batch {
            let end = start + job.texts.count
            if job.phase == .running, let continuation = job.continuation {
                answers.append((continuation, Array(vectors[start..<end])))
                job.continuation = nil
                job.phase = .finished
            }
            start = end
        }
        condition.unlock()
        for (continuation, vectors) in answers { continuation.resume(returning: vectors) }
    }
}
