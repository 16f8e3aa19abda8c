internal import CZstd

/// The zstd half of ``PayloadCodec``: turning bodies into compressed frames and back.
extension PayloadCodec {
    /// A compressed frame for `body`, or nil when zstd does not make it smaller.
    func compressedFrame(_ body: UnsafeRawBufferPointer, checksum: UInt32) throws(CacheError) -> [UInt8]? {
        let dictionary = configuration.dictionary
        let header = PayloadFrameHeader(
            flags: dictionary == nil ? [.compressed] : [.compressed, .dictionary],
            length: body.count, dictionaryID: dictionary?.id, checksum: checksum
        )
        // zstd runs fastest with room for its worst case; the scratch space is
        // on the stack for small bodies and the frame is then copied out at its
        // exact size, so cached frames do not carry unused capacity.
        let bound = ZSTD_compressBound(body.count)
        return try withUnsafeTemporaryAllocation(byteCount: bound, alignment: 16) { scratch throws(CacheError) in
            let size = try ZstdContextPool.compression.withContext { context throws(CacheError) in
                try compress(body, into: scratch, context: context, dictionary: dictionary)
            }
            guard size < body.count else { return nil }
            return Self.frame(header, body: UnsafeRawBufferPointer(rebasing: scratch[..<size]))
        }
    }

    private func compress(
        _ body: UnsafeRawBufferPointer, into scratch: UnsafeMutableRawBufferPointer,
        context: OpaquePointer, dictionary: CompressionDictionary?
    ) throws(CacheError) -> Int {
        var result: Int
        if let dictionary {
            // Advanced API rather than ZSTD_compress_usingCDict, so the frame
            // can omit zstd's copy of the dictionary ID (4 bytes an answer).
            result = ZSTD_CCtx_refCDict(context, dictionary.compressionDictionary)
            if ZSTD_isError(result) == 0 {
                result = ZSTD_CCtx_setParameter(context, ZSTD_c_dictIDFlag, 0)
            }
            if ZSTD_isError(result) == 0 {
                result = ZSTD_compress2(context, scratch.baseAddress, scratch.count, body.baseAddress, body.count)
            }
        } else {
            result = ZSTD_compressCCtx(
                context, scratch.baseAddress, scratch.count, body.baseAddress, body.count,
                Int32(clamping: configuration.level)
            )
        }
        guard ZSTD_isError(result) == 0 else {
            throw CacheError(.compressionFailed, "zstd could not compress \(body.count) bytes: \(zstdErrorName(result))")
        }
        return result
    }

    /// The body of a compressed frame, exactly `header.length` bytes or an error.
    func decompress(_ body: UnsafeRawBufferPointer, header: PayloadFrameHeader) throws(CacheError) -> [UInt8] {
        var dictionary: CompressionDictionary?
        if let wanted = header.dictionaryID {
            guard let given = configuration.dictionary else {
                throw CacheError(.missingCompressionDictionary, "Payload was compressed with dictionary \(wanted); this codec has none")
            }
            guard given.id == wanted else {
                throw CacheError(.missingCompressionDictionary, "Payload was compressed with dictionary \(wanted); this codec has dictionary \(given.id)")
            }
            dictionary = given
        }
        // zstd's own content size must agree with the header (UInt64.max - 1
        // is ZSTD_CONTENTSIZE_ERROR, UInt64.max is ZSTD_CONTENTSIZE_UNKNOWN).
        let contentSize = ZSTD_getFrameContentSize(body.baseAddress, body.count)
        guard contentSize == UInt64(header.length) || contentSize == UInt64.max else {
            throw CacheError(.corruptPayload, "Compressed payload is not a zstd frame of \(header.length) bytes")
        }
        let decoded = try [UInt8](unsafeUninitializedCapacity: header.length) { buffer, count throws(CacheError) in
            count = try ZstdContextPool.decompression.withContext { context throws(CacheError) in
                let result = if let dictionary {
                    ZSTD_decompress_usingDDict(
                        context, buffer.baseAddress, buffer.count, body.baseAddress, body.count,
                        dictionary.decompressionDictionary
                    )
                } else {
                    ZSTD_decompressDCtx(context, buffer.baseAddress, buffer.count, body.baseAddress, body.count)
                }
                guard ZSTD_isError(result) == 0 else {
                    throw CacheError(.corruptPayload, "zstd could not decompress the payload: \(zstdErrorName(result))")
                }
                return result
            }
        }
        guard decoded.count == header.length else {
            throw CacheError(.corruptPayload, "Payload decompressed to \(decoded.count) bytes; its header says \(header.length)")
        }
        return decoded
    }
}
