@_spi(Fuzzing) import LLMCacheOpenAI

/// libFuzzer target: the `text/event-stream` parser of the chat client on
/// arbitrary bytes, whole and chunked at arbitrary places (the two must agree).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    _ = ServerSentEventFuzzing.parse(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
