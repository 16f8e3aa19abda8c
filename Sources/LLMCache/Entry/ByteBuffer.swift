/// Appends little-endian integers and length-prefixed bytes to an array.
///
/// The cache's own binary layouts (entries, responses) are written with it
/// because they sit on the hit path, where JSON would cost more than the
/// lookup itself. `package` so that the package's other modules lay out
/// their own values (streamed chunks) the same way.
package struct ByteWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    package mutating func write(_ value: UInt8) { bytes.append(value) }

    package mutating func write<T: FixedWidthInteger>(_ value: T) { append(value) }

    // Concrete overloads of the common widths: a generic call from another
    // module is not specialised and looks up type metadata on every value.
    package mutating func write(_ value: UInt32) { append(value) }
    package mutating func write(_ value: Int64) { append(value) }
    package mutating func write(_ value: UInt64) { append(value) }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func write(bytes other: some Collection<UInt8>) {
        write(UInt32(other.count))
        bytes.append(contentsOf: other)
    }

    package mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { write(bytes: $0) }
    }

    package mutating func write(optional string: String?) {
        write(UInt8(string == nil ? 0 : 1))
        if let string { write(string) }
    }
}

/// Reads what ``ByteWriter`` wrote, throwing instead of trapping on any
/// truncated or inconsistent input, because stored bytes are untrusted.
package struct ByteReader {
    private let bytes: [UInt8]
    package private(set) var offset: Int

    package init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    package var isAtEnd: Bool { offset == bytes.count }

    package mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(CacheError) -> T { try load() }

    // Concrete overloads of the common widths, as for `ByteWriter.write`.
    package mutating func read(_: UInt8.Type) throws(CacheError) -> UInt8 { try load() }
    package mutating func read(_: UInt32.Type) throws(CacheError) -> UInt32 { try load() }
    package mutating func read(_: Int64.Type) throws(CacheError) -> Int64 { try load() }
    package mutating func read(_: UInt64.Type) throws(CacheError) -> UInt64 { try load() }

    private mutating func load<T: FixedWidthInteger>() throws(CacheError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw truncated() }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    package mutating func readBytes() throws(CacheError) -> ArraySlice<UInt8> {
        let count = Int(try read(UInt32.self))
        guard bytes.count - offset >= count else { throw truncated() }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    package mutating func readString() throws(CacheError) -> String {
        String(decoding: try readBytes(), as: UTF8.self)
    }

    package mutating func readOptionalString() throws(CacheError) -> String? {
        try read(UInt8.self) == 0 ? nil : try readString()
    }

    private func truncated() -> CacheError {
        CacheError(.decodingFailed, "stored value is truncated at byte \(offset) of \(bytes.count)")
    }
}
