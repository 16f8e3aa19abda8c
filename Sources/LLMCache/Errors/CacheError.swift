/// The one error type the core module throws.
///
/// A struct with an opaque ``Code`` rather than an enum, so that new failure
/// kinds can be added without breaking callers who switch over codes.
public struct CacheError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, comparable with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case corruptPayload
            case unsupportedPayloadFormat
            case missingCompressionDictionary
            case compressionFailed
            case payloadTooLarge
            case invalidEmbedding
            case decodingFailed
            case embeddingFailed
            case invalidConfiguration
            case unsupportedOperation
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A frame whose bytes do not match its header (truncated, bit-flipped, wrong checksum).
        public static var corruptPayload: Self { .init(.corruptPayload) }
        /// A frame written by a newer format version than this build understands.
        public static var unsupportedPayloadFormat: Self { .init(.unsupportedPayloadFormat) }
        /// A frame compressed with a dictionary this codec was not given.
        public static var missingCompressionDictionary: Self { .init(.missingCompressionDictionary) }
        /// zstd refused to compress or train (e.g. too few samples for a dictionary).
        public static var compressionFailed: Self { .init(.compressionFailed) }
        /// A payload above the configured or format size limit.
        public static var payloadTooLarge: Self { .init(.payloadTooLarge) }
        /// An embedding with the wrong length, NaN or infinite components, or zero norm.
        public static var invalidEmbedding: Self { .init(.invalidEmbedding) }
        /// Stored bytes that do not decode into the requested response type.
        public static var decodingFailed: Self { .init(.decodingFailed) }
        /// The embedder failed or did not answer within the tier's time budget.
        public static var embeddingFailed: Self { .init(.embeddingFailed) }
        /// A setting passed in code is unusable (a batch size of 0, a base URL
        /// that is not http or https, …); thrown at construction, so a
        /// misconfigured service fails at start-up rather than on first use.
        public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
        /// The tier cannot do what was asked (a tier of your own that does
        /// not remove single entries, say).
        public static var unsupportedOperation: Self { .init(.unsupportedOperation) }

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for logs and for the person reading them.
    public let message: String
    /// The lower-level error that caused this one, if any.
    public let underlying: (any Error)?
    /// Where the error was created, for debugging.
    public let file: String
    /// Where the error was created, for debugging.
    public let line: Int

    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "CacheError(\(code)): \(message)"
        if let underlying { text += " (underlying: \(underlying))" }
        return text
    }
}
