import Foundation
import LLMCacheRedis

/// How the examples that need Redis find a server, and what they say when
/// there is none: a clear message and a failing exit status, not a crash.
public enum ExampleRedis {
    /// `$LLMCACHE_REDIS_URL`, else `$LLMCACHE_REDIS8_URL` (exported by
    /// `scripts/with-redis.sh` and `scripts/example.sh`), else the env file
    /// `scripts/redis.sh` writes (`.cache/redis/run/env`) in the current
    /// directory or in this package's checkout.
    public static func url() -> String? {
        let environment = ProcessInfo.processInfo.environment
        for variable in ["LLMCACHE_REDIS_URL", "LLMCACHE_REDIS8_URL"] {
            if let url = environment[variable], !url.isEmpty { return url }
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let files = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath), checkout,
        ].map { $0.appendingPathComponent(".cache/redis/run/env") }
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("LLMCACHE_REDIS8_URL=") {
                return String(line.dropFirst("LLMCACHE_REDIS8_URL=".count))
            }
        }
        return nil
    }

    /// A client for the server that answered `PING`; otherwise prints how to
    /// start one and exits with status 1.
    public static func connect(example: String) async -> RedisClient {
        let advice = "run `scripts/example.sh \(example)`, which starts a local Redis, or set LLMCACHE_REDIS_URL=redis://HOST:PORT"
        guard let url = url() else { fail("\(example) needs a Redis server: \(advice).") }
        let client: RedisClient
        do {
            client = try RedisClient(url: url)
        } catch {
            fail("\(example): LLMCACHE_REDIS_URL is not usable (\(error)).")
        }
        do {
            try await client.execute(RedisCommand("PING"))
        } catch {
            await client.shutdown()
            fail("\(example) needs a Redis server, and none answered at \(RedisConfiguration.redacting(url)) (\(error)): \(advice).")
        }
        return client
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(1)
    }
}
