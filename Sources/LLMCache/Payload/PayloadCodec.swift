internal import CZstd

/// Wraps cached bodies in self-checking frames and compresses the large ones.
///
/// Why: cached bytes outlive the process that wrote them and pass through
/// disks, networks and other builds, so every body carries a checksum and a
/// format version and is never trusted on the way back in: `decode(_:)`
/// throws on any input it cannot vouch for and never traps. Compressing
/// answers with zstd roughly halves what a cache tier stores and sends;
/// bodies below a threshold are stored as they are, because compressing
/// them saves little and costs a call into zstd.
///
/// Frame layout, integers little-endian:
///
/// | bytes | field |
/// | --- | --- |
/// | 1 | magic `0xCA` |
/// | 1 | format version, `1` |
/// | 1 | flags: bit 0 the body is zstd-compressed, bit 1 compressed with a dictionary (needs bit 0); other bits must be 0 |
/// | 1–5 | uncompressed length, unsigned LEB128 varint, canonical, at most `UInt32.max` |
/// | 4 | dictionary ID (``CompressionDictionary/id``), only when bit 1 is set |
/// | 4 | XXH32 (seed 0) of the *uncompressed* body |
/// | rest | the body: as is, or one zstd frame (content size written, dictionary ID left out since the header has it) |
///
/// The header takes 8 bytes for a body under 128 bytes, 9 up to 16 KiB,
/// plus 4 with a dictionary. The codec is a cheap value to copy and safe to
/// share between tasks: zstd contexts come from a process-wide pool.
public struct PayloadCodec: Sendable {
    /// How a codec compresses; decoding needs only the dictionary and the size limit.
    public struct Configuration: Sendable {
        /// Bodies of at least this many bytes are compressed; below it zstd
        /// saves a few bytes at best, so the frame stores the body as is.
        public var compressionThreshold: Int
        /// zstd's level without a dictionary: 1 is fastest, 3 zstd's default
        /// balance, 19 and up smallest but slow; negative levels trade ratio
        /// for more speed. Out-of-range values are clamped by zstd.
        public var level: Int
        /// Compresses with this dictionary when set, at the dictionary's own
        /// ``CompressionDictionary/level`` (zstd bakes it into the digested
        /// form); frames written with it can only be decoded by a codec given
        /// the same dictionary, and a codec with it still reads plain frames.
        public var dictionary: CompressionDictionary?
        /// The largest body encoded or decoded: a guard against decompression
        /// bombs, since a small frame can claim a huge length.
        public var maximumDecodedSize: Int

        /// The defaults suit cached chat answers: compress from 256 bytes at
        /// level 3, no dictionary, bodies up to 64 MiB.
        public init(
            compressionThreshold: Int = 256,
            level: Int = 3,
            dictionary: CompressionDictionary? = nil,
            maximumDecodedSize: Int = 64 * 1024 * 1024
        ) {
            self.compressionThreshold = compressionThreshold
            self.level = level
            self.dictionary = dictionary
            self.maximumDecodedSize = maximumDecodedSize
        }
    }

    /// The settings this codec was created with.
    public let configuration: Configuration

    /// Creates a codec; reading frames written with a dictionary needs a codec given that dictionary.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The size limit actually enforced: the configured one, capped by what the format can express.
    var sizeLimit: Int { min(max(configuration.maximumDecodedSize, 0), PayloadFrameHeader.maximumLength) }

    /// Frames any collection of bytes (`[UInt8]`, `ArraySlice`, `Data`, …);
    /// contiguous storage is read in place, anything else is copied first.
    ///
    /// - Throws: ``CacheError/Code/payloadTooLarge`` above
    ///   ``Configuration/maximumDecodedSize``; ``CacheError/Code/compressionFailed``
    ///   if zstd fails.
    public func encode(_ body: some Collection<UInt8>) throws(CacheError) -> [UInt8] {
        let inPlace = body.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CacheError) in try encode(UnsafeRawBufferPointer(buffer)) }
        }
        if let inPlace { return try inPlace.get() }
        return try Array(body).withUnsafeBytes { buffer in
            Result { () throws(CacheError) in try encode(buffer) }
        }.get()
    }

    /// Frames an array, the common case, without the generic overload's indirection.
    public func encode(_ body: [UInt8]) throws(CacheError) -> [UInt8] {
        try body.withUnsafeBufferPointer { buffer throws(CacheError) in try encode(UnsafeRawBufferPointer(buffer)) }
    }

    /// Frames the bytes in `body`: the overload the others funnel into.
    public func encode(_ body: UnsafeRawBufferPointer) throws(CacheError) -> [UInt8] {
        guard body.count <= sizeLimit else {
            throw CacheError(.payloadTooLarge, "Payload of \(body.count) bytes exceeds the \(sizeLimit)-byte limit")
        }
        let checksum = Checksum.xxh32(body)
        if body.count >= configuration.compressionThreshold, body.count > 0,
           let frame = try compressedFrame(body, checksum: checksum) {
            return frame
        }
        let header = PayloadFrameHeader(flags: [], length: body.count, dictionaryID: nil, checksum: checksum)
        return Self.frame(header, body: body)
    }

    /// Recovers the body from a frame made by `encode(_:)`.
    ///
    /// - Throws: ``CacheError/Code/corruptPayload`` for bad magic, truncation,
    ///   a checksum or length mismatch, or a zstd error;
    ///   ``CacheError/Code/unsupportedPayloadFormat`` for an unknown version or
    ///   flag; ``CacheError/Code/missingCompressionDictionary`` when the frame
    ///   needs a dictionary this codec lacks; ``CacheError/Code/payloadTooLarge``
    ///   when it claims more than ``Configuration/maximumDecodedSize`` bytes.
    public func decode(_ frame: [UInt8]) throws(CacheError) -> [UInt8] {
        try frame.withUnsafeBufferPointer { buffer throws(CacheError) in try decode(UnsafeRawBufferPointer(buffer)) }
    }

    /// Decodes a frame that sits inside a larger array, without copying it out first.
    public func decode(_ frame: ArraySlice<UInt8>) throws(CacheError) -> [UInt8] {
        try frame.withUnsafeBufferPointer { buffer throws(CacheError) in try decode(UnsafeRawBufferPointer(buffer)) }
    }

    /// Decodes a frame in memory the caller owns (e.g. a network buffer): the overload the others funnel into.
    public func decode(_ frame: UnsafeRawBufferPointer) throws(CacheError) -> [UInt8] {
        let (header, bodyOffset) = try PayloadFrameHeader.parse(frame)
        guard header.length <= sizeLimit else {
            throw CacheError(.payloadTooLarge, "Payload frame claims \(header.length) bytes, above the \(sizeLimit)-byte limit")
        }
        let body = UnsafeRawBufferPointer(rebasing: frame[bodyOffset...])
        let decoded: [UInt8]
        if header.flags.contains(.compressed) {
            decoded = try decompress(body, header: header)
        } else {
            guard body.count == header.length else {
                throw CacheError(.corruptPayload, "Stored payload has \(body.count) bytes; its header says \(header.length)")
            }
            decoded = Array(body)
        }
        let checksum = decoded.withUnsafeBytes { Checksum.xxh32($0) }
        guard checksum == header.checksum else {
            throw CacheError(.corruptPayload, "Payload checksum mismatch: frame says \(header.checksum), body hashes to \(checksum)")
        }
        return decoded
    }

    /// Header followed by `body`, in an array of exactly that size.
    static func frame(_ header: PayloadFrameHeader, body: UnsafeRawBufferPointer) -> [UInt8] {
        let headerSize = header.size
        return [UInt8](unsafeUninitializedCapacity: headerSize + body.count) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            header.write(to: base)
            if let source = body.baseAddress, !body.isEmpty {
                UnsafeMutableRawPointer(base + headerSize).copyMemory(from: source, byteCount: body.count)
            }
            count = headerSize + body.count
        }
    }
}

/// zstd's name for an error code, for messages people read.
func zstdErrorName(_ code: Int) -> String {
    String(cString: ZSTD_getErrorName(code))
}
