import ArgumentParser
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
            Point any OpenAI client's base URL at http://HOST:PORT/v1. Each option falls back to an \
            environment variable: LLMCACHE_HOST, LLMCACHE_PORT, LLMCACHE_UPSTREAM, LLMCACHE_UPSTREAM_KEY, \
            LLMCACHE_REDIS_URL, LLMCACHE_NAMESPACE, LLMCACHE_ADMIN_KEY.
            """)

    @Option(help: "The address to listen on.")
    var host: String?

    @Option(help: "The port to listen on.")
    var port: Int?

    @Option(help: "The upstream's base URL, with /v1.")
    var upstream: String?

    @Option(help: "The gateway's own upstream key; without it each caller's Authorization is forwarded.")
    var upstreamKey: String?

    @Option(help: "The Redis URL.")
    var redis: String?

    @Option(help: "The cache namespace.")
    var namespace: String?

    @Option(help: "The bearer key of the /cache admin routes (none: they are off).")
    var adminKey: String?

    @OptionGroup var embedder: EmbedderOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let portText = port.map(String.init) ?? environment["LLMCACHE_PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ValidationError("the port must be a number from 0 to 65535")
        }
        let settings = GatewayConfiguration(
            host: host ?? environment["LLMCACHE_HOST"] ?? "127.0.0.1", port: port,
            upstream: upstream ?? environment["LLMCACHE_UPSTREAM"] ?? "https://api.openai.com/v1",
            upstreamKey: upstreamKey ?? environment["LLMCACHE_UPSTREAM_KEY"],
            adminKey: adminKey ?? environment["LLMCACHE_ADMIN_KEY"])
        let client = RedisClient(
            configuration: try RedisConfiguration(url: redis ?? environment["LLMCACHE_REDIS_URL"] ?? "redis://127.0.0.1:6379"))
        let namespace = try await RedisNamespace(
            name: self.namespace ?? environment["LLMCACHE_NAMESPACE"] ?? "llmcache", client: client)
        let memory = MemoryTier(maxEntries: 10_000)
        namespace.propagateInvalidations(to: memory)
        let stack = CacheStack(
            tiers: [
                memory, RedisExactTier(namespace: namespace),
                try RedisSemanticTier(namespace: namespace, embedder: try await embedder.makeEmbedder()),
            ],
            versionSource: namespace)
        let gateway = Gateway(configuration: settings, stack: stack, namespace: namespace)
        do {
            try await gateway.run { port in
                FileHandle.standardError.write(Data("llmcache gateway on http://\(settings.host):\(port)/v1\n".utf8))
            }
        } catch {
            await namespace.shutdown()
            await client.shutdown()
            throw error
        }
        await stack.waitForPendingStores()
        await namespace.shutdown()
        await client.shutdown()
    }
}
