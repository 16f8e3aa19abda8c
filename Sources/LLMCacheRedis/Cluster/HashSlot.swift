/// The Redis Cluster slot of a key: CRC16 (XMODEM) of the key, or of its
/// hash tag, modulo 16384.
///
/// Why a hash tag: keys whose names share the text between the first `{`
/// and the next `}` land in one slot, so one script or `MGET` may touch them
/// all. An empty tag (`{}`) does not count, as in Redis.
public struct HashSlot: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Slots in a cluster.
    public static let count = 16384

    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue % UInt16(Self.count) }

    /// The slot of `key`, as the server computes it.
    public init(key: some Collection<UInt8>) {
        var hashed = key[...]
        if let open = key.firstIndex(of: UInt8(ascii: "{")) {
            let rest = key[key.index(after: open)...]
            if let close = rest.firstIndex(of: UInt8(ascii: "}")), close != rest.startIndex {
                hashed = key[rest.startIndex..<close]
            }
        }
        rawValue = Self.crc16(hashed) & 0x3FFF
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }

    /// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0.
    private static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
