/// Commands about keys and the server rather than one data type.
extension TypedRedisCommand where Reply == Int64 {
    /// `PTTL key`: milliseconds left; -1 for a key without expiry, -2 for
    /// a missing key (the server's own encoding, kept so callers can tell).
    public static func pttl(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("PTTL", key), reply: ReplyShape.integer)
    }

    /// `UNLINK key…`: how many of the keys existed. On a cluster the keys
    /// must share a slot; ``RedisClient/unlink(_:)`` splits them by slot.
    public static func unlink(_ keys: [[UInt8]]) -> Self {
        Self(RedisCommand("UNLINK", keys), reply: ReplyShape.integer)
    }

    /// `PUBLISH channel message`: how many subscribers received it (on a
    /// cluster, those of the node that was asked).
    public static func publish(_ message: some RedisArgument, to channel: some RedisArgument) -> Self {
        Self(RedisCommand("PUBLISH", channel, message), reply: ReplyShape.integer)
    }
}

extension TypedRedisCommand where Reply == Int64? {
    /// `MEMORY USAGE key`: bytes the key and its value take, `nil` for a missing key.
    public static func memoryUsage(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("MEMORY", "USAGE", key), reply: ReplyShape.optionalInteger)
    }
}

extension TypedRedisCommand where Reply == String {
    /// `PING`: `PONG`.
    public static var ping: Self {
        Self(RedisCommand("PING"), reply: ReplyShape.text)
    }

    /// `TYPE key`: `string`, `set`, `vectorset`…, or `none` for a missing key.
    public static func type(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("TYPE", key), reply: ReplyShape.text)
    }

    /// `INFO section`: the section's `field:value` lines.
    public static func info(_ section: String) -> Self {
        Self(RedisCommand("INFO", section), reply: ReplyShape.text)
    }
}

extension TypedRedisCommand where Reply == String? {
    /// `OBJECT ENCODING key`: how the server stores the value, `nil` for a missing key.
    public static func objectEncoding(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("OBJECT", "ENCODING", key)) { reply throws(RedisError) in
            try ReplyShape.optionalBytes(reply).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}

extension TypedRedisCommand where Reply == Bool {
    /// `COMMAND INFO name`: whether the server knows the command (a module's
    /// command is unknown where the module is not loaded).
    public static func knowsCommand(_ name: String) -> Self {
        Self(RedisCommand("COMMAND", "INFO", name)) { reply throws(RedisError) in
            guard let entries = reply.array else { throw ReplyShape.mismatch(reply, "an array") }
            return entries.first.map { !$0.isNull } ?? false
        }
    }
}

/// One step of `SCAN`: the cursor to continue from ("0" when the walk is
/// done) and the names found.
public struct ScanPage: Sendable, Hashable {
    public let cursor: [UInt8]
    public let keys: [[UInt8]]

    /// Whether the walk is complete.
    public var isLast: Bool { cursor == Array("0".utf8) }
}

extension TypedRedisCommand where Reply == ScanPage {
    /// `SCAN cursor MATCH pattern COUNT count` (one node's keys on a cluster).
    public static func scan(from cursor: [UInt8], matching pattern: [UInt8], count: Int) -> Self {
        Self(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", count)) { reply throws(RedisError) in
            try ScanPage(reply: reply)
        }
    }

    /// `ZSCAN key cursor MATCH pattern COUNT count`: members (without their
    /// scores) of a sorted set whose names match.
    public static func zscan(
        _ key: some RedisArgument, from cursor: [UInt8], matching pattern: [UInt8], count: Int
    ) -> Self {
        Self(RedisCommand("ZSCAN", key, cursor, "MATCH", pattern, "COUNT", count)) { reply throws(RedisError) in
            let page = try ScanPage(reply: reply)
            // Member, score, member, score…
            return ScanPage(cursor: page.cursor, keys: stride(from: 0, to: page.keys.count, by: 2).map { page.keys[$0] })
        }
    }
}

extension ScanPage {
    fileprivate init(reply: RedisValue) throws(RedisError) {
        guard let parts = reply.array, parts.count == 2, let cursor = parts[0].bytes else {
            throw ReplyShape.mismatch(reply, "a cursor and an array")
        }
        self.init(cursor: cursor, keys: try ReplyShape.bytesArray(parts[1]))
    }
}
