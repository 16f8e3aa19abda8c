import LLMCache

/// Locality-sensitive hashing on any Redis: random hyperplanes put each
/// vector in a bucket (a hash of element → vector); a lookup reads the
/// query's bucket and its most likely neighbours (multi-probe) in one script
/// call and re-checks cosine similarity exactly in this process.
///
/// More planes mean smaller buckets (less to read) but more near neighbours
/// across a plane (lower recall, which more probes win back).
struct BucketIndex: SemanticIndex {
    let client: RedisClient
    let keyspace: RedisKeyspace
    let planes: Hyperplanes
    let probes: Int

    func nearest(
        to vector: [Float], in container: SemanticContainer, minimumSimilarity: Float, count: Int
    ) async throws -> [SemanticCandidate] {
        let buckets = planes.probeSequence(for: vector, probes: probes).map {
            keyspace.bucketKey(container: container.id, version: container.version, bucket: $0)
        }
        let reply = try await client.run(RedisScripts.readBuckets, keys: buckets.map { Array($0.utf8) })
        guard let contents = reply.array, contents.count == buckets.count else {
            throw RedisError(.protocolError, "unexpected reply from the bucket script")
        }
        var matches: [(similarity: Float, element: String, bucket: String)] = []
        for (bucket, content) in zip(buckets, contents) {
            let pairs = content.array ?? []
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                guard let element = pairs[index].string, let bytes = pairs[index + 1].bytes,
                    let stored = VectorBytes.decode(bytes, dimensions: planes.dimensions)
                else { continue }
                let similarity = cosineSimilarity(vector, stored)
                if similarity >= minimumSimilarity { matches.append((similarity, element, bucket)) }
            }
        }
        guard !matches.isEmpty else { return [] }
        matches.sort { $0.similarity > $1.similarity }
        let best = matches.prefix(count)
        let answerPrefix = keyspace.semanticAnswerPrefix(container: container.id, version: container.version)
        let answerKeys = best.map { Array((answerPrefix + $0.element).utf8) }
        let frames = try await client.execute(.mget(answerKeys))
        guard frames.count == best.count else { throw RedisError(.protocolError, "MGET returned \(frames.count) values for \(best.count) keys") }
        var candidates: [SemanticCandidate] = []
        var dead: [IndexRecord] = []
        for (match, (answerKey, frame)) in zip(best, zip(answerKeys, frames)) {
            let record = IndexRecord(
                answerKey: String(decoding: answerKey, as: UTF8.self), containerKey: match.bucket, element: match.element,
                container: .bucket, keyspace: keyspace)
            if let frame {
                candidates.append(SemanticCandidate(similarity: match.similarity, frame: frame, answerKey: answerKey, record: record))
            } else {
                dead.append(record)
            }
        }
        if !dead.isEmpty { try await client.drop(dead, keyspace: keyspace) }
        return candidates
    }

    func answerKey(for key: CacheKey, in container: SemanticContainer) -> [UInt8] {
        Array(keyspace.semanticAnswerKey(key, in: container).utf8)
    }

    func store(_ entry: IndexedEntry) async throws -> Bool {
        let bucket = planes.project(entry.vector).bucket
        return try await client.storeIndexed(
            entry, containerKey: keyspace.bucketKey(container: entry.container.id, version: entry.container.version, bucket: bucket),
            keyspace: keyspace, vectorInBucket: true) != nil
    }
}
