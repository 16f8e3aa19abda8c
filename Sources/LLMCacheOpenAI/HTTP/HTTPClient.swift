import Foundation
import LLMCache
import Logging

/// A small async HTTP client over libcurl, for JSON APIs such as OpenAI's.
///
/// `curl_easy_perform` blocks, so each transfer runs on its own dedicated
/// thread and resumes the waiting task when done: the cooperative pool is
/// never blocked, and there is no pool to start or shut down. (Requests to
/// these APIs take tens of milliseconds to seconds, so a thread per request
/// costs nothing noticeable.) Retries wait with `Task.sleep`, never on a
/// blocked thread. Cancelling the calling task aborts the transfer within
/// about a second.
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

        /// A configuration; the defaults suit a hosted API.
        public init(
            connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60),
            retryPolicy: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 64 << 20,
            userAgent: String = "llmcache-swift"
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.retryPolicy = retryPolicy
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
        }
    }

    /// The configuration this client was made with.
    public let configuration: Configuration
    private let logger: Logger

    /// A client; pass your `Logger` to see retries (logged at `debug`).
    public init(
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "llmcache.http", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.logger = logger
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
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>) in
                startThread(named: "llmcache-http") {
                    continuation.resume(
                        returning: CurlTransfer.perform(request, settings: settings, cancellation: cancellation))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    var transferSettings: CurlTransfer.Settings {
        CurlTransfer.Settings(
            connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
            maxResponseBytes: configuration.maxResponseBytes, userAgent: configuration.userAgent)
    }
}
