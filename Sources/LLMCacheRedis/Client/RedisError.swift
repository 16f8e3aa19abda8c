import LLMCache

/// The one error type of the Redis module.
///
/// A struct with an opaque ``Code`` so new failure kinds never break callers.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, comparable with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidURL, connectionFailed, connectionUnavailable, authenticationFailed
            case invalidConfiguration, timeout, ioError, serverError, protocolError, clientShutDown, overloaded, tlsFailed
            case shardUnavailable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration URL could not be parsed.
        public static var invalidURL: Self { .init(.invalidURL) }
        /// A setting is out of range (e.g. a namespace name with forbidden characters).
        public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
        /// Connecting (TCP or Unix socket) failed or timed out.
        public static var connectionFailed: Self { .init(.connectionFailed) }
        /// The connection is down and waiting before the next reconnect attempt;
        /// fails fast instead of costing a connect timeout per command.
        public static var connectionUnavailable: Self { .init(.connectionUnavailable) }
        /// The TLS handshake failed: the server's certificate was refused
        /// (unknown authority, wrong name, expired), the server refused ours,
        /// or the certificate files could not be read. Not retried sooner
        /// than any other failed connect.
        public static var tlsFailed: Self { .init(.tlsFailed) }
        /// `AUTH` was refused (wrong password or user) or `SELECT` failed.
        public static var authenticationFailed: Self { .init(.authenticationFailed) }
        /// No reply within the command timeout; the connection is replaced.
        public static var timeout: Self { .init(.timeout) }
        /// Reading or writing the socket failed; the connection is replaced.
        public static var ioError: Self { .init(.ioError) }
        /// Redis answered with an error reply.
        public static var serverError: Self { .init(.serverError) }
        /// The reply did not have the shape the command promises.
        public static var protocolError: Self { .init(.protocolError) }
        /// The client was shut down.
        public static var clientShutDown: Self { .init(.clientShutDown) }
        /// Too many commands were already waiting for the connection (see
        /// ``RedisConfiguration/maximumPendingCommands``); nothing was sent.
        public static var overloaded: Self { .init(.overloaded) }
        /// A cluster node serving the command's slot is unreachable (and
        /// no replica has taken over): the command was not sent, or its
        /// connection failed. Only that node's slots are affected, so a
        /// cache tier reports it as a ``PartialTierFailure`` and its other
        /// shards keep serving.
        public static var shardUnavailable: Self { .init(.shardUnavailable) }

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "RedisError(\(code)): \(message)" }
}

extension RedisError: PartialTierFailure {
    /// True for ``Code/shardUnavailable``: one node of a cluster is down.
    public var isPartial: Bool { code == .shardUnavailable }
}
