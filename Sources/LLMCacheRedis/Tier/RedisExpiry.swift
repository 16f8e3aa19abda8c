import LLMCache

extension Duration {
    /// The longest expiry the Redis tiers set: 100 years, in milliseconds.
    ///
    /// Why: a TTL such as `.seconds(.max)` is a caller's way of saying "never
    /// expire on time", but Redis refuses a `PX`/`PEXPIRE` whose deadline
    /// overflows its clock, and inside Lua scripts a number of 10¹⁴ or more
    /// turns into `1e+14`, which Redis rejects as "not an integer". Clamping
    /// keeps such entries stored (their own expiry still says when they end).
    static let redisMaximumExpiryMilliseconds: Int64 = 100 * 365 * 24 * 3600 * 1000

    /// The duration as a Redis expiry in milliseconds: at least 1 (Redis reads
    /// 0 as invalid) and at most ``redisMaximumExpiryMilliseconds``.
    var redisExpiryMilliseconds: Int64 {
        min(max(1, wholeMilliseconds), Self.redisMaximumExpiryMilliseconds)
    }
}
