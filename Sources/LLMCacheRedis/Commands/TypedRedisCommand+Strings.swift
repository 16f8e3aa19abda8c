/// String keys: answers, counters, settings.
extension TypedRedisCommand where Reply == [UInt8]? {
    /// `GET key`: the value, or `nil` when the key does not exist.
    public static func get(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("GET", key), reply: ReplyShape.optionalBytes)
    }
}

extension TypedRedisCommand where Reply == [[UInt8]?] {
    /// `MGET key…`: each key's value, `nil` where it does not exist. On a
    /// cluster the keys must share a slot.
    public static func mget(_ keys: [[UInt8]]) -> Self {
        Self(RedisCommand("MGET", keys), reply: ReplyShape.optionalBytesArray)
    }
}

extension TypedRedisCommand where Reply == Bool {
    /// `SET key value NX`: whether the key was absent and is now set.
    public static func setIfAbsent(_ key: some RedisArgument, _ value: some RedisArgument) -> Self {
        Self(RedisCommand("SET", key, value, "NX")) { reply throws(RedisError) in
            if reply.isNull { return false }
            guard reply.string == "OK" else { throw ReplyShape.mismatch(reply, "OK or null") }
            return true
        }
    }
}

extension TypedRedisCommand where Reply == Int64 {
    /// `INCR key`: the counter after adding one (a missing key counts from 0).
    public static func incr(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("INCR", key), reply: ReplyShape.integer)
    }

    /// `STRLEN key`: the value's length in bytes, 0 for a missing key.
    public static func strlen(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("STRLEN", key), reply: ReplyShape.integer)
    }
}
