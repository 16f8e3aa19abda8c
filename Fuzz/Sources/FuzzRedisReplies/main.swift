@_spi(Fuzzing) import LLMCacheRedis

/// libFuzzer target: arbitrary bytes as a Redis server's replies, through the
/// hiredis reader and our conversion of its reply objects into `RedisValue`,
/// then the accessors the client's callers use on each value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    for value in RedisReplyFuzzing.replies(in: UnsafeRawBufferPointer(start: start, count: count)) {
        visit(value)
    }
    return 0
}

func visit(_ value: RedisValue) {
    _ = value.bytes
    _ = value.string
    _ = value.int
    _ = value.isNull
    for element in value.array ?? [] { visit(element) }
}
