import LLMCache

extension RedisSemanticTier {
    /// Which Redis structure holds the vectors.
    public enum Backend: String, Sendable, Hashable, CustomStringConvertible {
        /// Vector sets if the server has them, else RediSearch, else LSH.
        case auto
        /// Redis 8 vector sets (`VADD` / `VSIM`).
        case vectorSet
        /// RediSearch or Valkey-search (`FT.CREATE … HNSW`, `FT.SEARCH … KNN`).
        case search
        /// Locality-sensitive hashing in plain hashes: any Redis or Valkey.
        case lsh

        public var description: String { rawValue }
    }

    /// How vector sets store vectors.
    public enum Quantization: String, Sendable, Hashable {
        /// 8-bit components: a quarter of the memory, scores within about 0.01.
        case int8 = "Q8"
        /// Full float32 components.
        case none = "NOQUANT"
    }

    /// Settings of the vector-set backend.
    ///
    /// The defaults (M 32, build EF 100, search EF 48) were chosen on MiniLM
    /// embeddings of real questions and checked on random vectors, the worst
    /// case for a graph: the true nearest neighbour of 100% of paraphrase
    /// queries at 10k and 100k real questions, 99.8% at 50k, and 99.2–99.4%
    /// of 500 paraphrase queries among 50k random 384-dim vectors (graphs
    /// built by 8 writers). Links cost every entry memory (about
    /// 19 bytes per link: M 48 took 300 bytes more per entry than M 32) and
    /// the server insert time on its main thread, which is what bounds
    /// stores; search effort costs only lookups. M 16 is cheaper still and
    /// enough for text, but found only 65–80% of the random vectors'
    /// neighbours at 50k.
    public struct VectorSetSettings: Sendable, Hashable {
        public var quantization: Quantization = .int8
        /// HNSW links per node (`VADD … M`). Fixed when a set is created, so
        /// it is part of the set's name: another value starts other sets.
        public var links: Int = 32
        /// Candidates explored while inserting (`VADD … EF`). The server
        /// links each new node on its main thread, weighing these candidates:
        /// 100 instead of 200 stored 1.3× as fast at 10k real questions and
        /// 1.6× at 50k random vectors, with the same agreement.
        public var buildExplorationFactor: Int = 100
        /// Candidates explored per search (`VSIM … EF`): higher finds the true
        /// nearest neighbour more often, at some latency.
        public var searchExplorationFactor: Int = 48
        /// Graph inserts (`VADD`) this tier has in flight at once; further
        /// stores wait their turn, so that a burst of writes leaves the
        /// server's cores to lookups. 0: no limit. With 1 (at M 48), lookups
        /// at 10k real questions took 1.5 ms p50 while 8 writers stored,
        /// against 5.0–5.7 ms without a limit; the writers stored 408
        /// entries/s instead of 630 (the server's insert work is the bound
        /// either way: at M 32 the tier stores 935/s where bare `VADD`s, 8 at
        /// a time, reach 965/s).
        public var concurrentInserts: Int = 1

        public init(
            quantization: Quantization = .int8, links: Int = 32, buildExplorationFactor: Int = 100,
            searchExplorationFactor: Int = 48, concurrentInserts: Int = 1
        ) {
            self.quantization = quantization
            self.links = links
            self.buildExplorationFactor = buildExplorationFactor
            self.searchExplorationFactor = searchExplorationFactor
            self.concurrentInserts = concurrentInserts
        }
    }

    /// Settings of the RediSearch backend's HNSW index.
    ///
    /// RediSearch's own defaults (M 16, `EF_RUNTIME` 10) find the true nearest
    /// neighbour of only about half the paraphrase queries among 50k random
    /// 384-dim vectors. As with vector sets, links pay off more than search
    /// effort: at about the same time per query, M 48 with `EF_RUNTIME` 30
    /// finds 99.7% where M 32 with 40 finds 98.0% (M 48: 20 → 99.2%,
    /// 40 → 100%). Insert effort costs the server's main thread on every
    /// store (RediSearch indexes inside `HSET`): `EF_CONSTRUCTION` 100
    /// instead of 200 stores 1.6× as fast (4,413 against 2,785 stores/s at
    /// 10k real questions) and keeps agreement at 100% there, and `EF_RUNTIME`
    /// 40 makes up for it on random vectors (99.0% at 50k with 30).
    public struct SearchSettings: Sendable, Hashable {
        /// HNSW links per node (`M`). Fixed when the index is created: an
        /// existing index keeps the value it was created with.
        public var links: Int = 48
        /// `EF_CONSTRUCTION`; fixed when the index is created.
        public var buildExplorationFactor: Int = 100
        /// `EF_RUNTIME` per query.
        public var searchExplorationFactor: Int = 40

        public init(links: Int = 48, buildExplorationFactor: Int = 100, searchExplorationFactor: Int = 40) {
            self.links = links
            self.buildExplorationFactor = buildExplorationFactor
            self.searchExplorationFactor = searchExplorationFactor
        }
    }

    /// Settings of the LSH backend.
    ///
    /// With `planes` hyperplanes a scope is cut into 2^planes buckets; a
    /// lookup reads `probes` of them. Fewer planes or more probes: higher
    /// recall, more vectors read per lookup. At the defaults (10 planes, 64
    /// probes) a lookup reads about 6% of a scope's vectors and finds a
    /// neighbour at cosine 0.9 about 96% of the time; add a plane each time a
    /// scope's entry count doubles beyond ~10k to keep lookups cheap.
    public struct LSHSettings: Sendable, Hashable {
        public var planes: Int = 10
        public var probes: Int = 64

        public init(planes: Int = 10, probes: Int = 64) {
            self.planes = planes
            self.probes = probes
        }
    }

    /// Matching, backend and limits of a ``RedisSemanticTier``.
    public struct Configuration: Sendable {
        /// The lowest cosine similarity (in [-1, 1], higher is closer) a
        /// candidate needs before the guard is asked. The default,
        /// ``LearnedVerifier/defaultThreshold`` (0.90), is meant for the
        /// shipped verifier; without a guard, choose one with `llmcache
        /// calibrate` (see README).
        public var threshold: Float = LearnedVerifier.defaultThreshold
        public var backend: Backend = .auto
        /// Neighbours fetched per lookup, so that when the guard vetoes the
        /// nearest one the next may still serve.
        public var candidates: Int = 3
        /// Decides whether a candidate above the threshold may be served
        /// (``LearnedVerifier`` by default); `nil` trusts the vectors.
        public var matchGuard: (any SemanticGuard)? = LearnedVerifier()
        /// How long a lookup or store waits for the embedder before giving up.
        public var embeddingTimeout: Duration? = .seconds(5)
        /// Entries whose frame is larger are not stored (and logged).
        public var maximumValueBytes: Int = 8 << 20
        public var codec = PayloadCodec()
        public var vectorSet = VectorSetSettings()
        public var search = SearchSettings()
        public var lsh = LSHSettings()
        /// How often stores also remove vectors whose answers expired
        /// (vector-set and LSH backends; RediSearch drops expired documents itself).
        public var sweepInterval: Duration = .seconds(60)

        public init(threshold: Float = LearnedVerifier.defaultThreshold, backend: Backend = .auto) {
            self.threshold = threshold
            self.backend = backend
        }
    }
}
