extension PayloadCodec {
    /// What a frame's header says about its body, read without decoding it.
    ///
    /// Why: operators inspecting stored answers (`llmcache inspect`) want to
    /// see how well they compress, and whether a frame needs a dictionary,
    /// even when this process cannot decompress it.
    public struct FrameInfo: Sendable, Hashable {
        /// The whole frame, header included: what the tier stores.
        public var frameSize: Int
        /// The header's share of ``frameSize``.
        public var headerSize: Int
        /// The body's size once decompressed.
        public var uncompressedSize: Int
        /// Whether the body is zstd-compressed.
        public var isCompressed: Bool
        /// The dictionary the body was compressed with (see ``CompressionDictionary/id``), if any.
        public var dictionaryID: UInt32?

        /// The body's stored size.
        public var storedBodySize: Int { frameSize - headerSize }
        /// Uncompressed body size over stored body size (1 for an uncompressed
        /// body); above 1 means compression saved space.
        public var compressionRatio: Double {
            storedBodySize == 0 ? 1 : Double(uncompressedSize) / Double(storedBodySize)
        }
    }

    /// Reads the header of `frame`.
    ///
    /// - Throws: ``CacheError/Code/corruptPayload`` or
    ///   ``CacheError/Code/unsupportedPayloadFormat`` when the header is
    ///   unreadable, as decoding would; the body itself is not checked.
    public static func frameInfo(_ frame: [UInt8]) throws(CacheError) -> FrameInfo {
        let (header, bodyOffset) = try frame.withUnsafeBufferPointer { buffer throws(CacheError) in
            try PayloadFrameHeader.parse(UnsafeRawBufferPointer(buffer))
        }
        return FrameInfo(
            frameSize: frame.count, headerSize: bodyOffset, uncompressedSize: header.length,
            isCompressed: header.flags.contains(.compressed), dictionaryID: header.dictionaryID)
    }
}
