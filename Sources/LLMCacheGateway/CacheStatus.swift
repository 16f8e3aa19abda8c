import Foundation
import HTTPTypes
import Hummingbird
import LLMCache

/// What the caller is told about the cache: RFC 9211 `Cache-Status`, the
/// tier, a semantic hit's similarity, the entry's reference (what
/// `llmcache feedback` takes) and, on a hit, the answer's `Age` and the
/// tokens it saved (the body's `usage` is the original call's, unchanged).
struct CacheStatus {
    static let name = HTTPField.Name("Cache-Status")!
    static let tier = HTTPField.Name("X-LLMCache-Tier")!
    static let similarity = HTTPField.Name("X-LLMCache-Similarity")!
    static let entry = HTTPField.Name("X-LLMCache-Entry")!
    static let matched = HTTPField.Name("X-LLMCache-Matched-Entry")!
    static let tokensSaved = HTTPField.Name("X-LLMCache-Tokens-Saved")!

    var headers: HTTPFields = [:]

    init<Value>(_ result: CacheResult<Value>, stored: Bool, usage: TokenUsage? = nil) {
        switch result.source {
        case .tier(let name, let similarity, _):
            headers[Self.name] = "llmcache; hit; detail=\(name)"
            headers[Self.tier] = name
            if let similarity { headers[Self.similarity] = String(format: "%.4f", similarity) }
            if let age = result.age { headers[.age] = String(max(0, age.components.seconds)) }
            if let usage { headers[Self.tokensSaved] = String(usage.totalTokens) }
        case .computed:
            headers[Self.name] = "llmcache; fwd=miss" + (stored ? "; stored" : "")
        case .coalesced:
            headers[Self.name] = "llmcache; fwd=miss; collapsed"
        }
        if let entry = result.entry { headers[Self.entry] = entry.description }
        if let match = result.match { headers[Self.matched] = "\(match.entry); score=\(match.score)" }
    }
}
