import ArgumentParser
import Foundation
import LLMCacheRedis

/// Where the cache lives: a Redis URL and a namespace.
struct RedisOptions: ParsableArguments {
    @Option(help: "The Redis URL: redis://, rediss:// (TLS) or unix:// (default: $LLMCACHE_REDIS_URL).")
    var redis: String?

    @Option(help: "The cache namespace (letters, digits, '-', '_', '.').")
    var namespace: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// The server's settings, from `--redis` or `$LLMCACHE_REDIS_URL`.
    func configuration() throws -> RedisConfiguration {
        guard let url = redis ?? ProcessInfo.processInfo.environment["LLMCACHE_REDIS_URL"] else {
            throw ValidationError("give --redis URL or set LLMCACHE_REDIS_URL")
        }
        return try RedisConfiguration(url: url)
    }

    /// Runs `body` with a connected namespace, closing everything afterwards.
    func withNamespace<T>(_ body: (RedisNamespace, RedisClient) async throws -> T) async throws -> T {
        let client = RedisClient(configuration: try configuration())
        let namespace: RedisNamespace
        do {
            namespace = try await RedisNamespace(name: self.namespace, client: client)
        } catch {
            await client.shutdown()
            throw error
        }
        do {
            let result = try await body(namespace, client)
            await namespace.shutdown()
            await client.shutdown()
            return result
        } catch {
            await namespace.shutdown()
            await client.shutdown()
            throw error
        }
    }

    /// Prints `fields` as JSON or as `key: value` lines.
    func report(_ fields: KeyValuePairs<String, Any>) throws {
        if json {
            let object = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (key, value) in fields { print("\(key): \(value)") }
        }
    }
}
