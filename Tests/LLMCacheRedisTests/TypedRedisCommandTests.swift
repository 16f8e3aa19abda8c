import LLMCacheRedis
import Testing

/// Typed commands read their replies once, in one place: a missing key is
/// `nil`, a reply of another shape a `.protocolError`, an error reply a
/// `.serverError`.
@Suite("Typed Redis commands")
struct TypedRedisCommandTests {
    @Test func repliesComeBackInTheirTypes() async throws {
        try await withRedisClient(try RedisConfiguration(url: try TestServers.url())) { client in
            let prefix = "typed:\(uniqueNamespace()):"
            let key = Array("\(prefix)value".utf8)
            #expect(try await client.execute(.get(key)) == nil)
            #expect(try await client.execute(.pttl(key)) == -2, "a missing key")
            #expect(try await client.execute(.setIfAbsent(key, "first")))
            #expect(try await client.execute(.setIfAbsent(key, "second")) == false)
            #expect(try await client.execute(.get(key)) == Array("first".utf8))
            #expect(try await client.execute(.strlen(key)) == 5)
            #expect(try await client.execute(.pttl(key)) == -1, "no expiry")
            #expect(try await client.execute(.type(key)) == "string")
            #expect(try await client.execute(.memoryUsage(key)) ?? 0 > 0)
            #expect(try await client.execute(.memoryUsage(Array("\(prefix)none".utf8))) == nil)
            #expect(try await client.execute(.incr("\(prefix)counter")) == 1)
            #expect(try await client.execute(.incr("\(prefix)counter")) == 2)
            #expect(try await client.execute(.mget([key, Array("\(prefix)none".utf8)])) == [Array("first".utf8), nil])
            #expect(try await client.execute(.ping) == "PONG")
            #expect(try await client.execute(.knowsCommand("GET")))
            #expect(try await client.execute(.knowsCommand("NO.SUCH.COMMAND")) == false)

            let set = "\(prefix)set"
            try await client.execute(RedisCommand("SADD", set, "a", "b"))
            #expect(try await client.execute(.scard(set)) == 2)
            #expect(try await client.execute(.sismember(set, "a")))
            #expect(try await client.execute(.sismember(set, "z")) == false)
            #expect(Set(try await client.execute(.srandmember(set, count: 5))) == [Array("a".utf8), Array("b".utf8)])

            let sorted = "\(prefix)sorted"
            try await client.execute(RedisCommand("ZADD", sorted, 1, "one", 2, "two", 3, "three"))
            #expect(try await client.execute(.zscore(sorted, "two")) == 2)
            #expect(try await client.execute(.zscore(sorted, "none")) == nil)
            #expect(try await client.execute(.zrangeByScore(sorted, upTo: 2, limit: 10)) == [Array("one".utf8), Array("two".utf8)])
            #expect(try await client.execute(.zrangeWithScores(sorted)).map(\.score) == [1, 2, 3])
            let page = try await client.execute(.zscan(sorted, from: Array("0".utf8), matching: Array("t*".utf8), count: 100))
            #expect(Set(page.keys) == [Array("two".utf8), Array("three".utf8)] && page.isLast, "members only, no scores")

            // A command on a key of another type: the server's error, thrown.
            let wrongType = await #expect(throws: RedisError.self) { try await client.execute(.get(set)) }
            #expect(wrongType?.code == .serverError)
            try await client.unlink([key, Array(set.utf8), Array(sorted.utf8), Array("\(prefix)counter".utf8)])
        }
    }

    @Test func aReplyOfAnotherShapeIsAProtocolError() throws {
        let error = #expect(throws: RedisError.self) {
            try TypedRedisCommand<Int64>.incr("counter").reply(from: .bulk(Array("not a number reply".utf8)))
        }
        #expect(error?.code == .protocolError)
        #expect(throws: RedisError.self) { try TypedRedisCommand<[[UInt8]?]>.mget([]).reply(from: .integer(3)) }
        #expect(try TypedRedisCommand<[UInt8]?>.get("k").reply(from: .null) == nil)
    }
}
