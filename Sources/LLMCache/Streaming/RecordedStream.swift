/// A streamed answer as the cache stores it: the chunks in the order they
/// arrived and the time between them.
///
/// A cached stream must replay exactly what the model sent (text pieces,
/// tool-call pieces, the final usage chunk), so the chunks are kept one by
/// one rather than folded into a whole answer; the intervals let a replay
/// keep the original rhythm when asked to (``StreamCaching/Pacing/recorded(speed:)``).
/// It is an ordinary ``CacheValue``: tiers frame and compress it like any
/// other answer, and a semantic tier can match it.
public struct RecordedStream<Chunk: CacheValue>: CacheValue {
    /// The chunks, in the order the model sent them.
    public var chunks: [Chunk]
    /// `intervals[i]` is the time between chunk `i - 1` (for the first chunk:
    /// the start of the call) and chunk `i`. Missing entries count as zero.
    public var intervals: [Duration]

    /// A recording; without `intervals` every gap is zero.
    public init(chunks: [Chunk], intervals: [Duration] = []) {
        self.chunks = chunks
        self.intervals = intervals
    }

    /// The time before chunk `index`, zero when not recorded.
    public func interval(before index: Int) -> Duration {
        index < intervals.count ? intervals[index] : .zero
    }

    /// The usage the stream reported: the last chunk that carried any (an
    /// OpenAI stream sends it once, in its final chunk), so a replay can
    /// report the tokens it saved.
    public var tokenUsage: TokenUsage? { chunks.last { $0.tokenUsage != nil }?.tokenUsage }

    /// The first model any chunk names.
    public var producingModel: String? { chunks.lazy.compactMap(\.producingModel).first }
    /// The first chunk's reason for not being a finished answer.
    public var incompleteReason: String? { chunks.lazy.compactMap(\.incompleteReason).first }

    public func cacheEncoded() throws -> [UInt8] {
        var writer = RecordedStreamWriter()
        for (index, chunk) in chunks.enumerated() {
            writer.append(try chunk.cacheEncoded(), after: interval(before: index))
        }
        return writer.bytes
    }

    /// Rebuilds a recording; throws `CacheError(.decodingFailed)` for a
    /// layout it does not know or truncated records, and whatever the chunk
    /// type throws for a chunk that does not decode.
    public init(cacheEncoded bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let version = try reader.read(UInt8.self)
        guard version == RecordedStreamWriter.layoutVersion else {
            throw CacheError(.decodingFailed, "unknown RecordedStream layout version \(version)")
        }
        var chunks: [Chunk] = []
        var intervals: [Duration] = []
        while !reader.isAtEnd {
            intervals.append(.microseconds(try reader.read(UInt32.self)))
            chunks.append(try Chunk(cacheEncoded: Array(try reader.readBytes())))
        }
        self.chunks = chunks
        self.intervals = intervals
    }
}

extension RecordedStream: Equatable where Chunk: Equatable {}
extension RecordedStream: Hashable where Chunk: Hashable {}

/// The byte layout of a ``RecordedStream``, written one chunk at a time so
/// that a stream is encoded as it arrives (and its size known at every step):
/// a version byte, then per chunk the interval before it in microseconds
/// (`UInt32`, saturating at about 71 minutes) and its length-prefixed bytes.
struct RecordedStreamWriter {
    static let layoutVersion: UInt8 = 1

    private var writer = ByteWriter(capacity: 256)

    init() { writer.write(Self.layoutVersion) }

    var bytes: [UInt8] { writer.bytes }
    var byteCount: Int { writer.bytes.count }

    mutating func append(_ chunk: [UInt8], after interval: Duration) {
        writer.write(UInt32(clamping: interval.wholeMicroseconds))
        writer.write(bytes: chunk)
    }
}

extension Duration {
    /// Whole microseconds, never negative, saturating instead of trapping.
    var wholeMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (total, carry) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        return overflow || carry ? .max : total
    }
}
