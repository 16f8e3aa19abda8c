import Foundation
import LLMCache

/// libFuzzer target: decoding `ChatRequest` and `ChatResponse` from arbitrary
/// JSON, then what the cache does with a decoded one: its key, semantic text
/// and scope, re-encoding, and the response's cache encoding. Bad JSON must
/// throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = Data(UnsafeRawBufferPointer(start: start, count: count))
    let decoder = JSONDecoder()
    if let request = try? decoder.decode(ChatRequest.self, from: data) {
        _ = CacheKey(request: request)
        _ = request.semanticText
        var scope = FingerprintHasher()
        request.semanticScope(into: &scope)
        _ = scope.finalize()
        if let encoded = try? JSONEncoder().encode(request) {
            _ = try? decoder.decode(ChatRequest.self, from: encoded)
        }
    }
    if let response = try? decoder.decode(ChatResponse.self, from: data) {
        _ = response.tokenUsage
        _ = response.producingModel
        if let bytes = try? response.cacheEncoded() {
            _ = try? ChatResponse(cacheEncoded: bytes)
        }
    }
    return 0
}
