import ArgumentParser
import Foundation
import LLMCacheRedis

/// `llmcache invalidate --tag T…`: remove every answer carrying a tag, in
/// every process (memory tiers following the namespace drop them too).
struct InvalidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invalidate", abstract: "Remove every cached answer carrying any of the tags, in every process.")

    @Option(name: .customLong("tag"), help: "A tag to invalidate (repeat for several).")
    var tags: [String]

    @OptionGroup var redis: RedisOptions

    func validate() throws {
        guard !tags.isEmpty else { throw ValidationError("give at least one --tag") }
    }

    func run() async throws {
        let removed = try await redis.withNamespace { namespace, _ in
            try await RedisExactTier(namespace: namespace).invalidate(tags: Set(tags))
        }
        try redis.report(["namespace": redis.namespace, "tags": tags.sorted(), "removed": removed])
    }
}

/// `llmcache bump-version`: retire every answer of the namespace at once.
struct BumpVersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bump-version", abstract: "Move the namespace to a new version: every stored answer is retired.")

    @OptionGroup var redis: RedisOptions

    func run() async throws {
        let version = try await redis.withNamespace { namespace, _ in try await namespace.bump() }
        try redis.report(["namespace": redis.namespace, "version": version])
    }
}

/// `llmcache flush`: delete every key of the namespace (SCAN + UNLINK),
/// showing the running count on standard error for a large namespace.
struct FlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush", abstract: "Delete every cached answer of the namespace (asks first unless --yes).")

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @OptionGroup var redis: RedisOptions

    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        if !yes {
            FileHandle.standardError.write(Data("Delete every entry of namespace \"\(redis.namespace)\"? Type its name to confirm: ".utf8))
            guard readLine()?.trimmingCharacters(in: .whitespaces) == redis.namespace else {
                FileHandle.standardError.write(Data("not confirmed; nothing deleted\n".utf8))
                throw ExitCode(1)
            }
        }
        let reporter = ProgressReporter(enabled: progress.isEnabled)
        let deleted = try await redis.withNamespace { namespace, _ in
            try await RedisExactTier(namespace: namespace).removeAll { reporter.update("deleted \($0) keys…") }
        }
        reporter.finish("deleted \(deleted) keys")
        try redis.report(["namespace": redis.namespace, "flushed": true, "deleted_keys": deleted])
    }
}
