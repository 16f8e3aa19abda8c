import LLMCacheRedis

/// Bytes per stored entry by kind of key, from the server's `MEMORY USAGE`
/// of every key of the namespace (`SAMPLES 0`: the whole of each set or
/// index, not an estimate): what an entry costs in answers, vectors, the
/// expiry index and tag sets, next to `used_memory`'s total.
func memoryBreakdown(client: RedisClient, keyspace: RedisKeyspace, entries: Int) async throws -> [String: Double] {
    var bytes: [String: Int] = [:]
    try await client.scan(matching: Array("\(keyspace.prefix)*".utf8)) { keys in
        for key in keys {
            let usage = try await client.execute(RedisCommand("MEMORY", "USAGE", key, "SAMPLES", 0)).int ?? 0
            let part: String =
                switch keyspace.kind(of: key) {
                case .semanticAnswer: "answers"
                case .vectorSet, .lshBucket: "vectors"
                case .searchDocument: "documents"
                case .semanticExpiryIndex: "expiry_index"
                case .tagSet: "tag_sets"
                default: "other"
                }
            bytes[part, default: 0] += Int(usage)
        }
    }
    return bytes.mapValues { Double($0) / Double(max(entries, 1)) }
}
