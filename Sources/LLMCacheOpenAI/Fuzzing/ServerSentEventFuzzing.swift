/// The entry point of the `FuzzServerSentEvents` target in `Fuzz/`: not part
/// of the library's API (it sits behind `@_spi(Fuzzing)`, so importing
/// `LLMCacheOpenAI` without that attribute does not see it).
///
/// Why: ``ServerSentEventParser`` reads bytes straight off the network, so it
/// must never trap whatever a server sends, however the bytes are chunked.
@_spi(Fuzzing) public enum ServerSentEventFuzzing {
    /// Parses `bytes` as a stream twice: whole, and in chunks whose sizes come
    /// from the bytes themselves (so chunk borders fall inside lines, CRLF
    /// pairs and UTF-8 sequences); checks that both give the same events and
    /// returns them.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var whole = ServerSentEventParser()
        let expected = whole.feed(Array(bytes))

        var chunked = ServerSentEventParser()
        var events: [String] = []
        var offset = 0
        var step = 0
        while offset < bytes.count {
            let size = Int(bytes[step % bytes.count] % 7) + 1
            let end = min(offset + size, bytes.count)
            events += chunked.feed(Array(bytes[offset..<end]))
            offset = end
            step += 1
        }
        precondition(events == expected, "chunking changed the events parsed")
        return events
    }
}
