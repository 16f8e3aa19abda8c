/// Encodes a stream's chunks as they arrive, so that at the end the stored
/// value is ready without a second pass, and so that the size is known at
/// every step: a stream that outgrows the limit stops being recorded.
struct StreamRecorder<Chunk: CacheValue> {
    /// Why a recording stopped.
    enum Stop: Error, CustomStringConvertible {
        case tooLarge(limit: Int)
        case unencodable(any Error)

        var description: String {
            switch self {
            case .tooLarge(let limit): "the stream grew beyond \(limit) bytes"
            case .unencodable(let error): "a chunk could not be encoded: \(error)"
            }
        }
    }

    private var writer = RecordedStreamWriter()
    private var last: ContinuousClock.Instant
    private let maxBytes: Int
    private var usage: TokenUsage?
    private var model: String?

    init(startedAt start: ContinuousClock.Instant, maxBytes: Int) {
        last = start
        self.maxBytes = maxBytes
    }

    /// Adds a chunk that arrived at `instant`.
    mutating func record(_ chunk: Chunk, at instant: ContinuousClock.Instant) throws(Stop) {
        let bytes: [UInt8]
        do {
            bytes = try chunk.cacheEncoded()
        } catch {
            throw .unencodable(error)
        }
        guard writer.byteCount + bytes.count + 8 <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        writer.append(bytes, after: instant - last)
        last = instant
        if let chunkUsage = chunk.tokenUsage { usage = chunkUsage }
        if model == nil { model = chunk.producingModel }
    }

    /// The value to store.
    var recording: EncodedRecording { EncodedRecording(bytes: writer.bytes, tokenUsage: usage, producingModel: model) }
}

/// A ``RecordedStream`` already in its stored form, handed to the stack's
/// write path like any other answer.
struct EncodedRecording: CacheValue {
    let bytes: [UInt8]
    let tokenUsage: TokenUsage?
    let producingModel: String?

    init(bytes: [UInt8], tokenUsage: TokenUsage?, producingModel: String?) {
        self.bytes = bytes
        self.tokenUsage = tokenUsage
        self.producingModel = producingModel
    }

    func cacheEncoded() -> [UInt8] { bytes }

    init(cacheEncoded bytes: [UInt8]) { self.init(bytes: bytes, tokenUsage: nil, producingModel: nil) }
}
