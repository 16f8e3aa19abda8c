/// The keys of a namespace that scripts touch together with an entry's own
/// keys: the tag sets and fences a store checks, the version it compares,
/// the semantic expiry index.
///
/// Why groups: a Redis Cluster runs a script only on keys of one slot. On
/// one server the namespace is a single group under its plain prefix (the
/// layout of every earlier release). On a cluster it is
/// ``RedisKeyspace/clusterGroupCount`` groups, each under a hash tag chosen
/// so that the groups' slots are spread evenly over the 16,384; an entry
/// belongs to the group its key's hash picks (a semantic entry to its
/// container's), and its answer, vector, lease and tag memberships are
/// named under that group's prefix. Operations across the namespace (tag
/// invalidation, flush, version bump, sweep) visit every group.
public struct RedisKeyGroup: Sendable, Hashable {
    /// `llmcache:{namespace}:` on one server; `llmcache:{namespace}:{tag}:`
    /// on a cluster, where the braces are literal and make a hash tag.
    public let prefix: [UInt8]

    init(prefix: [UInt8]) {
        self.prefix = prefix
    }

    /// The set listing the group's entries that carry `tag`.
    public func tagKey(_ tag: String) -> [UInt8] {
        prefix + Array("tag:\(RedisKeyspace.digest(of: tag))".utf8)
    }

    /// The invalidation counter value at which `tag` was last invalidated in
    /// this group; expires after the namespace's fence window.
    func tagFenceKey(_ tag: String) -> [UInt8] {
        prefix + Array("fence:tag:\(RedisKeyspace.digest(of: tag))".utf8)
    }

    /// The counter value of the last flush: marks older than it are refused.
    var flushFenceKey: [UInt8] { prefix + Array("fence:all".utf8) }

    /// The namespace version a store compares its own with: the version
    /// counter itself on one server, the group's copy of it on a cluster
    /// (raised by every bump, see ``RedisNamespace/bump()``).
    var versionKey: [UInt8] { prefix + Array("version".utf8) }

    /// The sorted set of the group's semantic index records by expiry time,
    /// which the sweep walks to remove vectors whose answers have expired.
    public var semanticExpiryKey: [UInt8] { prefix + Array("sx".utf8) }
}
