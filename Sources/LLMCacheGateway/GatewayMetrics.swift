import Hummingbird
import Metrics
import Prometheus

/// What `GET /metrics` serves: the stack's tier metrics (when the stack
/// records into the same registry) and the gateway's own, per route, status
/// and cache outcome, in the Prometheus text format.
public struct GatewayMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    /// A factory recording into ``registry``, with duration buckets from
    /// 100 µs (a memory hit) to a minute (a long model call). Give it to the
    /// stack (`CacheStack.Configuration.metricsFactory`) so that its tiers'
    /// metrics appear beside the gateway's.
    public let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60),
        ]
        self.factory = factory
    }

    /// Counts a response of `route` and its duration; `cache` is `hit`,
    /// `miss`, `partial` or `none`, read from its `Cache-Status`.
    func record(route: String, response: Response, duration: Duration) {
        let status = response.headers[CacheStatus.name] ?? ""
        let cache =
            status.contains("hit") ? "hit" : status.contains("fwd=partial") ? "partial" : status.contains("fwd=") ? "miss" : "none"
        let labels = [("route", route), ("status", String(response.status.code)), ("cache", cache)]
        Counter(label: "llmcache_gateway_requests_total", dimensions: labels, factory: factory).increment()
        Metrics.Timer(label: "llmcache_gateway_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .record(duration: duration)
    }

    var response: Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}
