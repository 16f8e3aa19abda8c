import LLMCache

/// libFuzzer target: `PayloadCodec.decode` on arbitrary frames (plain,
/// compressed, with and without a dictionary), and the encode/decode round
/// trip of arbitrary bodies. A malformed frame must throw, never trap.
let plain = PayloadCodec()
/// A codec with a (tiny) dictionary, so that frames flagged as dictionary-compressed
/// reach zstd's dictionary path; zstd accepts any bytes as a raw-content dictionary.
let withDictionary = PayloadCodec(configuration: .init(
    compressionThreshold: 16,
    dictionary: try! CompressionDictionary(bytes: Array("{\"role\":\"assistant\",\"content\":\"The answer is \"}".utf8)),
    maximumDecodedSize: 1 << 20
))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    _ = try? plain.decode(bytes)
    _ = try? withDictionary.decode(bytes)
    _ = try? plain.decode(bytes.dropFirst())
    for codec in [plain, withDictionary] {
        guard let frame = try? codec.encode(bytes) else { continue }
        guard let decoded = try? codec.decode(frame), decoded == bytes else {
            fatalError("a frame the codec wrote did not decode to its body")
        }
    }
    return 0
}
