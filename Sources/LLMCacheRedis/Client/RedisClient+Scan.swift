extension RedisClient {
    /// Walks every key matching `pattern` with `SCAN` (never `KEYS`, which
    /// blocks the server), handing `body` one batch of names at a time.
    ///
    /// Why: walking a namespace (flushing it, counting it, resetting its
    /// statistics) must not stall a server that serves live traffic. As with
    /// `SCAN` itself, a key present throughout is seen at least once; keys
    /// added or removed meanwhile may or may not be.
    ///
    /// - Parameter count: the `COUNT` hint: keys the server looks at per call.
    ///
    /// On a cluster, every primary is walked in turn (each holds its own keys).
    public func scan(
        matching pattern: [UInt8], count: Int = 1000, _ body: ([[UInt8]]) async throws -> Void
    ) async throws {
        guard let router else {
            return try await scan(matching: pattern, count: count, body) { try await self.send($0) }
        }
        for primary in try await router.primaries() {
            try await scan(matching: pattern, count: count, body) { try await router.send($0, to: primary) }
        }
    }

    private func scan(
        matching pattern: [UInt8], count: Int, _ body: ([[UInt8]]) async throws -> Void,
        on node: (RedisCommand) async throws -> RedisValue
    ) async throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let step = TypedRedisCommand<ScanPage>.scan(from: cursor, matching: pattern, count: count)
            let page = try step.reply(from: try Self.throwingErrors(try await node(step.command)))
            if !page.keys.isEmpty { try await body(page.keys) }
            cursor = page.cursor
        } while cursor != Array("0".utf8)
    }
}
