import Crypto

/// Builds the SHA-256 digest of a request's canonical form.
///
/// Every value is written with a field tag and a length prefix, so that
/// `("ab", "c")` and `("a", "bc")` can never feed the same bytes. Numbers
/// are written in a fixed binary form, so formatting never matters.
public struct FingerprintHasher: Sendable {
    private var hasher = SHA256()

    public init() {}

    /// Adds a tagged string.
    public mutating func combine(field: StaticString, _ value: String) {
        tag(field, kind: 0x01)
        var value = value
        value.withUTF8 { bytes in
            lengthPrefix(bytes.count)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
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
        hasher.update(data: array)
    }

    /// The 32-byte digest of everything combined so far.
    public func finalize() -> CacheKey {
        CacheKey(digest: hasher.finalize())
    }

    private mutating func tag(_ field: StaticString, kind: UInt8) {
        var kind = kind
        withUnsafeBytes(of: &kind) { hasher.update(bufferPointer: $0) }
        lengthPrefix(field.utf8CodeUnitCount)
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: field.utf8Start, count: field.utf8CodeUnitCount))
    }

    private mutating func lengthPrefix(_ count: Int) {
        write(UInt64(count))
    }

    private mutating func write(_ value: UInt64) {
        var littleEndian = value.littleEndian
        withUnsafeBytes(of: &littleEndian) { hasher.update(bufferPointer: $0) }
    }
}
