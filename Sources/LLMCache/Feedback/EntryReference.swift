/// Names one stored answer wherever the tiers keep it: what a report of a
/// wrong answer, or a removal from the command line, has to point at.
///
/// An answer is stored under the exact key of the request that produced it,
/// in that request's semantic scope and namespace version; the three together
/// find it in every tier (a Redis semantic tier files vectors by scope and
/// version). ``description`` is a printable token of the three, which
/// `llmcache feedback` accepts and logs can show.
public struct EntryReference: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// The exact key of the request whose answer this is.
    public var key: CacheKey
    /// The semantic scope the answer was stored in.
    public var scope: CacheKey
    /// The namespace version it was stored under.
    public var namespaceVersion: UInt64

    public init(key: CacheKey, scope: CacheKey, namespaceVersion: UInt64) {
        self.key = key
        self.scope = scope
        self.namespaceVersion = namespaceVersion
    }

    /// `v{version}.{scope hex}.{key hex}`.
    public var description: String { "v\(namespaceVersion).\(scope.hex).\(key.hex)" }

    /// Parses ``description``; `nil` for anything else.
    public init?(_ description: String) {
        let parts = description.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].first == "v", let version = UInt64(parts[0].dropFirst()),
            let scope = CacheKey(hex: parts[1]), let key = CacheKey(hex: parts[2])
        else { return nil }
        self.init(key: key, scope: scope, namespaceVersion: version)
    }
}

extension CacheQuery {
    /// The entry this request's answer is (or would be) stored as.
    public var entryReference: EntryReference {
        EntryReference(key: key, scope: scope, namespaceVersion: namespaceVersion)
    }
}
