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
    public func scan(
        matching pattern: [UInt8], count: Int = 1000, _ body: ([[UInt8]]) async throws -> Void
    ) async throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let reply = try await execute(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", count))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].bytes, let keys = parts[1].array else {
                throw RedisError(.protocolError, "unexpected SCAN reply")
            }
            let names = keys.compactMap(\.bytes)
            if !names.isEmpty { try await body(names) }
            cursor = next
        } while cursor != Array("0".utf8)
    }
}
