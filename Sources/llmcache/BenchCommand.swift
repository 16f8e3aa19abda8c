import ArgumentParser
import LLMCacheMeasurement
import Foundation
import LLMCacheRedis

/// `llmcache bench`: how fast the cache is on *this* Redis, from this
/// machine, before trusting the README's figures from another.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the cache's tiers against a Redis server and print p50, p99 and operations per second.",
        discussion: """
            Runs in this process, in a throwaway namespace named after --namespace \
            (<namespace>.bench.<random>) that is deleted afterwards, also when interrupted; \
            the namespace's own entries are never read or written. Phases: a memory-tier hit \
            through a wrapped closure; a bare GET of a stored 2 KB answer through the client \
            next to an exact-tier hit of the same key; exact-tier stores; exact-tier hits from \
            --concurrency tasks; semantic stores and lookups with precomputed 384-dimension \
            vectors on the index backend the server offers.
            """)

    @Option(help: "Timed operations per phase (per task in the concurrent phase).")
    var iterations = 2_000

    @Option(help: "Vectors stored for the semantic phases (0 skips them).")
    var entries = 2_000

    @Option(help: "Tasks looking up at once in the concurrent phase.")
    var concurrency = 64

    @Option(help: "Semantic index: auto (what the server offers), vectorSet, search or lsh.")
    var backend = "auto"

    @OptionGroup var redis: RedisOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard entries >= 0 else { throw ValidationError("--entries must be 0 or more") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard RedisSemanticTier.Backend(rawValue: backend) != nil else {
            throw ValidationError("--backend must be auto, vectorSet, search or lsh")
        }
    }

    func run() async throws {
        var configuration = try redis.configuration()
        // Deleting a large semantic index at the end may take longer than a lookup.
        configuration.commandTimeout = .seconds(30)
        _ = try RedisKeyspace(namespace: redis.namespace)
        let settings = BenchSuite.Settings(
            iterations: iterations, entries: entries, concurrency: concurrency,
            backend: RedisSemanticTier.Backend(rawValue: backend) ?? .auto)
        let suite = BenchSuite(settings: settings, progress: ProgressReporter(enabled: progress.isEnabled))
        let name = ThrowawayNamespace.uniqueName("\(redis.namespace).bench")
        let server = Self.describe(configuration)

        let report = try await withRedisClient(configuration) { client in
            do {
                try await client.execute(.ping)
            } catch {
                throw BenchFailure("cannot reach Redis at \(server): \(error)")
            }
            return try await Self.interruptible {
                try await suite.run(client: client, namespaceName: name, server: server)
            }
        }
        print(redis.json ? try report.jsonLine() : report.table())
    }

    /// Runs `work` so that Ctrl-C or `kill` cancels it instead of killing the
    /// process: the suite then stops at its next check and deletes its
    /// namespace before the command exits with 130.
    private static func interruptible<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
        }
        do {
            return try await task.value
        } catch is CancellationError {
            FileHandle.standardError.write(Data("interrupted; the benchmark's namespace was deleted\n".utf8))
            throw ExitCode(130)
        }
    }

    /// Where the server is, without the password a URL may carry.
    private static func describe(_ configuration: RedisConfiguration) -> String {
        let database = configuration.database == 0 ? "" : "/\(configuration.database)"
        switch configuration.endpoint {
        case .tcp(let host, let port): return "\(host):\(port)\(database)"
        case .unixSocket(let path): return "\(path)\(database)"
        }
    }
}
