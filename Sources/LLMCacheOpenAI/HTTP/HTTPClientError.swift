/// Why an HTTP exchange failed, with what the server said when it said anything.
///
/// One error type for the whole HTTP layer so callers (the embedder and the
/// chat client) can tell a timeout from a refused connection from a
/// rejected request without parsing strings. `Code` is an opaque struct
/// rather than an enum so new kinds of failure never break a caller's
/// `switch`.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, comparable with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidRequest
            case connectionFailed
            case timeout
            case transferFailed
            case httpStatus
            case responseTooLarge
            case cancelled
            case queueFull
            case shutdown
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request could not be built (bad URL, header with a line break, curl refused an option).
        public static var invalidRequest: Self { .init(.invalidRequest) }
        /// No connection could be made (refused, unresolvable host, connect timeout) or it broke mid-way.
        /// Retried: nothing, or nothing complete, reached the server's application.
        public static var connectionFailed: Self { .init(.connectionFailed) }
        /// The whole exchange took longer than the configured total timeout.
        public static var timeout: Self { .init(.timeout) }
        /// Any other transport failure reported by libcurl (TLS, protocol errors...).
        public static var transferFailed: Self { .init(.transferFailed) }
        /// The server answered with a status outside 200..<300; see `status` and `serverMessage`.
        public static var httpStatus: Self { .init(.httpStatus) }
        /// The response body exceeded the configured maximum size.
        public static var responseTooLarge: Self { .init(.responseTooLarge) }
        /// The calling task was cancelled while its request was queued or its transfer running.
        public static var cancelled: Self { .init(.cancelled) }
        /// Every transfer slot was busy and the queue of waiting requests was
        /// full (`HTTPClient.Configuration.maxConcurrentTransfers` and
        /// `maxQueuedRequests`). Failing at once, without retrying, is the
        /// back-pressure: an overloaded caller learns it now instead of
        /// waiting behind requests that will time out anyway. Nothing was sent.
        public static var queueFull: Self { .init(.queueFull) }
        /// The client was shut down (``HTTPClient/shutdown()``) before the
        /// request could be sent. Nothing was sent.
        public static var shutdown: Self { .init(.shutdown) }

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for logs and for the person reading them.
    public let message: String
    /// The HTTP status of the last response, when the server answered.
    public let status: Int?
    /// The server's own explanation: `error.message` of an OpenAI-style error
    /// body, `error` when it is a string (Ollama), or the start of the body.
    public let serverMessage: String?
    /// How many attempts were made before giving up (1 when not retried).
    public let attempts: Int
    /// The lower-level error that caused this one, if any.
    public let underlying: (any Error)?
    /// Where the error was created, for debugging.
    public let file: String
    /// Where the error was created, for debugging.
    public let line: Int

    /// Creates an error; `file` and `line` default to the call site.
    public init(
        _ code: Code, _ message: String, status: Int? = nil, serverMessage: String? = nil,
        attempts: Int = 1, underlying: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.serverMessage = serverMessage
        self.attempts = attempts
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "HTTPClientError(\(code)): \(message)"
        if let status { text += " [status \(status)]" }
        if let serverMessage { text += " server said: \(serverMessage)" }
        if attempts > 1 { text += " (after \(attempts) attempts)" }
        if let underlying { text += " underlying: \(underlying)" }
        return text
    }

    /// The same error, recording how many attempts were made.
    func withAttempts(_ attempts: Int) -> HTTPClientError {
        HTTPClientError(
            code, message, status: status, serverMessage: serverMessage,
            attempts: attempts, underlying: underlying, file: file, line: line)
    }
}
