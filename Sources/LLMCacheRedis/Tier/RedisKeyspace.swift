import Crypto
import LLMCache

/// The key names of one cache namespace in Redis.
///
/// `llmcache:{namespace}:v{version}:{kind}:{sha256}` for entries, so that a
/// version bump makes every older key unreachable at once; tag names are
/// hashed into key names, so a tag may hold any bytes.
public struct RedisKeyspace: Sendable, Hashable {
    /// The namespace; separates applications sharing one Redis.
    public let namespace: String
    private let prefix: String

    /// - Parameter namespace: letters, digits and `-_.` only, so that key
    ///   names and SCAN patterns need no escaping.
    public init(namespace: String) throws(RedisError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !namespace.isEmpty, namespace.count <= 64, namespace.allSatisfy(allowed.contains) else {
            throw RedisError(.invalidConfiguration, "namespace must be 1-64 characters of letters, digits, '-', '_' or '.'")
        }
        self.namespace = namespace
        self.prefix = "llmcache:\(namespace):"
    }

    /// The key of an exact-tier entry.
    public func entryKey(_ key: CacheKey, version: UInt64) -> [UInt8] {
        Array("\(prefix)v\(version):e:\(key.hex)".utf8)
    }

    /// The set listing the keys that carry `tag`.
    public func tagKey(_ tag: String) -> [UInt8] {
        let digest = SHA256.hash(data: Array(tag.utf8))
        return Array("\(prefix)tag:\(CacheKey(bytes: Array(digest))!.hex)".utf8)
    }

    /// The counter whose `INCR` retires every entry of the namespace.
    public var versionKey: [UInt8] { Array("\(prefix)version".utf8) }

    /// The pub/sub channel carrying invalidations and version bumps.
    public var channel: [UInt8] { Array("\(prefix)events".utf8) }

    /// Matches every key of the namespace (for SCAN).
    public var pattern: [UInt8] { Array("\(prefix)*".utf8) }
}
