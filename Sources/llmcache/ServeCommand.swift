import ArgumentParser
import Configuration
import Foundation
import LLMCache
import LLMCacheGateway
import LLMCacheRedis

/// `llmcache serve`: the OpenAI-compatible caching gateway in front of an
/// upstream, with memory → Redis exact → Redis semantic (native MiniLM).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the OpenAI-compatible caching gateway.",
        discussion: """
            Point any OpenAI client's base URL at http://HOST:PORT/v1. Settings come from the flags, then \
            LLMCACHE_* environment variables (LLMCACHE_HOST, LLMCACHE_PORT, LLMCACHE_UPSTREAM_URL, \
            LLMCACHE_UPSTREAM_KEY, LLMCACHE_REDIS_URL, LLMCACHE_NAMESPACE, LLMCACHE_ADMIN_KEY, …), then the JSON \
            file of --config (or LLMCACHE_CONFIG), e.g. {"port": 8080, "upstream": {"url": "…", "timeoutSeconds": 60}, \
            "callers": {"keys": ["…"]}, "memory": {"maxEntries": 10000}, "semantic": {"enabled": true}}. \
            README's gateway section lists every key.
            """)

    @Option(help: "A JSON settings file (default: $LLMCACHE_CONFIG).")
    var config: String?

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on (default 8080; 0 picks a free one).")
    var port: Int?

    @Option(help: "The upstream's base URL, with /v1 (default https://api.openai.com/v1).")
    var upstream: String?

    @Option(help: "The gateway's own upstream key; without it each caller's Authorization is forwarded.")
    var upstreamKey: String?

    @Option(help: "The Redis URL: redis://, rediss:// (TLS) or unix:// (default redis://127.0.0.1:6379).")
    var redis: String?

    @Option(help: "The cache namespace (default llmcache).")
    var namespace: String?

    @Option(help: "The bearer key of the /cache admin routes (none: they are off).")
    var adminKey: String?

    @OptionGroup var embedder: EmbedderOptions

    /// The flags given, as the highest-priority settings.
    var flags: [AbsoluteConfigKey: ConfigValue] {
        let given: [(AbsoluteConfigKey, ConfigContent?)] = [
            ("host", host.map { .string($0) }), ("port", port.map { .int($0) }),
            ("upstream.url", upstream.map { .string($0) }), ("upstream.key", upstreamKey.map { .string($0) }),
            ("redis.url", redis.map { .string($0) }), ("namespace", namespace.map { .string($0) }),
            ("admin.key", adminKey.map { .string($0) }),
        ]
        return Dictionary(uniqueKeysWithValues: given.compactMap { key, content in content.map { (key, ConfigValue($0, isSecret: false)) } })
    }

    func run() async throws {
        let file = config ?? ProcessInfo.processInfo.environment["LLMCACHE_CONFIG"]
        let settings = try ServeSettings(try await ServeSettings.reader(flags: flags, file: file))
        let client = RedisClient(configuration: try RedisConfiguration(url: settings.redisURL))
        let namespace = try await RedisNamespace(name: settings.namespace, client: client)
        let memory = MemoryTier(maxEntries: settings.memoryEntries)
        namespace.propagateInvalidations(to: memory)
        var tiers: [any CacheTier] = [memory, RedisExactTier(namespace: namespace)]
        if settings.semantic {
            tiers.append(try RedisSemanticTier(namespace: namespace, embedder: try await embedder.makeEmbedder()))
        }
        let metrics = GatewayMetrics()
        var configuration = CacheStack.Configuration(defaultTTL: settings.ttl, metricsFactory: metrics.factory)
        if settings.sharedFlights {
            // Gateways of the namespace that miss the same request at once make one upstream call.
            configuration = configuration.sharingMisses(
                through: namespace, leaseDuration: settings.leaseDuration, waitBudget: settings.waitBudget)
        }
        let stack = CacheStack(tiers: tiers, configuration: configuration, versionSource: namespace)
        let gateway = Gateway(configuration: settings.gateway, stack: stack, namespace: namespace, metrics: metrics)
        // Every gateway sharing the namespace adds its figures to /cache/stats's "published".
        let publisher = RedisStatisticsPublisher(stack: stack, namespace: namespace)
        publisher.start()
        func shutdown() async {
            await stack.waitForPendingStores()
            await publisher.shutdown()
            await namespace.shutdown()
            await client.shutdown()
        }
        do {
            try await gateway.run { port in
                FileHandle.standardError.write(Data("llmcache gateway on http://\(settings.gateway.host):\(port)/v1\n".utf8))
            }
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }
}
