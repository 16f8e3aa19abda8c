import Crypto
import LLMCache
import Logging
import Synchronization

/// A semantic tier in Redis: answers a paraphrase of an earlier request,
/// for every process sharing the server.
///
/// The request's text is embedded once per request (shared with other
/// semantic tiers through ``CacheQuery/embeddings``); the nearest stored
/// neighbours in the same semantic scope are fetched with their answers in
/// one round trip and served if their cosine similarity reaches the
/// threshold and the guard agrees. Vectors live in vector sets, a RediSearch
/// index or LSH buckets (see ``Backend``); entries honour TTL, tags, namespace
/// versions and ``removeAll()`` like the exact tier's, the vectors included.
public final class RedisSemanticTier: FencedCacheTier {
    public let name: String
    public var matching: TierMatching { .semantic }
    public let namespace: RedisNamespace
    public let embedder: any Embedder
    public let configuration: Configuration
    private let clock: any CacheClock
    let logger: Logger
    let index = CacheLock<(backend: Backend, index: any SemanticIndex)?>(nil)
    private let lastSweep = Atomic<Int64>(0)
    private let corrupt = Atomic<Int>(0)
    private let vetoed = Atomic<Int>(0)
    private let oversized = Atomic<Int>(0)

    /// - Throws: ``RedisError`` with `.invalidConfiguration` for a threshold
    ///   outside [-1, 1], no candidates, or an embedder without dimensions.
    ///   The backend is chosen on first use (or by ``resolveBackend()``), so
    ///   a server that is down at start costs misses, not a failed start.
    public init(
        name: String = "redis-semantic", namespace: RedisNamespace, embedder: any Embedder,
        configuration: Configuration = .init(), clock: any CacheClock = SystemCacheClock(),
        logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(RedisError) {
        guard (-1...1).contains(configuration.threshold), configuration.candidates >= 1, embedder.dimensions > 0,
            (1...32).contains(configuration.lsh.planes), configuration.lsh.probes >= 1
        else {
            throw RedisError(
                .invalidConfiguration,
                "semantic tier needs a threshold in [-1, 1], at least one candidate, 1-32 LSH planes, "
                    + "at least one probe and an embedder with dimensions")
        }
        self.name = name
        self.namespace = namespace
        self.embedder = embedder
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    var client: RedisClient { namespace.client }
    var keyspace: RedisKeyspace { namespace.keyspace }

    /// Stored answers that failed to decode and were removed.
    public var corruptEntryCount: Int { corrupt.load(ordering: .relaxed) }
    /// Matches above the threshold that the guard vetoed.
    public var vetoedMatchCount: Int { vetoed.load(ordering: .relaxed) }
    /// Entries not stored because their frame exceeded ``Configuration/maximumValueBytes``.
    public var oversizedEntryCount: Int { oversized.load(ordering: .relaxed) }

    public func lookup(_ query: CacheQuery) async throws -> CacheHit? {
        guard let text = query.semanticText else { return nil }
        let encoding = try await encoding(of: text, in: query)
        return try await lookup(query, vector: encoding.vector, tokens: encoding.tokens)
    }

    /// Looks up with a vector computed elsewhere (by the caller's own
    /// embedder, say); `query.semanticText`, if any, is what the guard sees.
    ///
    /// - Throws: `CacheError` `.invalidEmbedding` for a vector of the wrong
    ///   length or with NaN or infinite components.
    public func lookup(_ query: CacheQuery, vector: [Float]) async throws -> CacheHit? {
        try await lookup(query, vector: vector, tokens: nil)
    }

    private func lookup(_ query: CacheQuery, vector: [Float], tokens: TokenVectors?) async throws -> CacheHit? {
        let vector = try normalizedEmbedding(vector, dimensions: embedder.dimensions)
        let (backend, index) = try await resolvedIndex()
        let candidates = try await index.nearest(
            to: vector, in: container(for: query, backend: backend),
            minimumSimilarity: configuration.threshold, count: configuration.candidates)
        let now = clock.now
        for candidate in candidates {
            guard let entry = try await decode(candidate) else { continue }
            guard entry.namespaceVersion == query.namespaceVersion, !entry.isExpired(at: now) else { continue }
            var confidence: Float?
            if let matchGuard = configuration.matchGuard, let text = query.semanticText, let source = entry.sourceText {
                let judgement = await matchGuard.judge(
                    SemanticComparison(
                        query: text, candidate: source, similarity: candidate.similarity, queryTokens: tokens,
                        candidateTokens: entry.sourceTokens))
                guard judgement.allowed else {
                    vetoed.add(1, ordering: .relaxed)
                    continue
                }
                confidence = judgement.confidence
            }
            let touched = entry.touched(at: now)
            try await touch(candidate, of: touched)
            return CacheHit(
                entry: touched, similarity: candidate.similarity, key: candidate.key, confidence: confidence)
        }
        return nil
    }

    /// Removes the entry's answer (its vector goes with it, or when a search
    /// next finds it) and tells every process.
    @discardableResult
    public func remove(_ entry: EntryReference) async throws -> Bool {
        let (backend, index) = try await resolvedIndex()
        let container = container(scope: entry.scope, version: entry.namespaceVersion, backend: backend)
        return try await namespace.remove(entry, keys: [index.answerKey(for: entry.key, in: container)]) > 0
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery) async throws {
        _ = try await store(entry, for: query, unlessInvalidatedSince: nil)
    }

    public func invalidationMark() async throws -> InvalidationMark {
        try await namespace.invalidationMark()
    }

    public func store(_ entry: CacheEntry, for query: CacheQuery, unlessInvalidatedSince mark: InvalidationMark?)
        async throws -> StoreOutcome
    {
        guard let text = query.semanticText else { return .skipped }
        let encoding = try await encoding(of: text, in: query)
        var entry = entry
        entry.sourceTokens = encoding.tokens
        return try await store(entry, for: query, vector: encoding.vector, mark: mark)
    }

    /// Stores with a vector computed elsewhere; see ``lookup(_:vector:)``.
    /// `mark` fences the write as ``store(_:for:unlessInvalidatedSince:)`` does.
    @discardableResult
    public func store(
        _ entry: CacheEntry, for query: CacheQuery, vector: [Float], mark: InvalidationMark? = nil
    ) async throws -> StoreOutcome {
        let vector = try normalizedEmbedding(vector, dimensions: embedder.dimensions)
        guard namespace.accepts(mark) else { return .skipped }
        let now = clock.now
        guard let ttl = RedisTTL(remainingOf: entry, at: now) else { return .skipped }
        var entry = entry
        if let text = query.semanticText { entry.sourceText = text }
        let frame = try configuration.codec.encode(entry: entry)
        guard frame.count <= configuration.maximumValueBytes else {
            oversized.add(1, ordering: .relaxed)
            logger.warning(
                "not storing an entry above the size limit",
                metadata: ["bytes": "\(frame.count)", "limit": "\(configuration.maximumValueBytes)"])
            return .skipped
        }
        let (backend, index) = try await resolvedIndex()
        let container = container(for: query, backend: backend)
        let stored = try await index.store(
            IndexedEntry(
                key: query.key, container: container, vector: vector,
                frame: SlidingFrame.wrap(frame, for: entry), ttl: ttl.milliseconds,
                expiresAt: ttl.milliseconds == 0 ? nil : entry.expiresAt?.millisecondsSince1970, tags: entry.tags,
                fence: StoreFence(
                    group: keyspace.group(ofContainer: container.id), tags: entry.tags,
                    version: query.namespaceVersion, mark: mark)))
        await sweepIfDue(at: now)
        return stored ? .stored : .invalidatedMeanwhile
    }

    @discardableResult
    public func invalidate(tags: Set<String>) async throws -> Int {
        try await namespace.invalidate(tags: tags)
    }

    /// Removes every entry of the namespace (exact ones too: they share it).
    public func removeAll() async throws {
        try await namespace.removeAllEntries()
    }

    /// Nothing to do: containers are per version, so older vectors are never
    /// searched again and age out with their answers.
    public func namespaceVersionDidChange(to version: UInt64) async {}

    /// Removes up to `limit` vectors whose answers have expired; returns how
    /// many. Stores call it every ``Configuration/sweepInterval``.
    /// On a cluster it visits each ``RedisKeyGroup``'s expiry index in turn.
    @discardableResult
    public func sweep(limit: Int = 1000) async throws -> Int {
        let now = clock.now.millisecondsSince1970
        var removed = 0
        for group in keyspace.groups where removed < limit {
            let due = try await client.execute(.zrangeByScore(group.semanticExpiryKey, upTo: now, limit: max(1, limit - removed)))
            let records = due.compactMap { IndexRecord($0, keyspace: keyspace) }
            // Removed only if still due: a sliding hit may have moved one since it was read.
            removed += try await client.drop(records, keyspace: keyspace, dueAt: now)
        }
        return removed
    }

    /// The backend in use, asking the server which it offers if the
    /// configuration says `.auto`.
    ///
    /// - Throws: ``RedisError`` if the server cannot be reached or lacks a
    ///   backend the configuration forces.
    @discardableResult
    public func resolveBackend() async throws -> Backend {
        try await resolvedIndex().backend
    }

    private func encoding(of text: String, in query: CacheQuery) async throws -> TextEncoding {
        try await query.embeddings.encoding(of: text, using: embedder, timeout: configuration.embeddingTimeout)
    }

    private func decode(_ candidate: SemanticCandidate) async throws -> CacheEntry? {
        do {
            return try SlidingFrame.decode(candidate.frame, with: configuration.codec)
        } catch {
            corrupt.add(1, ordering: .relaxed)
            logger.warning(
                "removing an undecodable semantic entry",
                metadata: ["key": "\(String(decoding: candidate.answerKey, as: UTF8.self))", "error": "\(error)"])
            if let record = candidate.record {
                try await client.drop([record], keyspace: keyspace)
            } else {
                try await client.execute(.unlink([candidate.answerKey]))
            }
            return nil
        }
    }

    /// Moves a sliding entry's expiry in Redis (`entry` as the hit left it):
    /// the answer's TTL and stored expiry, the vector's expiry record, and
    /// its tag sets' lifetime. Nothing for a fixed entry.
    private func touch(_ candidate: SemanticCandidate, of entry: CacheEntry) async throws {
        guard case .sliding(let ttl) = entry.expiration, let expiresAt = entry.expiresAt else { return }
        let milliseconds = RedisTTL.milliseconds(ttl).redisBytes
        let group = keyspace.group(containing: candidate.answerKey)
        let tagSets = entry.tags.sorted().map(group.tagKey)
        let expiry = SlidingFrame.expiryBytes(expiresAt)
        if let record = candidate.record {
            _ = try await client.run(
                RedisScripts.touchRecord, keys: [candidate.answerKey, group.semanticExpiryKey] + tagSets,
                arguments: [milliseconds, record.bytes, expiresAt.millisecondsSince1970.redisBytes, expiry])
        } else {
            var stored = candidate.frame
            guard stored.count >= SlidingFrame.headerSize, stored[0] == SlidingFrame.marker else { return }
            stored.replaceSubrange(SlidingFrame.expiryOffset..<SlidingFrame.headerSize, with: expiry)
            _ = try await client.run(
                RedisScripts.touchDocument, keys: [candidate.answerKey] + tagSets, arguments: [milliseconds, stored])
        }
    }

    /// Sweeps if the interval has passed; a failed sweep is logged, never
    /// reported as a failed store.
    private func sweepIfDue(at now: CacheTime) async {
        let last = lastSweep.load(ordering: .relaxed)
        let due = CacheTime(millisecondsSince1970: last).advanced(by: configuration.sweepInterval)
        guard now >= due,
            lastSweep.compareExchange(expected: last, desired: now.millisecondsSince1970, ordering: .relaxed).exchanged
        else { return }
        do {
            let removed = try await sweep()
            if removed > 0 { logger.debug("swept expired semantic vectors", metadata: ["count": "\(removed)"]) }
        } catch {
            logger.warning("sweeping expired semantic vectors failed", metadata: ["error": "\(error)"])
        }
    }

    /// The vectors `query` may match: its scope, in its namespace version, of
    /// this embedder, in this backend's layout.
    func container(for query: CacheQuery, backend: Backend) -> SemanticContainer {
        container(scope: query.scope, version: query.namespaceVersion, backend: backend)
    }

    private func container(scope: CacheKey, version: UInt64, backend: Backend) -> SemanticContainer {
        var layout = "\(backend)"
        switch backend {
        // A set's quantization and links are fixed at its first VADD.
        case .vectorSet: layout += ":\(configuration.vectorSet.quantization.rawValue):M\(configuration.vectorSet.links)"
        case .lsh: layout += ":\(configuration.lsh.planes)"
        case .search, .auto: break
        }
        var bytes = scope.bytes
        bytes += Array("\u{0}v\(version)\u{0}\(embedder.identifier)\u{0}\(embedder.dimensions)\u{0}\(layout)".utf8)
        let digest = CacheKey(bytes: Array(SHA256.hash(data: bytes)))!.hex
        return SemanticContainer(id: String(digest.prefix(32)), version: version)
    }
}
