internal import CZstd

/// A zstd dictionary: shared context that lets short payloads compress well.
///
/// Why: a cached LLM answer is a few hundred to a few thousand bytes, too
/// short for zstd to learn much from the answer alone; a dictionary trained
/// on typical answers supplies that vocabulary up front (on the English
/// prose of `CompressionBenchmark` it takes the ratio at level 3 from about
/// 1.9 to about 2.5). It is digested once into
/// zstd's compression and decompression forms here, because digesting costs
/// far more than compressing one answer. Frames record the dictionary's
/// ``id``, so a frame is never decoded with a different dictionary.
///
/// Keep the ``bytes`` of every dictionary you ever wrote frames with: a
/// frame compressed with a dictionary cannot be read without it.
public final class CompressionDictionary: Sendable {
    /// The dictionary as zstd writes it; save these to load it again with ``init(bytes:level:)``.
    public let bytes: [UInt8]
    /// The identifier frames carry: zstd's dictionary ID, or for a raw-content
    /// dictionary (which has none) the XXH32 of its bytes.
    public let id: UInt32
    /// The compression level the dictionary was digested at; zstd uses it
    /// (not ``PayloadCodec/Configuration/level``) for frames compressed with it.
    public let level: Int

    // Safe to share: zstd documents digested dictionaries as read-only once
    // created, usable by any number of contexts on any threads at once; they
    // are created in init, freed in deinit, and never mutated in between.
    nonisolated(unsafe) let compressionDictionary: OpaquePointer
    nonisolated(unsafe) let decompressionDictionary: OpaquePointer

    /// Loads a dictionary saved from ``bytes``, or any zstd dictionary (such
    /// as one made by `zstd --train`); bytes without zstd's dictionary header
    /// are used as raw content.
    ///
    /// - Throws: ``CacheError/Code/compressionFailed`` when the bytes are
    ///   empty or zstd rejects them as a malformed dictionary.
    public init(bytes: [UInt8], level: Int = 3) throws(CacheError) {
        guard !bytes.isEmpty else {
            throw CacheError(.compressionFailed, "A compression dictionary cannot be empty")
        }
        let digested = bytes.withUnsafeBytes { raw in
            (ZSTD_createCDict(raw.baseAddress, raw.count, Int32(clamping: level)),
             ZSTD_createDDict(raw.baseAddress, raw.count))
        }
        guard let compression = digested.0, let decompression = digested.1 else {
            if let compression = digested.0 { ZSTD_freeCDict(compression) }
            if let decompression = digested.1 { ZSTD_freeDDict(decompression) }
            throw CacheError(.compressionFailed, "zstd rejected the \(bytes.count) dictionary bytes as malformed")
        }
        let zstdID = bytes.withUnsafeBytes { ZDICT_getDictID($0.baseAddress, $0.count) }
        self.bytes = bytes
        self.id = zstdID != 0 ? zstdID : bytes.withUnsafeBytes { Checksum.xxh32($0) }
        self.level = level
        self.compressionDictionary = compression
        self.decompressionDictionary = decompression
    }

    deinit {
        ZSTD_freeCDict(compressionDictionary)
        ZSTD_freeDDict(decompressionDictionary)
    }

    /// Trains a dictionary of at most `capacity` bytes on example payloads.
    ///
    /// Why: the samples should be real bodies of the kind you will cache;
    /// a dictionary only helps payloads that resemble what it was trained on.
    /// zstd wants many samples (hundreds, ideally about 100 times the
    /// capacity in total bytes); training is single-threaded and takes from
    /// milliseconds to seconds, so do it offline or at startup, not per request.
    ///
    /// - Throws: ``CacheError/Code/compressionFailed`` with zstd's reason
    ///   when training fails, e.g. with too few or too small samples.
    public static func train(
        samples: [[UInt8]], capacity: Int = 16 * 1024, level: Int = 3
    ) throws(CacheError) -> CompressionDictionary {
        guard capacity > 0, samples.count <= Int(UInt32.max) else {
            throw CacheError(.compressionFailed, "Cannot train a \(capacity)-byte dictionary on \(samples.count) samples")
        }
        let concatenated = samples.flatMap { $0 }
        let sizes = samples.map(\.count)
        var dictionary = [UInt8](repeating: 0, count: capacity)
        let result = dictionary.withUnsafeMutableBytes { target in
            concatenated.withUnsafeBytes { source in
                sizes.withUnsafeBufferPointer { sizes in
                    ZDICT_trainFromBuffer(
                        target.baseAddress, target.count, source.baseAddress,
                        sizes.baseAddress, UInt32(sizes.count)
                    )
                }
            }
        }
        guard ZDICT_isError(result) == 0 else {
            let reason = String(cString: ZDICT_getErrorName(result))
            throw CacheError(.compressionFailed, "zstd could not train a dictionary on \(samples.count) samples: \(reason)")
        }
        dictionary.removeSubrange(result...)
        return try CompressionDictionary(bytes: dictionary, level: level)
    }
}
