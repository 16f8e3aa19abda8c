import LLMCacheRedis

/// A cache namespace that lives for one benchmark run and is deleted
/// afterwards: every key (version counter and settings included) and any
/// RediSearch index it created, however the run ends. Benchmarks pointed at
/// a server that holds real data therefore never touch it, and leave nothing.
public enum ThrowawayNamespace {
    /// `base` followed by a random suffix (`base.1a2b3c4d`), so that parallel
    /// runs never meet; `base` is shortened to keep within the 64-character limit.
    public static func uniqueName(_ base: String) -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(base.prefix(54)).\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }

    /// Runs `body` with the namespace `name`, then deletes it and stops
    /// listening to it; the client stays open.
    public static func with<T>(
        name: String, client: RedisClient, _ body: (RedisNamespace) async throws -> T
    ) async throws -> T {
        let namespace = try await RedisNamespace(name: name, client: client)
        let result: T
        do {
            result = try await body(namespace)
        } catch {
            try? await delete(namespace, client: client)
            await namespace.shutdown()
            throw error
        }
        do {
            try await delete(namespace, client: client)
        } catch {
            await namespace.shutdown()
            throw error
        }
        await namespace.shutdown()
        return result
    }

    /// Drops the namespace's search indexes with their documents (much faster
    /// than deleting indexed documents one by one), then every key left.
    public static func delete(_ namespace: RedisNamespace, client: RedisClient) async throws {
        let prefix = "llmcache:\(namespace.keyspace.namespace):"
        // A server without RediSearch answers FT._LIST with an error: nothing to drop.
        let indexes = try await client.send(RedisCommand("FT._LIST")).array?.compactMap(\.string) ?? []
        for index in indexes where index.hasPrefix(prefix) {
            try await client.execute(RedisCommand("FT.DROPINDEX", index, "DD"))
        }
        try await namespace.removeAllEntries(includingSettings: true)
    }
}
