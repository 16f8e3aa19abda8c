internal import CHiredis

/// The entry point of the `FuzzRedisReplies` target in `Fuzz/`: not part of
/// the library's API (it sits behind `@_spi(Fuzzing)`).
///
/// Why: every reply the client returns is hiredis's parse of bytes from the
/// socket followed by our conversion into ``RedisValue``; this runs the same
/// two steps on arbitrary bytes, without a server.
@_spi(Fuzzing) public enum RedisReplyFuzzing {
    /// Feeds `bytes` to a fresh hiredis reader and converts every complete
    /// reply it yields, stopping at the first protocol error (what a
    /// connection would do before discarding itself).
    public static func replies(in bytes: UnsafeRawBufferPointer) -> [RedisValue] {
        guard let reader = redisReaderCreate() else { return [] }
        defer { redisReaderFree(reader) }
        var values: [RedisValue] = []
        guard !bytes.isEmpty else { return values }
        let fed = redisReaderFeed(reader, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
        guard fed == REDIS_OK else { return values }
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK, let raw else { break }
            defer { freeReplyObject(raw) }
            values.append(RedisValue(hiredis: raw.assumingMemoryBound(to: redisReply.self)))
        }
        return values
    }
}
