import Foundation
import LLMCache

/// One event of a streamed chat completion, exactly as the upstream sent it
/// (`data: {…}\n\n`, `data: [DONE]\n\n`, comments included): the unit the
/// gateway records and replays, so a hit reproduces the original chunk
/// boundaries byte for byte.
struct ServerSentEvent: CacheValue, Sendable {
    /// The event's bytes, its blank-line terminator included.
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    func cacheEncoded() throws -> [UInt8] { bytes }

    init(cacheEncoded bytes: [UInt8]) throws { self.init(bytes: bytes) }

    // What the stack reads, parsed when asked (when a recording is stored), never on replay.
    var tokenUsage: TokenUsage? { summary?.usage }
    var producingModel: String? { summary?.model }
    var incompleteReason: String? { summary?.incompleteReason }
    var answerText: String? { summary?.text }

    /// The JSON of the event's `data:` lines, when they hold a chunk.
    private var summary: CompletionSummary? {
        let text = String(decoding: bytes, as: UTF8.self)
        let data = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .filter { $0.hasPrefix("data:") }
            .map { $0.dropFirst(5).drop { $0 == " " } }
            .joined(separator: "\n")
        guard data.hasPrefix("{") else { return nil }
        return CompletionSummary.read(Array(data.utf8))
    }
}

/// The events of an SSE body that arrives in arbitrary pieces: each event
/// ends at a blank line (`\n\n`, `\r\n\r\n` or `\r\r`); bytes left when the
/// body ends make a last event.
struct ServerSentEvents<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    let base: Base

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var buffer: [UInt8] = []
        /// Where the search for a terminator resumes: the bytes before it
        /// hold none.
        var searched = 0
        var ended = false

        mutating func next() async throws -> ServerSentEvent? {
            while true {
                if let end = Self.endOfEvent(in: buffer, from: searched) {
                    let event = ServerSentEvent(bytes: Array(buffer[..<end]))
                    buffer.removeFirst(end)
                    searched = 0
                    return event
                }
                searched = Swift.max(0, buffer.count - 3)
                if ended {
                    guard !buffer.isEmpty else { return nil }
                    defer { buffer = [] }
                    return ServerSentEvent(bytes: buffer)
                }
                if let piece = try await base.next() { buffer += piece } else { ended = true }
            }
        }

        /// The index just past the first blank line at or after `start`.
        static func endOfEvent(in bytes: [UInt8], from start: Int) -> Int? {
            let (lf, cr): (UInt8, UInt8) = (10, 13)
            var index = start
            while index + 1 < bytes.count {
                switch (bytes[index], bytes[index + 1]) {
                case (lf, lf), (cr, cr): return index + 2
                case (cr, lf) where index + 3 < bytes.count && bytes[index + 2] == cr && bytes[index + 3] == lf:
                    return index + 4
                default: index += 1
                }
            }
            return nil
        }
    }
}
