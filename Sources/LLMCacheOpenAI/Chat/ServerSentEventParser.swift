/// Splits a `text/event-stream` body into events as bytes arrive.
///
/// Chunks from the network split lines anywhere (even inside a UTF-8
/// sequence), so bytes are buffered until a line is complete; an event is
/// dispatched at the blank line that ends it. Only `data` fields matter to
/// chat streaming: several `data` lines of one event are joined with `\n`,
/// comments (`: keep-alive`) and other fields are skipped. Lines end in LF or
/// CRLF (a lone CR, which no chat server sends, is not treated as an end).
struct ServerSentEventParser {
    private var pending: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false

    /// The data of every event completed by `bytes`, in order.
    mutating func feed(_ bytes: [UInt8]) -> [String] {
        pending += bytes
        var events: [String] = []
        var lineStart = 0
        while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            var lineEnd = newline
            if lineEnd > lineStart, pending[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if let event = process(pending[lineStart..<lineEnd]) { events.append(event) }
            lineStart = newline + 1
        }
        pending.removeFirst(lineStart)
        return events
    }

    private mutating func process(_ line: ArraySlice<UInt8>) -> String? {
        if line.isEmpty {
            defer {
                data.removeAll(keepingCapacity: true)
                hasData = false
            }
            return hasData ? String(decoding: data, as: UTF8.self) : nil
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        guard line[line.startIndex..<colon].elementsEqual("data".utf8) else { return nil }
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if hasData { data.append(UInt8(ascii: "\n")) }
        data += value
        hasData = true
        return nil
    }
}
