import ArgumentParser
import Foundation
import LLMCache
import LLMCacheRedis

/// `llmcache inspect`: one key explained, or what a text would match.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a stored entry (metadata, TTL, tags, sizes) or the nearest semantic neighbours of a text.",
        discussion: """
            KEY is a key as Redis names it (llmcache:NAMESPACE:…, as `redis-cli --scan` or --json output prints it) \
            or the 64-hex-digit hash of an exact entry in the current version. With --text, the text is embedded \
            with the native MiniLM and every semantic container of the current version is searched.
            """)

    enum BackendChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, vectorSet = "vector-set", search, lsh

        var backend: RedisSemanticTier.Backend {
            switch self {
            case .auto: .auto
            case .vectorSet: .vectorSet
            case .search: .search
            case .lsh: .lsh
            }
        }
    }

    @Argument(help: "A Redis key (llmcache:…) or an exact entry's 64-hex-digit hash.")
    var key: String?

    @Option(help: "Instead of a key: embed this text and list the stored entries nearest to it.")
    var text: String?

    @Option(help: "Neighbours to list with --text.")
    var count = 5

    @Option(help: "The semantic tier's threshold: neighbours at or above it are marked.")
    var threshold: Float = LearnedVerifier.defaultThreshold

    @Option(help: "Where the vectors are: auto asks the server (vector sets, then search, then LSH).")
    var backend: BackendChoice = .auto

    @Option(help: "Characters of the stored answer to show.")
    var preview = 200

    @OptionGroup var embedder: EmbedderOptions

    @OptionGroup var redis: RedisOptions

    func validate() throws {
        guard (key == nil) != (text == nil) else { throw ValidationError("give either a KEY or --text, not both") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard (-1...1).contains(threshold) else { throw ValidationError("--threshold must be a cosine similarity in [-1, 1]") }
        guard preview >= 1 else { throw ValidationError("--preview must be at least 1") }
        if let key, !key.hasPrefix("llmcache:"), CacheKey(hex: key) == nil {
            throw ValidationError(
                "\"\(key)\" is neither a Redis key (llmcache:NAMESPACE:…) nor the 64-hex-digit hash of an exact entry")
        }
    }

    func run() async throws {
        if let text {
            let model = try await embedder.makeEmbedder()
            let report = try await redis.withNamespace { namespace, client in
                try await TextInspection.run(
                    text: text, namespace: namespace, client: client, embedder: model, count: count,
                    threshold: threshold, backend: backend.backend, preview: preview)
            }
            print(redis.json ? try jsonLine(report) : report.table)
        } else if let key {
            let report = try await redis.withNamespace { namespace, client in
                let name = key.hasPrefix("llmcache:")
                    ? key : String(decoding: namespace.keyspace.entryKey(CacheKey(hex: key)!, version: namespace.current), as: UTF8.self)
                guard let report = try await KeyInspection.run(key: name, namespace: namespace, preview: preview) else {
                    throw CommandFailure(
                        "no key \(name) in Redis (namespace \(namespace.keyspace.namespace) is at version \(namespace.current))")
                }
                return report
            }
            print(redis.json ? try jsonLine(report) : report.table)
        }
    }
}
