import Foundation
import LLMCache
import Logging

/// A small async HTTP client over libcurl, for JSON APIs such as OpenAI's.
///
/// `curl_easy_perform` blocks, so transfers run on a bounded set of threads
/// of the client's own (at most `maxConcurrentTransfers`, started on demand)
/// and resume the waiting task when done: the cooperative pool is never
/// blocked. Each thread keeps its libcurl handle between requests, so a
/// request reuses the kept-alive connection of an earlier one to the same
/// host instead of paying a new TCP and TLS handshake; HTTPS uses HTTP/2 when
/// the server offers it. When every thread is busy, up to
/// `maxQueuedRequests` requests wait; one more fails at once with
/// `.queueFull`. Retries wait with `Task.sleep`, never on a blocked thread.
/// Cancelling the calling task removes a queued request without sending it
/// and aborts a running transfer within about a second.
///
/// Call ``shutdown()`` when done (or use ``withHTTPClient(configuration:logger:_:)``);
/// a client that is simply released stops its threads too, once their
/// current transfer ends.
///
/// The client knows nothing about OpenAI beyond reading its error document,
/// so the embedder and a chat client can share it.
public final class HTTPClient: Sendable {
    /// Timeouts, retries and limits, fixed for the client's lifetime.
    public struct Configuration: Sendable {
        /// The longest wait for a TCP (and TLS) connection to be established.
        public var connectTimeout: Duration
        /// The longest a single attempt may take from start to the last body byte.
        public var timeout: Duration
        /// When failed attempts are sent again and how long to wait in between.
        public var retryPolicy: RetryPolicy
        /// Responses larger than this fail with `.responseTooLarge` instead of exhausting memory.
        public var maxResponseBytes: Int
        /// The `User-Agent` header.
        public var userAgent: String
        /// The most transfers in flight at once: the number of threads the
        /// client may start and of connections it keeps open per host.
        /// Requests to an LLM mostly wait for the model, so this bounds how
        /// many the client sends concurrently, not CPU use.
        public var maxConcurrentTransfers: Int
        /// How many requests may wait for a free transfer slot; one more fails
        /// at once with `.queueFull`, so overload surfaces as an error instead
        /// of unbounded memory and latency. 0 disables waiting.
        public var maxQueuedRequests: Int

        /// A configuration; the defaults suit a hosted API.
        public init(
            connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60),
            retryPolicy: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 64 << 20,
            userAgent: String = "llmcache-swift", maxConcurrentTransfers: Int = 16,
            maxQueuedRequests: Int = 1024
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.retryPolicy = retryPolicy
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
            self.maxConcurrentTransfers = max(1, maxConcurrentTransfers)
            self.maxQueuedRequests = max(0, maxQueuedRequests)
        }
    }

    /// The configuration this client was made with.
    public let configuration: Configuration
    private let logger: Logger
    /// The transfer threads and the queue in front of them.
    let pool: TransferPool

    /// A client; pass your `Logger` to see retries (logged at `debug`).
    public init(
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "llmcache.http", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.logger = logger
        self.pool = TransferPool(
            maxTransfers: configuration.maxConcurrentTransfers, maxQueued: configuration.maxQueuedRequests)
    }

    deinit {
        // No caller can be waiting (each holds the client): let the threads go.
        pool.stop()
    }

    /// Sends the request, retrying transient failures as the retry policy
    /// says, and returns the first 2xx response.
    ///
    /// - Throws: `HTTPClientError`: `.httpStatus` (with `status` and the
    ///   server's message) for a final non-2xx answer, `.timeout`,
    ///   `.connectionFailed`, `.cancelled`, and the rest of its codes.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        try await withRetries(request) {
            switch await self.sendResult(request) {
            case .success(let response) where response.isSuccess: .success(response)
            case .success(let response): .rejected(response)
            case .failure(let error): .failed(error)
            }
        }
    }

    /// What one attempt came to, as the retry loop sees it.
    enum AttemptOutcome<Success> {
        /// A 2xx answer: done.
        case success(Success)
        /// A complete non-2xx answer (retried when its status is transient).
        case rejected(HTTPResponse)
        /// No answer (retried when the failure is transient).
        case failed(HTTPClientError)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the policy's
    /// attempts run out; shared by buffered and streamed requests.
    func withRetries<Success>(
        _ request: HTTPRequest, _ attempt: () async -> AttemptOutcome<Success>
    ) async throws(HTTPClientError) -> Success {
        let policy = configuration.retryPolicy
        var attempts = 0
        while true {
            attempts += 1
            let failure: HTTPClientError
            let retryAfter: Duration?
            let retryable: Bool
            switch await attempt() {
            case .success(let value):
                return value
            case .rejected(let response):
                failure = HTTPClientError(
                    .httpStatus, "\(request.method) \(request.url) answered HTTP \(response.status)",
                    status: response.status, serverMessage: response.serverMessage, attempts: attempts)
                retryAfter = response.retryAfter
                retryable = policy.retries(status: response.status)
            case .failed(let error):
                failure = error.withAttempts(attempts)
                retryAfter = nil
                retryable = policy.retries(error)
            }
            guard retryable, attempts < policy.maxAttempts else { throw failure }

            let delay = policy.delay(afterAttempt: attempts, retryAfter: retryAfter)
            logger.debug(
                "retrying HTTP request",
                metadata: [
                    "url": "\(request.url)", "attempt": "\(attempts)", "delay": "\(delay)",
                    "reason": "\(failure.status.map { "HTTP \($0)" } ?? failure.code.description)",
                ])
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw HTTPClientError(.cancelled, "cancelled while waiting to retry", attempts: attempts)
            }
        }
    }

    /// Sends the request once, without retries, and returns whatever the
    /// server answered, whatever its status.
    ///
    /// - Throws: `HTTPClientError` when no response arrived (timeout,
    ///   connection failure, cancellation, invalid request).
    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        try await sendResult(request).get()
    }

    private func sendResult(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPClientError> {
        if Task.isCancelled {
            return .failure(HTTPClientError(.cancelled, "cancelled before the request was sent"))
        }
        let settings = transferSettings
        let cancellation = CancellationFlag()
        let pool = self.pool
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>) in
                pool.submit(
                    TransferJob(
                        cancellation: cancellation,
                        run: { handle in
                            let result = CurlTransfer.perform(
                                request, on: handle, settings: settings, cancellation: cancellation)
                            return { continuation.resume(returning: result) }
                        },
                        reject: { error in continuation.resume(returning: .failure(error)) }))
            }
        } onCancel: {
            // Flag first: a job submitted after this sees it and is rejected.
            cancellation.cancel()
            pool.cancelQueued(cancellation)
        }
    }

    var transferSettings: CurlTransfer.Settings {
        CurlTransfer.Settings(
            connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
            maxResponseBytes: configuration.maxResponseBytes, userAgent: configuration.userAgent)
    }
}
