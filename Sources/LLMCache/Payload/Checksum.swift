/// XXH32 (xxHash, 32-bit), the checksum stored in every payload frame.
///
/// Why XXH32 and why in Swift: the checksum runs over every uncompressed
/// body on both the write and the hit path, so it must cost far less than
/// the lookup itself (it does several GB/s in release builds); its four
/// independent lanes keep the CPU's multipliers busy where a table-driven
/// CRC is bound by memory loads. zstd's bundled XXH64 is internal to
/// libzstd and not a stable symbol, so we carry our own. It is a
/// corruption check against disks, networks and bugs, not a MAC: an
/// attacker who can write frames can also forge this checksum.
enum Checksum {
    private static let prime1: UInt32 = 0x9E37_79B1
    private static let prime2: UInt32 = 0x85EB_CA77
    private static let prime3: UInt32 = 0xC2B2_AE3D
    private static let prime4: UInt32 = 0x27D4_EB2F
    private static let prime5: UInt32 = 0x1656_67B1

    /// The XXH32 digest of `bytes`, bit-compatible with the reference
    /// implementation, so frames can be checked by other tools too.
    static func xxh32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        let count = bytes.count
        var hash: UInt32
        var offset = 0
        if let base = bytes.baseAddress, count >= 16 {
            var lane1 = seed &+ prime1 &+ prime2
            var lane2 = seed &+ prime2
            var lane3 = seed
            var lane4 = seed &- prime1
            let limit = count - 16
            while offset <= limit {
                lane1 = round(lane1, word(base, offset))
                lane2 = round(lane2, word(base, offset + 4))
                lane3 = round(lane3, word(base, offset + 8))
                lane4 = round(lane4, word(base, offset + 12))
                offset += 16
            }
            hash = rotate(lane1, 1) &+ rotate(lane2, 7) &+ rotate(lane3, 12) &+ rotate(lane4, 18)
        } else {
            hash = seed &+ prime5
        }
        hash = hash &+ UInt32(truncatingIfNeeded: count)
        if let base = bytes.baseAddress {
            while offset + 4 <= count {
                hash = rotate(hash &+ word(base, offset) &* prime3, 17) &* prime4
                offset += 4
            }
            while offset < count {
                let byte = UInt32(base.load(fromByteOffset: offset, as: UInt8.self))
                hash = rotate(hash &+ byte &* prime5, 11) &* prime1
                offset += 1
            }
        }
        hash ^= hash &>> 15
        hash = hash &* prime2
        hash ^= hash &>> 13
        hash = hash &* prime3
        hash ^= hash &>> 16
        return hash
    }

    @inline(__always)
    private static func round(_ lane: UInt32, _ input: UInt32) -> UInt32 {
        rotate(lane &+ input &* prime2, 13) &* prime1
    }

    @inline(__always)
    private static func rotate(_ value: UInt32, _ bits: UInt32) -> UInt32 {
        (value &<< bits) | (value &>> (32 &- bits))
    }

    @inline(__always)
    private static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
