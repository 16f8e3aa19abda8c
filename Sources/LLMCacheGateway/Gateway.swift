import Foundation
import Hummingbird
import LLMCache
import LLMCacheOpenAI
import LLMCacheRedis
import Logging

/// An OpenAI-compatible caching gateway: point any OpenAI client's base URL
/// at it, and every chat completion goes through the stack's tiers before
/// the upstream model.
///
/// `llmcache serve` runs one; an application of your own can add its routes
/// to a router of its own with ``addRoutes(to:)``.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let stack: CacheStack
    /// The namespace the Redis tiers share, for readiness and the admin
    /// routes' flush; `nil` for a stack in memory only.
    public let namespace: RedisNamespace?
    /// What `GET /metrics` serves; `nil` turns the route off.
    public let metrics: GatewayMetrics?
    let upstream: Upstream
    let logger: Logger

    /// - Parameters:
    ///   - namespace: the Redis namespace of the stack's tiers, for
    ///     `/readyz`, the flush and `/cache/entries`.
    ///   - metrics: where `/metrics` reads; give the stack its factory too.
    ///   - client: the upstream's HTTP client; by default one without
    ///     retries (the caller's client retries) and with the configured
    ///     timeout.
    public init(
        configuration: GatewayConfiguration, stack: CacheStack, namespace: RedisNamespace? = nil,
        metrics: GatewayMetrics? = nil, client: HTTPClient? = nil,
        logger: Logger = Logger(label: "llmcache.gateway")
    ) {
        self.configuration = configuration
        self.stack = stack
        self.namespace = namespace
        self.metrics = metrics
        let client =
            client
            ?? HTTPClient(
                configuration: .init(
                    timeout: configuration.upstreamTimeout, retryPolicy: .none,
                    maxConcurrentTransfers: configuration.maxUpstreamConcurrency,
                    maxQueuedRequests: 4 * configuration.maxUpstreamConcurrency))
        self.upstream = Upstream(client: client, baseURL: configuration.upstream, key: configuration.upstreamKey)
        self.logger = logger
    }

    /// The gateway as a Hummingbird application listening where the
    /// configuration says; `onServerRunning` hears the bound port.
    public func application(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: OpenAIErrorMiddleware())
        addRoutes(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "llmcache"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until the calling task is cancelled, or, with
    /// `handlingSignals`, until SIGTERM or SIGINT (then gracefully).
    public func run(handlingSignals: Bool = true, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        async throws
    {
        let application = application(onServerRunning: onServerRunning)
        if handlingSignals {
            try await application.runService()
        } else {
            try await application.runService(gracefulShutdownSignals: [])
        }
    }

    /// Adds `/v1/chat/completions`, `/v1/embeddings`, `/v1/models`,
    /// `/healthz`, `/readyz`, with metrics `/metrics`, and with an admin key
    /// the `/cache` routes.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.post("/v1/chat/completions") { request, _ in
            await self.respond(route: "chat_completions") { try await self.chatCompletion(request) }
        }
        router.post("/v1/embeddings") { request, _ in
            await self.respond(route: "embeddings") { try await self.embeddings(request) }
        }
        router.get("/v1/models") { request, _ in
            await self.respond {
                let answer = try await self.upstream.get("/models", caller: request.headers[.authorization])
                return Self.json(answer.body, status: .init(code: answer.status))
            }
        }
        router.get("/healthz") { _, _ in Self.json(Array("{\"status\":\"ok\"}".utf8)) }
        router.get("/readyz") { _, _ in await self.readiness() }
        if let metrics { router.get("/metrics") { _, _ in metrics.response } }
        if configuration.adminKey != nil { addAdminRoutes(to: router) }
    }

    /// Runs `body`, turning the gateway's own errors and the upstream's into
    /// responses; with a `route`, counts the response in the metrics.
    func respond(route: String? = nil, _ body: () async throws -> Response) async -> Response {
        guard let route, let metrics else { return await respond(body) }
        let start = ContinuousClock.now
        let response = await respond(body)
        metrics.record(route: route, response: response, duration: ContinuousClock.now - start)
        return response
    }

    private func respond(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as GatewayError {
            return error.response
        } catch let failure as UpstreamFailure {
            return failure.response
        } catch {
            logger.warning("request failed", metadata: ["error": "\(error)"])
            return GatewayError(.internalServerError, "the gateway failed: \(error)").response
        }
    }

    func chatCompletion(_ request: Request) async throws -> Response {
        let bytes = try await collect(request)
        guard case .object(var fields) = try Self.parse(bytes) else {
            throw GatewayError(.badRequest, "the body must be a JSON object")
        }
        let cacheObject = fields.removeValue(forKey: "cache")
        let controls = try CacheControls(headers: request.headers, body: cacheObject)
        let (caller, options) = try callerOptions(request, controls: controls)
        // The caller's bytes go upstream as they came, unless a `cache`
        // object has to be taken out.
        let forwarded = cacheObject == nil ? bytes : JSONValue.object(fields).canonicalJSON()
        let streamed = fields.removeValue(forKey: "stream") == .bool(true)
        let cacheable = GatewayChatRequest(fields: fields, encoded: forwarded, semanticAllowed: controls.semantic)
        if streamed {
            return try await streamCompletion(cacheable, forwarded: forwarded, caller: caller, options: options)
        }
        let result = try await stack.response(for: cacheable, options: options) { _ in
            UpstreamAnswer(body: try await self.upstream.post("/chat/completions", body: forwarded, caller: caller))
        }
        var response = Self.json(result.value.body)
        response.headers.append(contentsOf: CacheStatus(result, stored: !options.skipStore, usage: result.value.tokenUsage).headers)
        return response
    }

    /// The request body, refused with 413 above the limit.
    func collect(_ request: Request) async throws -> [UInt8] {
        do {
            var buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw GatewayError(.contentTooLarge, "the body is larger than \(configuration.maxBodyBytes) bytes")
        }
    }

    /// A JSON value, or a 400 for a body that is not JSON (invalid UTF-8 included).
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw GatewayError(.badRequest, "the body is not valid JSON (\(error))")
        }
    }

    /// Ready when Redis answers and no tier's breaker is open; otherwise
    /// 503 with what is wrong, while requests are still served (fail-open)
    /// from what works and the model. The embedder is loaded before the
    /// gateway listens, so a semantic tier is always ready to embed.
    func readiness() async -> Response {
        var report: [String: Any] = [:]
        var ready = true
        if let namespace {
            let up = (try? await namespace.client.execute(.ping)) == "PONG"
            report["redis"] = up ? "up" : "down"
            ready = up
        }
        let tiers = stack.statistics.tiers
        report["breakers"] = Dictionary(uniqueKeysWithValues: tiers.map { ($0.name, "\($0.breaker)") })
        if tiers.contains(where: { $0.breaker == .open }) { ready = false }
        report["status"] = ready ? "ready" : "degraded"
        let body = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])).map { Array($0) } ?? []
        return Self.json(body, status: ready ? .ok : .serviceUnavailable)
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
