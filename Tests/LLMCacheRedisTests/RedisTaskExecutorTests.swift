import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

@Suite("Redis client as a task executor")
struct RedisTaskExecutorTests {
    @Test func aTaskPreferringAConnectionResumesOnItsThread() async throws {
        try await withRedisClient(try RedisConfiguration(url: try TestServers.url())) { client in
            let key = "affinity-\(uniqueNamespace())"
            let (names, values) = try await withTaskExecutorPreference(client.taskExecutor) {
                var names: Set<String?> = []
                var values: [Int64] = []
                for _ in 0..<200 {
                    values.append(try await client.execute(RedisCommand("INCR", key)).int ?? -1)
                    names.insert(currentThreadName())
                }
                return (names, values)
            }
            #expect(values == Array(1...200))
            #expect(names.count == 1 && names.first??.hasPrefix("llmcache-redis") == true, "\(names)")
            #expect(currentThreadName()?.hasPrefix("llmcache-redis") == false, "a task without the preference stays off it")
            try await client.execute(RedisCommand("DEL", key))
        }
    }

    @Test func preferringAndOrdinaryTasksShareTheConnectionsCorrectly() async throws {
        try await withRedisClient(try RedisConfiguration(url: try TestServers.url())) { client in
            let key = "mixed-\(uniqueNamespace())"
            let values = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<32 {
                    group.addTask {
                        let increment = { () async throws -> [Int64] in
                            var values: [Int64] = []
                            for _ in 0..<50 { values.append(try await client.execute(RedisCommand("INCR", key)).int ?? -1) }
                            return values
                        }
                        if task.isMultiple(of: 2) {
                            return try await withTaskExecutorPreference(client.taskExecutor) { try await increment() }
                        }
                        return try await increment()
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(values.count == 1_600 && Set(values) == Set(1...1_600), "every reply matched its own command")
            try await client.execute(RedisCommand("DEL", key))
        }
    }

    /// A task running on a connection's thread that shuts the client down
    /// outlives the thread: it resumes on the global executor, and its later
    /// commands fail clearly instead of hanging.
    @Test(.timeLimit(.minutes(1))) func aPreferringTaskOutlivesTheShutdownItCalls() async throws {
        let client = try RedisClient(url: try TestServers.url())
        let outcome = await withTaskExecutorPreference(client.taskExecutor) { () async -> RedisError.Code? in
            _ = try? await client.send(RedisCommand("PING"))
            await client.shutdown()
            do {
                _ = try await client.send(RedisCommand("PING"))
                return nil
            } catch let error as RedisError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(outcome == .clientShutDown)
    }
}
