import Crypto
import LLMCache

/// The key names of one cache namespace in Redis.
///
/// `llmcache:{namespace}:v{version}:{kind}:{sha256}` for entries, so that a
/// version bump makes every older key unreachable at once; tag names are
/// hashed into key names, so a tag may hold any bytes. On a Redis Cluster
/// every name gains a hash tag after the namespace (see ``RedisKeyGroup``):
/// an entry's keys share their group's slot, the namespace-wide keys
/// (version, invalidation counter, settings, statistics) share one of their own.
public struct RedisKeyspace: Sendable, Hashable {
    /// How key names are laid out: for one server, or by slot for a cluster.
    public enum Layout: Sendable, Hashable {
        /// One group under the plain prefix; the names of every earlier release.
        case singleServer
        /// ``RedisKeyspace/clusterGroupCount`` hash-tagged groups.
        case cluster
    }

    /// The namespace; separates applications sharing one Redis.
    public let namespace: String
    /// `llmcache:{namespace}:`, what every key of the namespace starts with.
    public let prefix: String
    public let layout: Layout
    /// Where entries' keys live: one group on one server, many on a cluster.
    public let groups: [RedisKeyGroup]
    /// What the namespace-wide keys start with: `prefix`, or on a cluster
    /// `prefix` and the hash tag `{namespace}`.
    let sharedPrefix: String
    /// `prefix` as bytes.
    private let prefixBytes: [UInt8]

    /// Groups of a namespace on a cluster: enough that three to a few dozen
    /// primaries each hold a share within a few percent of even, few enough
    /// that an invalidation visiting every group stays a matter of
    /// milliseconds. Every process of a namespace must agree on it.
    public static let clusterGroupCount = 128

    /// - Parameter namespace: letters, digits and `-_.` only, so that key
    ///   names and SCAN patterns need no escaping.
    public init(namespace: String, layout: Layout = .singleServer) throws(RedisError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !namespace.isEmpty, namespace.count <= 64, namespace.allSatisfy(allowed.contains) else {
            throw RedisError(.invalidConfiguration, "namespace must be 1-64 characters of letters, digits, '-', '_' or '.'")
        }
        self.namespace = namespace
        self.prefix = "llmcache:\(namespace):"
        self.prefixBytes = Array(prefix.utf8)
        self.layout = layout
        switch layout {
        case .singleServer:
            sharedPrefix = prefix
            groups = [RedisKeyGroup(prefix: prefixBytes)]
        case .cluster:
            let prefix = prefix
            sharedPrefix = "\(prefix){\(namespace)}:"
            groups = Self.groupTags(namespace: namespace, count: Self.clusterGroupCount).map { tag in
                RedisKeyGroup(prefix: Array("\(prefix){\(tag)}:".utf8))
            }
        }
    }

    /// Hash tags `{namespace}#{n}` for `count` groups, the first found for
    /// each of `count` equal ranges of slots, so that the groups spread over
    /// a cluster's primaries in proportion to the slots each serves.
    private static func groupTags(namespace: String, count: Int) -> [String] {
        var tags = [String?](repeating: nil, count: count)
        var missing = count
        var candidate = 0
        while missing > 0 {
            let tag = "\(namespace)#\(candidate)"
            let range = Int(HashSlot(key: Array(tag.utf8)).rawValue) * count / HashSlot.count
            if tags[range] == nil {
                tags[range] = tag
                missing -= 1
            }
            candidate += 1
        }
        return tags.map { $0! }
    }

    /// The group of an exact entry (and its lease).
    public func group(of key: CacheKey) -> RedisKeyGroup {
        groups[Int(key.words.0 % UInt64(groups.count))]
    }

    /// The group of a semantic container: its vectors, answers and expiry
    /// records stay together, so that one script searches them.
    func group(ofContainer id: String) -> RedisKeyGroup {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return groups[Int(hash % UInt64(groups.count))]
    }

    /// The group whose prefix `key` starts with (the first group for a name
    /// that carries none).
    public func group(containing key: some Collection<UInt8>) -> RedisKeyGroup {
        guard layout == .cluster else { return groups[0] }
        let name = Array(key)
        let open = prefixBytes.count
        guard name.count > open, name.starts(with: prefixBytes), name[open] == UInt8(ascii: "{"),
            let close = name[open...].firstIndex(of: UInt8(ascii: "}")), close + 1 < name.count,
            name[close + 1] == UInt8(ascii: ":")
        else { return groups[0] }
        return RedisKeyGroup(prefix: Array(name[...(close + 1)]))
    }

    /// ``group(containing:)`` for a name held as a `String`.
    func group(containing key: String) -> RedisKeyGroup {
        group(containing: key.utf8)
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
        let prefixBytes = group(of: key).prefix
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
        "\(containerPrefix(container))v\(version):s:\(container):"
    }

    /// The vector set holding one semantic container's vectors.
    public func vectorSetKey(container: String, version: UInt64) -> String {
        "\(containerPrefix(container))v\(version):vs:\(container)"
    }

    /// What every key of a semantic container starts with: its group's prefix.
    private func containerPrefix(_ container: String) -> String {
        String(decoding: group(ofContainer: container).prefix, as: UTF8.self)
    }

    /// One LSH bucket: a hash of element → vector.
    func bucketKey(container: String, version: UInt64, bucket: UInt64) -> String {
        "\(containerPrefix(container))v\(version):lsh:\(container):\(String(bucket, radix: 16))"
    }

    /// The random seed of the LSH hyperplanes, shared by every process and
    /// kept by `removeAll()`, so that all processes hash alike.
    var hyperplaneSeedKey: [UInt8] { Array("\(sharedPrefix)cfg:lsh-seed".utf8) }

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
        switch kind(of: key) {
        case .version, .setting, .invalidationFence, .statistics: true
        default: false
        }
    }

    /// Where published statistics live (see `RedisStatisticsPublisher`); no
    /// version in the name, so bumping the version keeps them.
    var statisticsPrefix: String { "\(sharedPrefix)stats:" }

    /// The most recent labelled semantic matches of every entry, newest first.
    var pooledObservationsKey: [UInt8] { Array("\(sharedPrefix)obs".utf8) }

    /// One entry's labelled semantic matches, newest first; beside the
    /// pooled ones (one script writes both).
    func observationsKey(_ entry: EntryReference) -> [UInt8] {
        Array("\(sharedPrefix)v\(entry.namespaceVersion):o:\(entry.key.hex)".utf8)
    }

    /// The namespace's invalidation counter: every tag invalidation and
    /// every flush moves it forward; an ``InvalidationMark`` is its value.
    var fenceKey: [UInt8] { Array("\(sharedPrefix)fence".utf8) }

    /// The counter whose `INCR` retires every entry of the namespace.
    public var versionKey: [UInt8] { Array("\(sharedPrefix)version".utf8) }

    /// The pub/sub channel carrying invalidations and version bumps.
    public var channel: [UInt8] { Array("\(prefix)events".utf8) }

    /// Matches every key of the namespace (for SCAN).
    public var pattern: [UInt8] { Array("\(prefix)*".utf8) }
}
