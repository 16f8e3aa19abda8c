import Crypto

/// Builds the SHA-256 digest of a request's canonical form.
///
/// Every value is written with a field tag and a length prefix, so that
/// `("ab", "c")` and `("a", "bc")` can never feed the same bytes. Numbers
/// are written in a fixed binary form, so formatting never matters. Bytes are
/// collected first and hashed in one call: many tiny SHA-256 updates cost
/// more than the hashing itself.
public struct FingerprintHasher: Sendable {
    private var buffer: [UInt8] = []

    public init() { buffer.reserveCapacity(512) }

    /// Adds a tagged string.
    public mutating func combine(field: StaticString, _ value: String) {
        tag(field, kind: 0x01)
        var value = value
        value.withUTF8 { bytes in
            lengthPrefix(bytes.count)
            buffer.append(contentsOf: bytes)
        }
    }

    /// Adds a tagged integer.
    public mutating func combine(field: StaticString, _ value: Int64) {
        tag(field, kind: 0x02)
        write(UInt64(bitPattern: value))
    }

    /// Adds a tagged floating-point value; `-0.0` and `0.0` hash equal, and
    /// every NaN hashes the same.
    public mutating func combine(field: StaticString, _ value: Double) {
        tag(field, kind: 0x03)
        let canonical: Double = value == 0 ? 0 : (value.isNaN ? .nan : value)
        write(canonical.bitPattern)
    }

    /// Adds a tagged boolean.
    public mutating func combine(field: StaticString, _ value: Bool) {
        tag(field, kind: 0x04)
        write(UInt64(value ? 1 : 0))
    }

    /// Adds a tagged count, typically before the elements of a list so that
    /// lists of different lengths never collide.
    public mutating func combine(count: Int, field: StaticString) {
        tag(field, kind: 0x05)
        write(UInt64(count))
    }

    /// Adds raw bytes under a tag (e.g. another digest).
    public mutating func combine(field: StaticString, bytes: some Sequence<UInt8>) {
        tag(field, kind: 0x06)
        let array = Array(bytes)
        lengthPrefix(array.count)
        buffer.append(contentsOf: array)
    }

    /// The 32-byte digest of everything combined so far.
    public func finalize() -> CacheKey {
        CacheKey(digest: SHA256.hash(data: buffer))
    }

    private mutating func tag(_ field: StaticString, kind: UInt8) {
        buffer.append(kind)
        lengthPrefix(field.utf8CodeUnitCount)
        buffer.append(contentsOf: UnsafeBufferPointer(start: field.utf8Start, count: field.utf8CodeUnitCount))
    }

    /// LEB128: unambiguous, and one byte for the short lengths that dominate.
    private mutating func lengthPrefix(_ count: Int) {
        var remaining = UInt64(count)
        while remaining >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        buffer.append(UInt8(remaining))
    }

    private mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}
