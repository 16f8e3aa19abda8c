/// A complete HTTP response: status, headers and the whole body.
///
/// Bodies are collected in full because the callers here (embeddings, and
/// non-streaming chat) need the whole JSON document before they can decode it.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// Header fields of the final response, in the order received.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// A response; used by the client and by tests.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively as HTTP requires.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// `true` for 200..<300.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The server's `Retry-After` in seconds, when it sent one as a number.
    /// (The HTTP-date form is not understood and counts as absent, so the
    /// normal backoff applies.) A huge value saturates rather than trapping:
    /// it comes from the server, and the retry policy caps it anyway.
    public var retryAfter: Duration? {
        guard let text = header("Retry-After")?.trimmingSpaces, let seconds = Double(text),
            seconds.isFinite, seconds >= 0
        else { return nil }
        let milliseconds = (seconds * 1000).rounded()
        return .milliseconds(milliseconds < 9e18 ? Int64(milliseconds) : Int64.max)
    }

    /// What the server said about a failure: `error.message` of an OpenAI-style
    /// error body, `error` when it is a string (Ollama, vLLM), `message` or
    /// `detail` at the top level, or else the start of the body as text.
    public var serverMessage: String? {
        ServerMessage.extract(from: body)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CRs and LFs.
    /// (Works on scalars: "\r\n" is one `Character`, equal to neither "\r" nor "\n".)
    var trimmingSpaces: String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
        }
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// Whether the string holds a CR or LF anywhere (header injection).
    var containsLineBreak: Bool {
        utf8.contains { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
    }
}
