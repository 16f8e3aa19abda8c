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
    /// `Authorization` header.
    public var upstreamKey: String?
    /// The bearer keys callers must present; `nil` accepts any caller (the
    /// upstream then judges a forwarded key). Use it with ``upstreamKey``,
    /// so that only your callers spend the gateway's key.
    public var callerKeys: Set<String>?
    /// Whether callers with different keys share answers. By default they do
    /// not: each key's digest is a partition of the cache.
    public var sharesAnswersAcrossCallers: Bool
    /// Names a caller may pick with `X-LLMCache-Namespace` (or `"namespace"`
    /// in the body's `cache` object) to keep its answers apart from other
    /// callers' with the same key, one partition per name; any other name is
    /// refused with 400.
    public var selectableNamespaces: Set<String>
    /// The bearer key of the `/cache` admin routes; `nil` disables them.
    public var adminKey: String?
    /// Request bodies above this many bytes are refused with 413.
    public var maxBodyBytes: Int
    /// How long one upstream call may take, streamed body included, before
    /// the caller gets a 502 (nothing is stored).
    public var upstreamTimeout: Duration
    /// The most upstream calls in flight at once (each holds a connection
    /// and a transfer thread); further misses wait in a queue four times as
    /// long, then get a 502.
    public var maxUpstreamConcurrency: Int
    /// How streamed hits are replayed (unpaced by default: a cached answer
    /// arrives as fast as the caller reads it) and how large a recorded
    /// stream may grow.
    public var streamCaching: StreamCaching

    public init(
        host: String = "127.0.0.1", port: Int = 8080, upstream: String, upstreamKey: String? = nil,
        callerKeys: Set<String>? = nil, sharesAnswersAcrossCallers: Bool = false, selectableNamespaces: Set<String> = [],
        adminKey: String? = nil, maxBodyBytes: Int = 4 << 20, upstreamTimeout: Duration = .seconds(120),
        maxUpstreamConcurrency: Int = 128, streamCaching: StreamCaching = StreamCaching()
    ) {
        self.host = host
        self.port = port
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.upstreamKey = upstreamKey
        self.callerKeys = callerKeys
        self.sharesAnswersAcrossCallers = sharesAnswersAcrossCallers
        self.selectableNamespaces = selectableNamespaces
        self.adminKey = adminKey
        self.maxBodyBytes = maxBodyBytes
        self.upstreamTimeout = upstreamTimeout
        self.maxUpstreamConcurrency = maxUpstreamConcurrency
        self.streamCaching = streamCaching
    }
}
