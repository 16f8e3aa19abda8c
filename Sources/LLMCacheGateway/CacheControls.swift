import Foundation
import HTTPTypes
import LLMCache

/// What a caller asked of the cache for one request, read from its headers
/// and from an optional `"cache": {…}` object in the body (stripped before
/// forwarding; the body wins where both speak).
///
/// Headers: `Cache-Control: no-cache` (skip the lookup, refresh the
/// entry), `no-store`, `max-age=N` (lifetime in seconds); `X-LLMCache-Tags:
/// a, b`; `X-LLMCache-Expiration: sliding|fixed`; `X-LLMCache-Semantic: off`;
/// `X-LLMCache-Namespace: NAME`. Body: `{"no_cache": true, "no_store": true,
/// "ttl": 60, "tags": [...], "expiration": "sliding", "semantic": false,
/// "namespace": "NAME"}`.
struct CacheControls: Sendable {
    var options = CacheOptions()
    var semantic = true
    /// The selectable namespace the caller asked for, if any.
    var namespace: String?

    init(headers: HTTPFields, body: JSONValue?) throws(GatewayError) {
        if let control = headers[.cacheControl] {
            for directive in control.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if directive == "no-cache" { options.bypassLookup = true }
                if directive == "no-store" { options.skipStore = true }
                if directive.hasPrefix("max-age=") {
                    guard let seconds = Int(directive.dropFirst(8)), seconds >= 0 else {
                        throw GatewayError(.badRequest, "Cache-Control max-age must be a number of seconds")
                    }
                    options.ttl = .seconds(seconds)
                }
            }
        }
        if let tags = headers[Self.tags] {
            options.tags = Set(tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let expiration = headers[Self.expiration] { try setExpiration(expiration) }
        if headers[Self.semantic]?.lowercased() == "off" { semantic = false }
        namespace = headers[Self.namespace]
        guard let body else { return }
        guard case .object(let fields) = body else {
            throw GatewayError(.badRequest, "\"cache\" must be an object")
        }
        for (name, value) in fields {
            switch (name, value) {
            case ("no_cache", .bool(let flag)): options.bypassLookup = flag
            case ("no_store", .bool(let flag)): options.skipStore = flag
            case ("semantic", .bool(let flag)): semantic = flag
            case ("namespace", .string(let name)): namespace = name
            case ("ttl", .number(let seconds)) where seconds >= 0 && seconds.isFinite: options.ttl = .seconds(seconds)
            case ("expiration", .string(let mode)): try setExpiration(mode)
            case ("tags", .array(let values)):
                options.tags = Set(values.compactMap { if case .string(let tag) = $0 { tag } else { nil } })
            default: throw GatewayError(.badRequest, "unknown or malformed cache setting \"\(name)\"")
            }
        }
    }

    private mutating func setExpiration(_ mode: String) throws(GatewayError) {
        switch mode.lowercased() {
        case "sliding": options.expiration = .sliding
        case "fixed": options.expiration = .fixed
        default: throw GatewayError(.badRequest, "expiration must be sliding or fixed")
        }
    }

    static let tags = HTTPField.Name("X-LLMCache-Tags")!
    static let expiration = HTTPField.Name("X-LLMCache-Expiration")!
    static let semantic = HTTPField.Name("X-LLMCache-Semantic")!
    static let namespace = HTTPField.Name("X-LLMCache-Namespace")!
}
