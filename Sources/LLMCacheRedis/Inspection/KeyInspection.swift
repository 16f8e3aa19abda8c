import Foundation
import LLMCache

/// What one key of a namespace holds, as `llmcache inspect KEY` and the
/// gateway's `GET /cache/entries/{key}` show it: enough to answer "why did
/// this hit (or not)?" without reading frames by hand.
public struct KeyInspection: Encodable, Sendable {
    public var key: String
    /// What the key is, from its name (`exact answer`, `vector set`…).
    public var kind: String
    /// The namespace version in the key's name, for versioned keys.
    public var keyVersion: UInt64?
    public var currentVersion: UInt64
    /// Redis's type of the key.
    public var type: String
    /// Milliseconds left; `nil` when the key does not expire.
    public var ttlMs: Int64?
    /// `MEMORY USAGE`: what the key costs the server, overhead included.
    public var memoryBytes: Int?
    public var encoding: String?
    /// Figures of keys that are not answers (vectors in a set, members of a tag…).
    public var details: [String: String]
    public var answer: EntryReport?
    public var nowMs: Int64

    /// Reads `key` (a full key name); `nil` when Redis has no such key.
    /// `preview` caps the characters of the answer shown.
    public static func run(key: String, namespace: RedisNamespace, preview: Int = 200) async throws -> KeyInspection? {
        let client = namespace.client
        let keyspace = namespace.keyspace
        let bytes = Array(key.utf8)
        let type = try await client.execute(.type(bytes))
        guard type != "none" else { return nil }
        let ttl = try await client.execute(.pttl(bytes))
        let memory = try await client.execute(.memoryUsage(bytes)).map { Int($0) }
        let encoding = try await client.execute(.objectEncoding(bytes))
        let kind = keyspace.kind(of: bytes)
        var details: [String: String] = [:]
        var answer: EntryReport?

        /// Whether tag `tag`'s set lists `member`.
        func membership(_ member: [UInt8]?) -> (String) async throws -> Bool? {
            { tag in
                guard let member else { return nil }
                return try await namespace.tagSet(of: tag, lists: member)
            }
        }

        switch kind {
        case .exactEntry where type == "string":
            if let frame = try await client.execute(.get(bytes)) {
                answer = try await EntryReport.read(frame, preview: preview, isIndexed: membership(bytes))
            }
        case .semanticAnswer(_, let container, _) where type == "string":
            // Tags list the index record (answer, vector container, element), not the answer key.
            let record = try await namespace.indexRecord(forSemanticAnswer: key)
            details["container"] = container
            details["index record"] = record.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "not found in the expiry index"
            if let frame = try await client.execute(.get(bytes)) {
                answer = try await EntryReport.read(frame, preview: preview, isIndexed: membership(record?.bytes))
            }
        case .searchDocument where type == "hash":
            let document = try await namespace.searchDocument(bytes)
            details["container"] = document.container ?? "–"
            details["vector dimensions"] = document.dimensions.map { "\($0)" } ?? "–"
            if let frame = document.storedValue {
                answer = try await EntryReport.read(frame, preview: preview, isIndexed: membership(bytes))
            }
        case .vectorSet:
            details["vectors"] = try await client.execute(.vcard(bytes)).map { "\($0)" } ?? "–"
            details["dimensions"] = try await client.execute(.vdim(bytes)).map { "\($0)" } ?? "–"
            // The settings that explain recall and memory: quantisation and graph shape.
            let info = try await client.send(RedisCommand("VINFO", bytes)).array ?? []
            for index in stride(from: 0, to: info.count - 1, by: 2) {
                guard let field = info[index].string, ["quant-type", "hnsw-m", "max-level"].contains(field),
                    let value = info[index + 1].string ?? info[index + 1].int.map({ "\($0)" })
                else { continue }
                details[field] = value
            }
        case .lshBucket:
            details["vectors"] = "\(try await client.execute(.hlen(bytes)))"
        case .tagSet:
            details["members"] = "\(try await client.execute(.scard(bytes)))"
            let sample = try await client.execute(.srandmember(bytes, count: 3)).map { String(decoding: $0, as: UTF8.self) }
            details["some members"] = sample.joined(separator: ", ")
        case .semanticExpiryIndex:
            details["records"] = "\(try await client.execute(.zcard(bytes)))"
        case .version:
            details["value"] = try await client.execute(.get(bytes)).map { String(decoding: $0, as: UTF8.self) } ?? "–"
        case .flightLease where type == "string":
            // The holder's token, then a `+` per claim that found the lease taken.
            let held = try await client.execute(.get(bytes)) ?? []
            details["waiting claims"] = "\(max(0, held.count - RedisMissCoordinator.tokenLength))"
        default:
            break
        }
        return KeyInspection(
            key: key, kind: Self.describe(kind, namespace: keyspace.namespace), keyVersion: kind?.version,
            currentVersion: namespace.current, type: type, ttlMs: ttl >= 0 ? ttl : nil, memoryBytes: memory,
            encoding: encoding, details: details, answer: answer, nowMs: SystemCacheClock().now.millisecondsSince1970)
    }

    private static func describe(_ kind: RedisKeyspace.KeyKind?, namespace: String) -> String {
        switch kind {
        case nil: "not a key of namespace \(namespace)"
        case .exactEntry: "exact answer"
        case .semanticAnswer: "semantic answer (vector-set or LSH backend)"
        case .vectorSet: "vector set (one semantic container)"
        case .lshBucket: "LSH bucket"
        case .searchDocument: "RediSearch document (semantic answer and vector)"
        case .flightLease: "flight lease (a process is calling the model for this entry)"
        case .tagSet: "tag set"
        case .semanticExpiryIndex: "semantic expiry index"
        case .version: "namespace version counter"
        case .invalidationFence: "invalidation fence (counter or record)"
        case .setting(let name): "setting \(name)"
        case .statistics: "published statistics"
        case .matchObservations(let version): version == nil ? "pooled match observations" : "one entry's match observations"
        case .unknown: "unknown key of namespace \(namespace)"
        }
    }
}
