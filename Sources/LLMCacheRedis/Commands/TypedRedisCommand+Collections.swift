/// Sets, sorted sets, hashes, lists and vector sets: tag sets, expiry
/// indexes, LSH buckets, observations, vectors.
extension TypedRedisCommand where Reply == Int64 {
    /// `SCARD key`: members of a set, 0 for a missing key.
    public static func scard(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("SCARD", key), reply: ReplyShape.integer)
    }

    /// `ZCARD key`: members of a sorted set, 0 for a missing key.
    public static func zcard(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("ZCARD", key), reply: ReplyShape.integer)
    }

    /// `HLEN key`: fields of a hash, 0 for a missing key.
    public static func hlen(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("HLEN", key), reply: ReplyShape.integer)
    }
}

extension TypedRedisCommand where Reply == Int64? {
    /// `VCARD key`: elements of a vector set, `nil` for a missing key.
    public static func vcard(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("VCARD", key), reply: ReplyShape.optionalInteger)
    }

    /// `VDIM key`: the dimension of a vector set's vectors, `nil` for a missing key.
    public static func vdim(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("VDIM", key)) { reply throws(RedisError) in
            // A missing key is an error reply on some versions, thrown before this.
            try ReplyShape.optionalInteger(reply)
        }
    }
}

extension TypedRedisCommand where Reply == Bool {
    /// `SISMEMBER key member`: whether the set lists the member.
    public static func sismember(_ key: some RedisArgument, _ member: some RedisArgument) -> Self {
        Self(RedisCommand("SISMEMBER", key, member)) { reply throws(RedisError) in try ReplyShape.integer(reply) == 1 }
    }
}

extension TypedRedisCommand where Reply == Double? {
    /// `ZSCORE key member`: the member's score, `nil` if it is not in the set.
    public static func zscore(_ key: some RedisArgument, _ member: some RedisArgument) -> Self {
        Self(RedisCommand("ZSCORE", key, member)) { reply throws(RedisError) in
            guard let text = try ReplyShape.optionalBytes(reply) else { return nil }
            guard let score = Double(String(decoding: text, as: UTF8.self)) else {
                throw ReplyShape.mismatch(reply, "a score")
            }
            return score
        }
    }
}

extension TypedRedisCommand where Reply == [[UInt8]] {
    /// `SRANDMEMBER key count`: up to `count` distinct members.
    public static func srandmember(_ key: some RedisArgument, count: Int) -> Self {
        Self(RedisCommand("SRANDMEMBER", key, count), reply: ReplyShape.bytesArray)
    }

    /// `ZRANGEBYSCORE key -inf max LIMIT 0 count`: up to `count` members
    /// with scores up to `maximum`, lowest first.
    public static func zrangeByScore(_ key: some RedisArgument, upTo maximum: Int64, limit count: Int) -> Self {
        Self(RedisCommand("ZRANGEBYSCORE", key, "-inf", maximum, "LIMIT", 0, count), reply: ReplyShape.bytesArray)
    }

    /// `LRANGE key 0 -1`: every element of a list, head first.
    public static func lrangeAll(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("LRANGE", key, 0, -1), reply: ReplyShape.bytesArray)
    }
}

extension TypedRedisCommand where Reply == [(member: [UInt8], score: Double)] {
    /// `ZRANGE key 0 -1 WITHSCORES`: every member with its score, lowest first.
    public static func zrangeWithScores(_ key: some RedisArgument) -> Self {
        Self(RedisCommand("ZRANGE", key, 0, -1, "WITHSCORES")) { reply throws(RedisError) in
            let flat = try ReplyShape.bytesArray(reply)
            var pairs: [(member: [UInt8], score: Double)] = []
            for index in stride(from: 0, to: flat.count - 1, by: 2) {
                guard let score = Double(String(decoding: flat[index + 1], as: UTF8.self)) else {
                    throw ReplyShape.mismatch(reply, "member and score pairs")
                }
                pairs.append((flat[index], score))
            }
            return pairs
        }
    }
}

extension TypedRedisCommand where Reply == [[UInt8]?] {
    /// `HMGET key field…`: each field's value, `nil` where it is absent.
    public static func hmget(_ key: some RedisArgument, _ fields: [String]) -> Self {
        Self(RedisCommand("HMGET", [key] + fields.map { $0 as any RedisArgument }), reply: ReplyShape.optionalBytesArray)
    }
}
