import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// The server each semantic backend is tested against.
extension RedisSemanticTier.Backend {
    static let tested: [Self] = [.vectorSet, .search, .lsh]

    var serverVariable: String {
        switch self {
        case .vectorSet, .auto: "LLMCACHE_REDIS8_URL"
        case .search: "LLMCACHE_REDIS8_SEARCH_URL"
        case .lsh: "LLMCACHE_REDIS7_URL"
        }
    }
}

/// An embedder that knows a fixed table of texts, so tests choose exactly
/// how similar two texts are.
final class TableEmbedder: Embedder {
    let dimensions: Int
    let identifier: String
    private let table: [String: [Float]]

    init(dimensions: Int, table: [String: [Float]], identifier: String = "table") {
        self.dimensions = dimensions
        self.table = table
        self.identifier = "\(identifier)-\(dimensions)"
    }

    struct UnknownText: Error {}

    func embed(_ texts: [String]) async throws -> [[Float]] {
        try texts.map { text in
            guard let vector = table[text] else { throw UnknownText() }
            return vector
        }
    }
}

/// A semantic tier on `backend`'s test server in a fresh namespace, shut down afterwards.
///
/// - Parameter exhaustiveLSH: probe every LSH bucket, so that behaviour tests
///   do not depend on LSH's recall (the parity test measures that).
func withSemanticTier<T>(
    _ backend: RedisSemanticTier.Backend, dimensions: Int = 32, embedder: (any Embedder)? = nil,
    exhaustiveLSH: Bool = true, clock: any CacheClock = SystemCacheClock(),
    server: String? = nil, configure: (inout RedisSemanticTier.Configuration) -> Void = { _ in },
    _ body: (RedisSemanticTier, RedisClient, RedisNamespace) async throws -> T
) async throws -> T {
    try await withNamespace(url: try TestServers.url(server ?? backend.serverVariable)) { client, namespace in
        var configuration = RedisSemanticTier.Configuration(threshold: 0.9, backend: backend)
        if exhaustiveLSH { configuration.lsh.probes = 1 << configuration.lsh.planes }
        configure(&configuration)
        let tier = try RedisSemanticTier(
            namespace: namespace, embedder: embedder ?? DeterministicTestEmbedder(dimensions: dimensions),
            configuration: configuration, clock: clock)
        return try await body(tier, client, namespace)
    }
}

/// How many vectors of the namespace are still indexed, whatever the backend.
func indexedVectorCount(_ client: RedisClient, _ namespace: RedisNamespace) async throws -> Int {
    let prefix = "llmcache:\(namespace.keyspace.namespace):"
    var total = 0
    var cursor = "0"
    repeat {
        let reply = try await client.execute(RedisCommand("SCAN", cursor, "MATCH", prefix + "*", "COUNT", 1000))
        let parts = try #require(reply.array)
        cursor = try #require(parts[0].string)
        for key in try #require(parts[1].array).compactMap(\.string) {
            if key.contains(":vs:") {
                total += Int(try await client.execute(RedisCommand("VCARD", key)).int ?? 0)
            } else if key.contains(":lsh:") {
                total += Int(try await client.execute(RedisCommand("HLEN", key)).int ?? 0)
            } else if key.contains(":doc:") {
                total += 1
            }
        }
    } while cursor != "0"
    return total
}
