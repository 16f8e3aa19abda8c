import LLMCache

/// A key's time to live as Redis takes it: whole milliseconds, at least 1,
/// with 0 meaning "no expiry".
///
/// Why: Redis refuses an expiry that overflows its clock ("invalid expire
/// time"), and inside a Lua script a number of 10¹⁴ or more prints as
/// `1e+14`, which Redis rejects as "not an integer"; so a TTL of centuries
/// (or `Duration.seconds(.max)`) must become "never" rather than an error on
/// every store. The entry's own expiry still says when it ends.
struct RedisTTL {
    /// Longer than this (about 35 years) is stored without an expiry.
    static let longest: Int64 = 1 << 40

    /// 0 for none.
    let milliseconds: Int64

    /// The TTL left to `entry` at `now`, or `nil` if it has already expired.
    init?(remainingOf entry: CacheEntry, at now: CacheTime) {
        guard let remaining = entry.remainingTTL(at: now) else {
            milliseconds = 0
            return
        }
        let value = remaining.wholeMilliseconds
        guard value > 0 else { return nil }
        milliseconds = value > Self.longest ? 0 : value
    }

    /// A sliding entry's TTL as the touch scripts take it: at least 1 ms,
    /// 0 ("never") beyond ``longest``, as for a store.
    static func milliseconds(_ ttl: Duration) -> Int64 {
        let value = max(1, ttl.wholeMilliseconds)
        return value > longest ? 0 : value
    }

    /// A lifetime that must end (a fence record's): at least 1 ms, at most ``longest``.
    static func expiry(_ duration: Duration) -> Int64 {
        min(max(1, duration.wholeMilliseconds), longest)
    }
}
