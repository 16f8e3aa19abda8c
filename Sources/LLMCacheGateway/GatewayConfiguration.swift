import LLMCache

/// What `llmcache serve` (or your own application mounting ``Gateway``) needs
/// to know: where to listen, where the model is, who may administer.
public struct GatewayConfiguration: Sendable {
    /// The address to listen on; loopback by default, so a gateway is never
    /// exposed by accident.
    public var host: String
    public var port: Int
    /// The upstream's base URL, up to and including `/v1`
    /// (`https://api.openai.com/v1`, a vLLM or Ollama server…).
    public var upstream: String
    /// The gateway's own upstream key. `nil` forwards each caller's
    /// `Authorization` header, and callers with different keys never share
    /// answers (each key's digest is a partition).
    public var upstreamKey: String?
    /// The bearer key of the `/cache` admin routes; `nil` disables them.
    public var adminKey: String?
    /// Request bodies above this many bytes are refused with 413.
    public var maxBodyBytes: Int
    /// How long one upstream call may take, streamed body included, before
    /// the caller gets a 502 (nothing is stored).
    public var upstreamTimeout: Duration
    /// How streamed hits are replayed (unpaced by default: a cached answer
    /// arrives as fast as the caller reads it) and how large a recorded
    /// stream may grow.
    public var streamCaching: StreamCaching

    public init(
        host: String = "127.0.0.1", port: Int = 8080, upstream: String, upstreamKey: String? = nil,
        adminKey: String? = nil, maxBodyBytes: Int = 4 << 20, upstreamTimeout: Duration = .seconds(120),
        streamCaching: StreamCaching = StreamCaching()
    ) {
        self.host = host
        self.port = port
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.upstreamKey = upstreamKey
        self.adminKey = adminKey
        self.maxBodyBytes = maxBodyBytes
        self.upstreamTimeout = upstreamTimeout
        self.streamCaching = streamCaching
    }
}
