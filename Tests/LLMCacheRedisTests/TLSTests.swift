import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Testing

/// The client over TLS, against stunnel in front of a real Redis, with
/// certificates the test set-up generates (scripts/tls-certs.sh).
@Suite("TLS")
struct TLSTests {
    /// `rediss://host:port` trusting the test CA, plus `query` items.
    func url(_ front: StunnelFront, host: String = "127.0.0.1", _ query: String = "") throws -> String {
        "rediss://\(host):\(front.port)?ca_file=\(try TestServers.certificate("ca.pem"))\(query)"
    }

    /// The error a first command gets from a client configured by `url`.
    func firstError(_ url: String) async throws -> RedisError? {
        var configuration = try RedisConfiguration(url: url)
        configuration.connectTimeout = .seconds(5)
        return try await withRedisClient(configuration) { client in
            do {
                _ = try await client.execute(RedisCommand("PING"))
                return nil
            } catch let error as RedisError {
                return error
            }
        }
    }

    @Test func theExactTierWorksOverTLSWithLargeValuesAndManyPipelinedCommands() async throws {
        let front = try TestServers.tlsFront()
        defer { front.stop() }
        try await withNamespace(url: try url(front)) { client, namespace in
            let tier = RedisExactTier(namespace: namespace)
            let entry = storedEntry(String(repeating: "an answer over TLS ", count: 200), ttl: .seconds(60))
            try await tier.store(entry, for: CacheQuery(request: "q"))
            #expect(try await tier.lookup(CacheQuery(request: "q"))?.entry == entry)
            // Larger than a TLS record and than the read buffer: split across many reads and writes.
            let big = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let key = "\(namespace.keyspace.prefix)big"
            try await client.execute(RedisCommand("SET", key, big))
            #expect(try await client.execute(RedisCommand("GET", key)).bytes == big)
            try await client.execute(RedisCommand("DEL", key))
            let replies = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<2_000 {
                    group.addTask { try await client.execute(RedisCommand("ECHO", "m\(index)")).string == "m\(index)" }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(replies == 2_000)
        }
    }

    @Test func aHostNameOnTheCertificateIsAcceptedAndAnotherIsRefused() async throws {
        let front = try TestServers.tlsFront()
        defer { front.stop() }
        #expect(try await firstError(try url(front, host: "localhost")) == nil)
        let error = try #require(try await firstError(try url(front, "&server_name=cache.example.com")))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("hostname mismatch"), "\(error.message)")
    }

    @Test func aServerSignedByAnotherAuthorityIsRefused() async throws {
        let front = try TestServers.tlsFront()
        defer { front.stop() }
        let other = "rediss://127.0.0.1:\(front.port)?ca_file=\(try TestServers.certificate("other-ca.pem"))"
        let error = try #require(try await firstError(other))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("certificate was refused"), "\(error.message)")
        // The system store does not know the test CA either.
        let system = try #require(try await firstError("rediss://127.0.0.1:\(front.port)"))
        #expect(system.code == .tlsFailed)
        // Unless verification is turned off (debugging only).
        #expect(try await firstError("rediss://127.0.0.1:\(front.port)?verify=none") == nil)
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        let front = try TestServers.tlsFront(certificate: "expired")
        defer { front.stop() }
        let error = try #require(try await firstError(try url(front)))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("certificate has expired"), "\(error.message)")
    }

    @Test func aServerThatRequiresAClientCertificateGetsOne() async throws {
        let front = try TestServers.tlsFront(requiringClientCertificates: true)
        defer { front.stop() }
        // TLS 1.3 finishes the client's side of the handshake before the server
        // checks the client: the refusal comes as the first command's failure.
        #expect(try await firstError(try url(front)) != nil)
        let client = "&cert_file=\(try TestServers.certificate("client.pem"))&key_file=\(try TestServers.certificate("client.key"))"
        #expect(try await firstError(try url(front, client)) == nil)
    }

    @Test func unreadableCertificateFilesAreAClearError() async throws {
        let front = try TestServers.tlsFront()
        defer { front.stop() }
        let error = try #require(try await firstError(try url(front, "&cert_file=/nonexistent/client.pem")))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("/nonexistent/client.pem"), "\(error.message)")
    }

    @Test func invalidationsReachAnotherProcessOverTLS() async throws {
        let front = try TestServers.tlsFront()
        defer { front.stop() }
        let name = uniqueNamespace("tls")
        let a = try await CrossProcessTests.Process(url: try url(front), name: name)
        let b = try await CrossProcessTests.Process(url: try url(front), name: name)
        _ = try await b.stack.response(for: "q", options: CacheOptions(tags: ["t"])) { _ in "a" }
        await b.stack.waitForPendingStores()
        #expect(try await a.stack.response(for: "q") { _ in "other" }.value == "a")
        try await a.stack.invalidate(tags: ["t"])
        let gone = try await waitUntil(.seconds(10)) { b.memory.lookup(CacheQuery(request: "q")) == nil }
        #expect(gone != nil, "the invalidation reached the other process's memory tier")
        await a.shutdown()
        await b.shutdown()
    }
}
