import LLMCache

/// How a Redis tier stores a sliding entry: its payload frame behind a
/// marker byte and the entry's current expiry (milliseconds since 1970,
/// little-endian Int64).
///
/// Why: the frame is checksummed and usually compressed, so the expiry
/// written inside it cannot move. A hit on a sliding entry overwrites the
/// eight bytes in place (`SETRANGE`, no re-encoding) together with the key's
/// TTL, and the next lookup reads the moved expiry from here. Fixed entries
/// are stored as bare frames, which start with a different byte (`0xCA`).
enum SlidingFrame {
    static let marker: UInt8 = 0xCB
    /// Where the expiry starts; `SETRANGE` writes there.
    static let expiryOffset = 1
    static let headerSize = 9

    /// `frame` as stored for `entry`: behind the header when it slides.
    static func wrap(_ frame: [UInt8], for entry: CacheEntry) -> [UInt8] {
        guard case .sliding = entry.expiration, let expiresAt = entry.expiresAt else { return frame }
        return [marker] + expiryBytes(expiresAt) + frame
    }

    /// The frame inside `stored`, and the expiry its header holds if it has one.
    static func unwrap(_ stored: [UInt8]) -> (frame: [UInt8], expiresAt: CacheTime?) {
        guard stored.count >= headerSize, stored[0] == marker else { return (stored, nil) }
        var milliseconds: Int64 = 0
        for index in (expiryOffset..<headerSize).reversed() { milliseconds = milliseconds << 8 | Int64(stored[index]) }
        return (Array(stored[headerSize...]), CacheTime(millisecondsSince1970: milliseconds))
    }

    /// Decodes a stored value into an entry whose expiry is the moved one.
    static func decode(_ stored: [UInt8], with codec: PayloadCodec) throws(CacheError) -> CacheEntry {
        let (frame, expiresAt) = unwrap(stored)
        var entry = try codec.decodeEntry(frame)
        if let expiresAt { entry.expiresAt = expiresAt }
        return entry
    }

    static func expiryBytes(_ time: CacheTime) -> [UInt8] {
        withUnsafeBytes(of: time.millisecondsSince1970.littleEndian) { Array($0) }
    }
}

extension PayloadCodec {
    /// The entry in a value as the Redis tiers store it: a payload frame, or
    /// a sliding entry's frame behind its current expiry (which wins over
    /// the expiry written inside the frame). For tools that read keys directly.
    public func decodeStoredEntry(_ stored: [UInt8]) throws(CacheError) -> CacheEntry {
        try SlidingFrame.decode(stored, with: self)
    }

    /// The payload frame inside a value as the Redis tiers store it.
    public static func frame(ofStored stored: [UInt8]) -> [UInt8] {
        SlidingFrame.unwrap(stored).frame
    }
}
