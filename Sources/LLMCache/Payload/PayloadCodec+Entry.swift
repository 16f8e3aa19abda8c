extension PayloadCodec {
    /// A whole entry (answer and metadata) as one checked, possibly
    /// compressed frame: what byte-storing tiers such as Redis keep.
    public func encode(entry: CacheEntry) throws(CacheError) -> [UInt8] {
        try encode(entry.serialized())
    }

    /// The entry in `frame`; throws on any corruption, truncation or unknown
    /// format, which a tier should treat as a miss and delete.
    public func decodeEntry(_ frame: [UInt8]) throws(CacheError) -> CacheEntry {
        try CacheEntry(serialized: decode(frame))
    }
}
