/// The header in front of every payload frame (layout documented on
/// ``PayloadCodec``), kept apart from the codec so that parsing untrusted
/// bytes lives in one small place that is easy to audit: every read is
/// bounds-checked and every failure throws instead of trapping.
struct PayloadFrameHeader: Equatable {
    static let magic: UInt8 = 0xCA
    static let version: UInt8 = 1
    /// The format's own ceiling: the length field is at most a `UInt32`.
    static let maximumLength = Int(UInt32.max)

    /// The flags byte; bits outside ``known`` are reserved for future versions.
    struct Flags: OptionSet, Equatable {
        let rawValue: UInt8
        static let compressed = Flags(rawValue: 1 << 0)
        static let dictionary = Flags(rawValue: 1 << 1)
        static let known: Flags = [.compressed, .dictionary]
    }

    var flags: Flags
    /// The uncompressed body's length.
    var length: Int
    /// Present exactly when ``flags`` contains ``Flags/dictionary``.
    var dictionaryID: UInt32?
    /// XXH32 of the uncompressed body.
    var checksum: UInt32

    /// How many bytes ``write(to:)`` writes.
    var size: Int {
        3 + Self.varintSize(UInt32(truncatingIfNeeded: length)) + (dictionaryID == nil ? 0 : 4) + 4
    }

    /// Writes the header at `destination`, which must have room for ``size`` bytes.
    func write(to destination: UnsafeMutableRawPointer) {
        var offset = 0
        func put(_ byte: UInt8) {
            destination.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
        func put32(_ value: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { put(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        put(Self.magic)
        put(Self.version)
        put(flags.rawValue)
        var remaining = UInt32(truncatingIfNeeded: length)
        while remaining >= 0x80 {
            put(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        put(UInt8(remaining))
        if let dictionaryID { put32(dictionaryID) }
        put32(checksum)
    }

    /// Parses the header at the start of `frame`; returns it with the offset where the body starts.
    ///
    /// Checks only what the header alone can tell (magic, version, flags,
    /// truncation, a canonical length); the codec checks the body against it.
    static func parse(_ frame: UnsafeRawBufferPointer) throws(CacheError) -> (header: Self, bodyOffset: Int) {
        var offset = 0
        func next() throws(CacheError) -> UInt8 {
            guard offset < frame.count else {
                throw CacheError(.corruptPayload, "Payload frame is truncated: \(frame.count) bytes end inside the header")
            }
            defer { offset += 1 }
            return frame[offset]
        }
        func next32() throws(CacheError) -> UInt32 {
            var value: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try next()) << shift }
            return value
        }

        let magic = try next()
        guard magic == Self.magic else {
            throw CacheError(.corruptPayload, "Payload frame starts with 0x\(String(magic, radix: 16)), not the magic byte 0xca")
        }
        let version = try next()
        guard version == Self.version else {
            throw CacheError(.unsupportedPayloadFormat, "Payload frame has format version \(version); this build reads version \(Self.version)")
        }
        let flags = Flags(rawValue: try next())
        guard Flags.known.isSuperset(of: flags), !flags.contains(.dictionary) || flags.contains(.compressed) else {
            throw CacheError(.unsupportedPayloadFormat, "Payload frame has flags 0b\(String(flags.rawValue, radix: 2)), which version \(Self.version) does not define")
        }
        let length = try readVarint(next)
        let dictionaryID = flags.contains(.dictionary) ? try next32() : nil
        let checksum = try next32()
        return (Self(flags: flags, length: Int(length), dictionaryID: dictionaryID, checksum: checksum), offset)
    }

    /// Reads an unsigned LEB128 length of at most five bytes, rejecting
    /// non-canonical encodings so that each body has exactly one header.
    private static func readVarint(_ next: () throws(CacheError) -> UInt8) throws(CacheError) -> UInt32 {
        var value: UInt64 = 0
        for index in 0..<5 {
            let byte = try next()
            value |= UInt64(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                guard byte != 0 || index == 0 else {
                    throw CacheError(.corruptPayload, "Payload frame's length field is not canonical")
                }
                guard value <= UInt64(UInt32.max) else {
                    throw CacheError(.corruptPayload, "Payload frame's length field overflows 32 bits")
                }
                return UInt32(value)
            }
        }
        throw CacheError(.corruptPayload, "Payload frame's length field is longer than five bytes")
    }

    private static func varintSize(_ value: UInt32) -> Int {
        var size = 1
        var remaining = value >> 7
        while remaining != 0 {
            size += 1
            remaining >>= 7
        }
        return size
    }
}
