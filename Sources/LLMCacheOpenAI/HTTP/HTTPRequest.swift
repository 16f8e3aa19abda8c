/// One HTTP request as a plain value, so it can cross to the transfer thread
/// and be sent again unchanged on a retry.
public struct HTTPRequest: Sendable {
    /// The request method. A struct rather than an enum: any token is allowed.
    public struct Method: Hashable, Sendable, CustomStringConvertible {
        /// The method token as sent on the wire.
        public let rawValue: String
        /// A method from its token, e.g. `"PATCH"`.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// `GET`: no body.
        public static let get = Method("GET")
        /// `POST`: the method of every OpenAI-compatible endpoint.
        public static let post = Method("POST")
        /// `DELETE`.
        public static let delete = Method("DELETE")

        public var description: String { rawValue }
    }

    /// The method.
    public var method: Method
    /// The absolute URL, e.g. `http://127.0.0.1:11434/v1/embeddings`.
    public var url: String
    /// Header fields in order; names are sent as given.
    public var headers: [(name: String, value: String)]
    /// The body, sent as-is (empty for none).
    public var body: [UInt8]

    /// A request; headers and body default to none.
    public init(
        method: Method = .get, url: String,
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
