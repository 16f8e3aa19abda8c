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
    /// `llmcache:{namespace}:`, what every key of the namespace starts with.
    public let prefix: String
    /// `prefix` as bytes, for key names built on the hit path.
    private let prefixBytes: [UInt8]

    /// - Parameter namespace: letters, digits and `-_.` only, so that key
    ///   names and SCAN patterns need no escaping.
    public init(namespace: String) throws(RedisError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !namespace.isEmpty, namespace.count <= 64, namespace.allSatisfy(allowed.contains) else {
            throw RedisError(.invalidConfiguration, "namespace must be 1-64 characters of letters, digits, '-', '_' or '.'")
        }
        self.namespace = namespace
        self.prefix = "llmcache:\(namespace):"
        self.prefixBytes = Array(prefix.utf8)
    }

    /// The key of an exact-tier entry: `{prefix}v{version}:e:{hex}`.
    ///
    /// Written straight into one array because every exact lookup builds
    /// one; string interpolation and `CacheKey.hex` cost several times more.
    public func entryKey(_ key: CacheKey, version: UInt64) -> [UInt8] {
        versionedKey(key, version: version, kind: "e")
    }

    /// The lease of the process calling the model for an entry (see
    /// `RedisMissCoordinator`): `{prefix}v{version}:lease:{hex}`. Named
    /// like ``entryKey(_:version:)`` but for its kind, so that the two
    /// will share a Redis Cluster slot once key names carry hash tags (the
    /// claim script reads both).
    public func leaseKey(_ key: CacheKey, version: UInt64) -> [UInt8] {
        versionedKey(key, version: version, kind: "lease")
    }

    /// `{prefix}v{version}:{kind}:{hex}`.
    private func versionedKey(_ key: CacheKey, version: UInt64, kind: StaticString) -> [UInt8] {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let versionLength = withUnsafeMutableBytes(of: &digits) { Self.writeDecimal(version, into: $0) }
        let length = prefixBytes.count + 1 + versionLength + kind.utf8CodeUnitCount + 2 + 64
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            var offset = 0
            func put(_ byte: UInt8) {
                buffer[offset] = byte
                offset += 1
            }
            for byte in prefixBytes { put(byte) }
            put(UInt8(ascii: "v"))
            withUnsafeBytes(of: digits) { for byte in $0.prefix(versionLength) { put(byte) } }
            put(UInt8(ascii: ":"))
            kind.withUTF8Buffer { for byte in $0 { put(byte) } }
            put(UInt8(ascii: ":"))
            // The same lower-case digits as `CacheKey.hex`, without the `String`.
            withUnsafeBytes(of: key.words) { digest in
                for byte in digest {
                    put(Self.hexDigit(byte >> 4))
                    put(Self.hexDigit(byte & 0x0F))
                }
            }
            count = offset
        }
    }

    /// Writes `value` in decimal at the start of `buffer` (20 bytes suffice); returns its length.
    private static func writeDecimal(_ value: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var length = 0
        var rest = value
        repeat {
            buffer[length] = UInt8(ascii: "0") + UInt8(rest % 10)
            length += 1
            rest /= 10
        } while rest > 0
        for index in 0..<length / 2 { buffer.swapAt(index, length - 1 - index) }
        return length
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// The set listing the keys that carry `tag`.
    public func tagKey(_ tag: String) -> [UInt8] {
        Array("\(prefix)tag:\(Self.digest(of: tag))".utf8)
    }

    /// A tag as 64 hex digits, safe in key names and search queries.
    static func digest(of tag: String) -> String {
        CacheKey(bytes: Array(SHA256.hash(data: Array(tag.utf8))))!.hex
    }

    /// Where the answer of a semantic-tier entry lives (vector-set and LSH
    /// backends): its container's prefix followed by the entry's key in hex.
    func semanticAnswerKey(_ key: CacheKey, in container: SemanticContainer) -> String {
        semanticAnswerPrefix(container: container.id, version: container.version) + key.hex
    }

    /// The prefix of ``semanticAnswerKey(_:in:)``: every answer of one container.
    func semanticAnswerPrefix(container: String, version: UInt64) -> String {
        "\(prefix)v\(version):s:\(container):"
    }

    /// The vector set holding one semantic container's vectors.
    public func vectorSetKey(container: String, version: UInt64) -> String {
        "\(prefix)v\(version):vs:\(container)"
    }

    /// One LSH bucket: a hash of element → vector.
    func bucketKey(container: String, version: UInt64, bucket: UInt64) -> String {
        "\(prefix)v\(version):lsh:\(container):\(String(bucket, radix: 16))"
    }

    /// The sorted set of semantic index records by expiry time, which the
    /// sweep walks to remove vectors whose answers have expired.
    public var semanticExpiryKey: [UInt8] { Array("\(prefix)sx".utf8) }

    /// The random seed of the LSH hyperplanes, shared by every process and
    /// kept by `removeAll()`, so that all processes hash alike.
    var hyperplaneSeedKey: [UInt8] { Array("\(prefix)cfg:lsh-seed".utf8) }

    /// The RediSearch index of one embedding model, and the key prefix of its documents.
    func searchIndex(model: String, dimensions: Int) -> (name: String, documentPrefix: String) {
        let digest = SHA256.hash(data: Array("\(model)\u{0}\(dimensions)".utf8))
        let tag = String(CacheKey(bytes: Array(digest))!.hex.prefix(12)) + "-\(dimensions)"
        return ("\(prefix)idx:\(tag)", "\(prefix)doc:\(tag):")
    }

    /// Whether `removeAll()` must keep `key`: the version counter, shared
    /// settings, the invalidation fences (a flush must not forget an
    /// invalidation that in-flight answers still have to respect) and
    /// published statistics (flushing answers does not rewrite
    /// the history of how the cache performed; `llmcache stats --reset` does).
    func survivesRemoveAll(_ key: [UInt8]) -> Bool {
        key == versionKey || key.starts(with: Array("\(prefix)cfg:".utf8)) || key.starts(with: fenceKey)
            || key.starts(with: Array(statisticsPrefix.utf8))
    }

    /// Where published statistics live (see `RedisStatisticsPublisher`); no
    /// version in the name, so bumping the version keeps them.
    var statisticsPrefix: String { "\(prefix)stats:" }

    /// The most recent labelled semantic matches of every entry, newest first.
    var pooledObservationsKey: [UInt8] { Array("\(prefix)obs".utf8) }

    /// One entry's labelled semantic matches, newest first.
    func observationsKey(_ entry: EntryReference) -> [UInt8] {
        Array("\(prefix)v\(entry.namespaceVersion):o:\(entry.key.hex)".utf8)
    }

    /// The namespace's invalidation counter: every tag invalidation and
    /// every flush moves it forward; an ``InvalidationMark`` is its value.
    var fenceKey: [UInt8] { Array("\(prefix)fence".utf8) }

    /// The counter value of the last flush (`removeAll`): marks older than
    /// it are refused.
    var flushFenceKey: [UInt8] { Array("\(prefix)fence:all".utf8) }

    /// The counter value at which `tag` was last invalidated; expires after
    /// the namespace's fence window.
    func tagFenceKey(_ tag: String) -> [UInt8] {
        Array("\(prefix)fence:tag:\(Self.digest(of: tag))".utf8)
    }

    /// The counter whose `INCR` retires every entry of the namespace.
    public var versionKey: [UInt8] { Array("\(prefix)version".utf8) }

    /// The pub/sub channel carrying invalidations and version bumps.
    public var channel: [UInt8] { Array("\(prefix)events".utf8) }

    /// Matches every key of the namespace (for SCAN).
    public var pattern: [UInt8] { Array("\(prefix)*".utf8) }
}
