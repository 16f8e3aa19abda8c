import Crypto

/// A 256-bit digest that names a cached answer or a semantic scope.
///
/// Stored as four words so that hashing and comparing it in a dictionary costs
/// a few instructions; prompt text never appears in it.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// The digest's four little-endian 64-bit words.
    public let words: (UInt64, UInt64, UInt64, UInt64)

    init(digest: SHA256.Digest) {
        words = digest.withUnsafeBytes(Self.words(of:))
    }

    /// Rebuilds a key from its 32 digest bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        words = Array(bytes).withUnsafeBytes(Self.words(of:))
    }

    /// Rebuilds a key from its 64 hexadecimal digits (either case), as
    /// ``hex`` and Redis key names spell it; `nil` for anything else.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes: bytes)
    }

    private static func words(of raw: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64) {
        (
            raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        )
    }

    /// The key of a request's canonical fingerprint.
    public init(request: some CacheableRequest) {
        var hasher = FingerprintHasher()
        request.fingerprint(into: &hasher)
        self = hasher.finalize()
    }

    /// The 32 digest bytes.
    public var bytes: [UInt8] {
        var words = self.words
        return withUnsafeBytes(of: &words) { Array($0) }
    }

    /// Lower-case hexadecimal, as used in Redis key names.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1
            && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        // The digest is already uniformly distributed; one word is plenty.
        hasher.combine(words.0)
    }
}
