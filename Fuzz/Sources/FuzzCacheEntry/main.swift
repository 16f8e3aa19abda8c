import LLMCache

/// libFuzzer target: `CacheEntry(serialized:)` on arbitrary bytes, then what a
/// tier does with an entry it read (expiry checks, remaining TTL, sliding
/// renewal, re-serialising) at times around the entry's own; and
/// `PayloadCodec.decodeEntry` on the same bytes framed. Malformed bytes must
/// throw, and no stored time or TTL may trap.
let codec = PayloadCodec()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    _ = try? codec.decodeEntry(bytes)
    guard let entry = try? CacheEntry(serialized: bytes) else { return 0 }

    let instants = [
        entry.createdAt, entry.expiresAt ?? entry.createdAt,
        CacheTime(millisecondsSince1970: 0), CacheTime(millisecondsSince1970: .min), CacheTime(millisecondsSince1970: .max),
    ]
    for now in instants {
        _ = entry.isExpired(at: now)
        _ = entry.remainingTTL(at: now)
        _ = entry.touched(at: now).remainingTTL(at: now)
    }
    _ = entry.approximateByteCount
    let again = entry.serialized()
    guard (try? CacheEntry(serialized: again))?.serialized() == again else {
        fatalError("a serialised entry did not read back")
    }
    guard let frame = try? codec.encode(entry: entry), (try? codec.decodeEntry(frame)) != nil else {
        fatalError("a framed entry did not read back")
    }
    return 0
}
