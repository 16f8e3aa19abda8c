import LLMCache
import LLMCacheRedis
import Testing

@Suite("Redis client")
struct RedisClientTests {
    @Test func parsesURLs() throws {
        let full = try RedisConfiguration(url: "redis://alice:s%3Acret@cache.local:6380/3")
        #expect(full.endpoint == .tcp(host: "cache.local", port: 6380))
        #expect(full.username == "alice" && full.password == "s:cret" && full.database == 3)
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@127.0.0.1")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw")
        #expect(passwordOnly.endpoint == .tcp(host: "127.0.0.1", port: 6379) && passwordOnly.database == 0)
        let unix = try RedisConfiguration(url: "unix:///run/redis.sock?db=2")
        #expect(unix.endpoint == .unixSocket(path: "/run/redis.sock") && unix.database == 2)
        #expect(full.tls == nil)
        let tls = try RedisConfiguration(
            url: "rediss://:pw@cache.example.com:6380/1?ca_file=/etc/ca.pem&cert_file=/c.pem&key_file=/k.pem&server_name=internal")
        #expect(tls.endpoint == .tcp(host: "cache.example.com", port: 6380) && tls.database == 1)
        #expect(
            tls.tls
                == RedisTLS(
                    certificateAuthorityFile: "/etc/ca.pem", certificateFile: "/c.pem", keyFile: "/k.pem",
                    serverName: "internal"))
        #expect(tls.description.hasPrefix("RedisConfiguration(rediss://:***@cache.example.com:6380/1"))
        #expect(try RedisConfiguration(url: "rediss://h").tls == RedisTLS())
        #expect(try RedisConfiguration(url: "rediss://h?verify=none").tls?.verifiesPeer == false)
        let cluster = try RedisConfiguration(url: "redis://10.0.0.1:7000?cluster=yes&seed=10.0.0.2:7001&seed=[::1]:7002")
        #expect(cluster.endpoint == .tcp(host: "10.0.0.1", port: 7000))
        #expect(cluster.cluster?.seeds == [.tcp(host: "10.0.0.2", port: 7001), .tcp(host: "[::1]", port: 7002)])
        #expect(try RedisConfiguration(url: "rediss://h?cluster=yes").cluster != nil)
        for bad in [
            "redis://h?seed=a:1", "redis://h?cluster=maybe", "redis://h/2?cluster=yes", "unix:///s?cluster=yes",
            "redis://h?cluster=yes&seed=nohost",
            "http://x", "redis://", "redis://h:99999", "redis://h/notanumber", "unix://", "::", "redis://h?ca_file=/x",
            "rediss://h?verify=maybe", "rediss://h?ca_file=",
        ] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }

    @Test func roundTripsEveryByteValueAndReturnsErrorReplies() async throws {
        try await withRedisClient(try RedisConfiguration(url: try TestServers.url())) { client in
            let key = "bytes-\(uniqueNamespace())"
            let value = (0...255).map(UInt8.init) + [0, 0, 13, 10]
            try await client.execute(RedisCommand("SET", key, value, "PX", 60_000))
            #expect(try await client.send(RedisCommand("GET", key)) == .bulk(value))
            #expect(try await client.send(RedisCommand("GET", "missing-\(key)")) == .null)
            guard case .error(let message) = try await client.send(RedisCommand("NOSUCHCOMMAND")) else {
                Issue.record("expected an error reply")
                return
            }
            #expect(message.contains("unknown command"))
            await #expect(throws: RedisError.self) { try await client.execute(RedisCommand("NOSUCHCOMMAND")) }
        }
    }

    @Test func pipelinesManyConcurrentCommandsInOrder() async throws {
        try await withRedisClient(try RedisConfiguration(url: try TestServers.url())) { client in
            let key = "counter-\(uniqueNamespace())"
            let values = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<2_000 { group.addTask { try await client.execute(RedisCommand("INCR", key)).int ?? -1 } }
                var values: [Int64] = []
                for try await value in group { values.append(value) }
                return values
            }
            #expect(Set(values) == Set(1...2_000), "every reply matched its own command")
            try await client.execute(RedisCommand("DEL", key))
        }
    }

    /// Replies slower than the polling budget are waited for in the kernel,
    /// and a client that never polls behaves the same.
    @Test(arguments: [Duration.microseconds(200), .zero])
    func repliesArriveWhetherOrNotTheConnectionPolls(spin: Duration) async throws {
        var configuration = try RedisConfiguration(url: try TestServers.url())
        configuration.replySpin = spin
        configuration.idleSpin = spin
        try await withRedisClient(configuration) { client in
            let key = "slow-\(uniqueNamespace())"
            // BLPOP on an empty list answers nil after 50 ms, well past the polling.
            #expect(try await client.send(RedisCommand("BLPOP", key, "0.05")) == .null)
            try await client.execute(RedisCommand("RPUSH", key, "x"))
            let replies = try await withThrowingTaskGroup(of: RedisValue.self) { group in
                for _ in 0..<200 { group.addTask { try await client.send(RedisCommand("LLEN", key)) } }
                return try await group.reduce(into: [RedisValue]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0 == .integer(1) } && replies.count == 200)
            try await client.execute(RedisCommand("DEL", key))
        }
    }

    @Test func reloadsScriptsAfterTheServerForgetsThem() async throws {
        try await withRedisClient(try RedisConfiguration(url: try TestServers.url())) { client in
            let script = RedisScript("return tonumber(ARGV[1]) * 2 -- \(uniqueNamespace())")
            #expect(try await client.run(script, keys: [], arguments: [Array("21".utf8)]).int == 42)
            try await client.execute(RedisCommand("SCRIPT", "FLUSH"))
            #expect(try await client.run(script, keys: [], arguments: [Array("4".utf8)]).int == 8)
            let exists = try await client.execute(RedisCommand("SCRIPT", "EXISTS", script.sha1))
            #expect(exists.array?.first?.int == 1, "loaded again for the next EVALSHA")
        }
    }

    @Test func authenticatesWithAnACLUserAndNamesAUTHWhenRefused() async throws {
        let url = try TestServers.url()
        let user = "user-\(uniqueNamespace())"
        try await withRedisClient(try RedisConfiguration(url: url)) { admin in
            try await admin.execute(RedisCommand("ACL", "SETUSER", user, "on", ">right-password", "~*", "+@all"))
        }
        let base = try RedisConfiguration(url: url)
        guard case .tcp(let host, let port) = base.endpoint else { return }
        try await withRedisClient(try RedisConfiguration(url: "redis://\(user):right-password@\(host):\(port)/2")) { client in
            #expect(try await client.execute(RedisCommand("ACL", "WHOAMI")).string == user)
            try await client.execute(RedisCommand("SET", "db-probe-\(user)", "x", "PX", 10_000))
        }
        try await withRedisClient(try RedisConfiguration(url: "redis://\(host):\(port)/2")) { client async throws in
            #expect(try await client.execute(RedisCommand("GET", "db-probe-\(user)")).string == "x", "SELECT 2 applied")
        }
        let wrong = try RedisConfiguration(url: "redis://\(user):wrong@\(host):\(port)")
        await withRedisClient(wrong) { client in
            do {
                _ = try await client.send(RedisCommand("PING"))
                Issue.record("a wrong password must fail")
            } catch {
                #expect((error as? RedisError)?.code == .authenticationFailed)
                #expect("\(error)".contains("AUTH"))
            }
        }
        try await withRedisClient(try RedisConfiguration(url: url)) { admin in
            try await admin.execute(RedisCommand("ACL", "DELUSER", user))
        }
    }

    @Test func failsFastWhileTheServerIsDown() async throws {
        let server = try OwnRedisServer()
        var configuration = try RedisConfiguration(url: server.url)
        configuration.poolSize = 1
        configuration.reconnectDelay = .seconds(30)
        await withRedisClient(configuration) { client in
            await #expect { try await client.send(RedisCommand("PING")) } throws: { error in
                (error as? RedisError)?.code == .connectionFailed
            }
            // Within the back-off, a command fails at once without a new connect attempt.
            await #expect { try await client.send(RedisCommand("PING")) } throws: { error in
                (error as? RedisError)?.code == .connectionUnavailable
            }
        }
    }

    @Test func reconnectsByItselfWhenTheServerComesBack() async throws {
        let server = try OwnRedisServer()
        var configuration = try RedisConfiguration(url: server.url)
        configuration.reconnectDelay = .milliseconds(20)
        configuration.maximumReconnectDelay = .milliseconds(50)
        try await withRedisClient(configuration) { client in
            await #expect(throws: RedisError.self) { try await client.send(RedisCommand("PING")) }
            try await server.start()
            let reconnected = try await waitUntil(.seconds(10), every: .milliseconds(20)) {
                (try? await client.send(RedisCommand("PING"))) == .status("PONG")
            }
            #expect(reconnected != nil)
            server.kill()
        }
    }

    @Test func commandsAfterShutdownFailClearly() async throws {
        let client = try RedisClient(url: try TestServers.url())
        await client.shutdown()
        do {
            _ = try await client.send(RedisCommand("PING"))
            Issue.record("expected failure")
        } catch let error as RedisError {
            #expect(error.code == .clientShutDown)
        }
    }
}
