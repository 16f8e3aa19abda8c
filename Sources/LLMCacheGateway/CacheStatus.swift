import Foundation
import HTTPTypes
import Hummingbird
import LLMCache

/// What the caller is told about the cache: RFC 9211 `Cache-Status`, the
/// tier, a semantic hit's similarity, and the entry's reference (what
/// `llmcache feedback` takes).
struct CacheStatus {
    static let name = HTTPField.Name("Cache-Status")!
    static let tier = HTTPField.Name("X-LLMCache-Tier")!
    static let similarity = HTTPField.Name("X-LLMCache-Similarity")!
    static let entry = HTTPField.Name("X-LLMCache-Entry")!
    static let matched = HTTPField.Name("X-LLMCache-Matched-Entry")!

    var headers: HTTPFields = [:]

    init<Value>(_ result: CacheResult<Value>, stored: Bool) {
        switch result.source {
        case .tier(let name, let similarity, _):
            headers[Self.name] = "llmcache; hit; detail=\(name)"
            headers[Self.tier] = name
            if let similarity { headers[Self.similarity] = String(format: "%.4f", similarity) }
        case .computed:
            headers[Self.name] = "llmcache; fwd=miss" + (stored ? "; stored" : "")
        case .coalesced:
            headers[Self.name] = "llmcache; fwd=miss; collapsed"
        }
        if let entry = result.entry { headers[Self.entry] = entry.description }
        if let match = result.match { headers[Self.matched] = "\(match.entry); score=\(match.score)" }
    }
}
