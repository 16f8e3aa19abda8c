/// How a semantic entry whose vector lives apart from its answer (vector
/// sets, LSH buckets) is named in its tag sets and in the expiry index: its
/// container's key without the namespace prefix, then `|` and the element.
/// The answer's key follows from those two (the container's answer prefix
/// and the element), and the prefix from the set or index that holds the
/// record: one record per entry in the expiry index and in each tag set
/// makes its length part of every entry's memory.
///
/// Why one type: the record is written when an entry is stored and read
/// back by invalidation, the sweep, lookups that find a dead vector and
/// `llmcache inspect`. All of them build or parse it here; the Lua scripts
/// never take it apart, they receive its keys as `KEYS` and the record as
/// an opaque member name.
public struct IndexRecord: Hashable, Sendable {
    /// Where the vector is kept, which decides how it is removed.
    public enum Container: Sendable, Hashable {
        case vectorSet
        case bucket
    }

    public let answerKey: String
    public let containerKey: String
    /// The vector's name inside the container (the entry key in hex).
    public let element: String
    public let container: Container
    /// The record as stored in tag sets and the expiry index: as parsed, for
    /// a record read back (so that removing it removes that very member,
    /// also in the longer `answerKey|containerKey|element` form of records
    /// written before 2026-12), else the short form.
    public let bytes: [UInt8]

    /// A record for a new entry of the namespace `keyspace`, in the short form.
    public init(answerKey: String, containerKey: String, element: String, container: Container, keyspace: RedisKeyspace) {
        self.answerKey = answerKey
        self.containerKey = containerKey
        self.element = element
        self.container = container
        assert(containerKey.hasPrefix(keyspace.prefix), "a container key of another namespace")
        bytes = Array("\(containerKey.dropFirst(keyspace.prefix.count))|\(element)".utf8)
    }

    /// Parses a stored record; `nil` for anything else (a plain key such as
    /// an exact entry or a RediSearch document, which tag sets list too).
    /// The container's kind, and the answer's key, are read from the
    /// container's key name by `keyspace`.
    public init?(_ bytes: [UInt8], keyspace: RedisKeyspace) {
        let parts = bytes.split(separator: UInt8(ascii: "|"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var containerKey = String(decoding: parts[parts.count - 2], as: UTF8.self)
        if parts.count == 2 { containerKey = keyspace.prefix + containerKey }
        let element = String(decoding: parts[parts.count - 1], as: UTF8.self)
        let version: UInt64
        let containerID: String
        switch keyspace.kind(of: containerKey) {
        case .vectorSet(let setVersion, let id):
            (container, version, containerID) = (.vectorSet, setVersion, id)
        case .lshBucket(let bucketVersion, let id, _):
            (container, version, containerID) = (.bucket, bucketVersion, id)
        default:
            return nil
        }
        answerKey =
            parts.count == 3
            ? String(decoding: parts[0], as: UTF8.self)
            : keyspace.semanticAnswerPrefix(container: containerID, version: version) + element
        self.containerKey = containerKey
        self.element = element
        self.bytes = bytes
    }
}

/// Entries to remove in one script call (`RedisScripts.dropEntries` and
/// `invalidateTags`): each a plain key, or an index record whose answer,
/// vector and expiry record go together. Laid out as the scripts read it:
/// per entry one or two `KEYS` (the key; or answer and container) and three
/// `ARGV` (kind `k`/`v`/`h`, the member name, the vector's element).
struct EntryRemoval {
    private(set) var keys: [[UInt8]] = []
    private(set) var arguments: [[UInt8]] = []
    private(set) var count = 0
    /// The member names, as tag sets list them.
    private(set) var members: [[UInt8]] = []

    /// Each member of a tag set or the expiry index, parsed with `keyspace`.
    init(members: [[UInt8]], keyspace: RedisKeyspace) {
        for member in members {
            if let record = IndexRecord(member, keyspace: keyspace) {
                add(record)
            } else {
                add(key: member)
            }
        }
    }

    init(records: [IndexRecord]) {
        for record in records { add(record) }
    }

    private mutating func add(key: [UInt8]) {
        keys.append(key)
        arguments += [Array("k".utf8), key, []]
        members.append(key)
        count += 1
    }

    private mutating func add(_ record: IndexRecord) {
        keys += [Array(record.answerKey.utf8), Array(record.containerKey.utf8)]
        arguments += [Array((record.container == .vectorSet ? "v" : "h").utf8), record.bytes, Array(record.element.utf8)]
        members.append(record.bytes)
        count += 1
    }
}

extension RedisClient {
    /// Removes `records` (answer, vector, expiry record), one script call
    /// per ``RedisKeyGroup`` they belong to; with `dueAt`, only those whose
    /// expiry record is still due then (a sliding hit may have moved it
    /// since it was read). Returns how many it removed.
    @discardableResult
    func drop(_ records: [IndexRecord], keyspace: RedisKeyspace, dueAt: Int64? = nil) async throws -> Int {
        var removed = 0
        for (group, grouped) in Dictionary(grouping: records, by: { keyspace.group(containing: $0.answerKey) }) {
            let removal = EntryRemoval(records: grouped)
            let reply = try await run(
                RedisScripts.dropEntries, keys: [group.semanticExpiryKey] + removal.keys,
                arguments: [dueAt.map { Array(String($0).utf8) } ?? [], removal.count.redisBytes] + removal.arguments)
            removed += Int(reply.int ?? 0)
        }
        return removed
    }
}
