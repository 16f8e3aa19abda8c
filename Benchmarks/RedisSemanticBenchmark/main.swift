// RedisSemanticTier figures on each backend's server: lookup latency given a
// precomputed 384-dim vector at 10k and 50k stored entries, top-1 agreement
// with brute force, store throughput with 8 writers, and the same search
// through the bare server command (VSIM / FT.SEARCH) for the tier's overhead,
// and lookup latency while 8 writers store 1,000 more entries
// (`--stores-during-lookups N`).
//
// Stored vectors are random unit vectors (the hardest case for a graph
// index: no clusters); each query is a stored vector moved to a cosine
// similarity between 0.80 and 0.95, as a paraphrase is. `--ef N` overrides
// the search exploration factor of the vector-set and RediSearch backends.
// `--redisvl` also times redisvl's `SemanticCache.check` on the same vectors
// and server as RediSearch (scripts/redisvl.sh installs it) and reports how
// many times faster each backend is. `--real-text` replaces the random
// vectors by MiniLM embeddings of real questions (../shared/data/pairs/
// qqp-train.jsonl, about 100k distinct questions, or `--pairs FILE`),
// embedded once and kept under .cache/embeddings/: the first N questions of
// a fixed shuffle are stored, and the other sides of duplicate pairs whose
// question is among them are the queries. `--links M` and `--build-ef N`
// set the graph of both graph backends. Each size also reports the server's
// memory per stored entry (`INFO memory` before and after storing, and
// `MEMORY USAGE` by kind of key), the bare search command's latency under
// the same write load, and the server's own `VADD … CAS` rate into the same
// graph (8 and 1 in flight), the bound on the tier's stores. With
// `--real-text --end-to-end` it also times semantic hits text in, answer
// out: the native MiniLM's embedding plus the lookup.
//
//   scripts/bench.sh RedisSemanticBenchmark [--runs 5] [--sizes 10000,50000]
//       [--queries 500] [--backends vectorSet,search,lsh] [--redisvl]
//       [--real-text [--pairs FILE] [--end-to-end]] [--links M] [--build-ef N]
//       [--concurrent-inserts N] [--answer-bytes 2048] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheEmbeddings
import LLMCacheRedis

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let queryCount = Int(BenchmarkReport.argument("queries") ?? "") ?? 500
let backends = (BenchmarkReport.argument("backends") ?? "vectorSet,search,lsh").split(separator: ",")
    .compactMap { RedisSemanticTier.Backend(rawValue: String($0)) }
let dimensions = 384
let writers = 8
/// Entries stored by the writers while lookups are timed, after the main measurements.
let storesDuringLookups = Int(BenchmarkReport.argument("stores-during-lookups") ?? "") ?? 1000

func serverURL(for backend: RedisSemanticTier.Backend) -> String {
    let variable = switch backend {
    case .search: "LLMCACHE_REDIS8_SEARCH_URL"
    case .lsh: "LLMCACHE_REDIS7_URL"
    case .vectorSet, .auto: "LLMCACHE_REDIS8_URL"
    }
    guard let url = ProcessInfo.processInfo.environment[variable] else {
        FileHandle.standardError.write(Data("set \(variable) (scripts/bench.sh starts the servers)\n".utf8))
        exit(2)
    }
    return url
}

let vectors = PrecomputedVectors(dimensions: dimensions)
/// The MiniLM files `scripts/model.sh` fetched (or `LLMCACHE_MINILM_PATH`).
let modelFolder = ProcessInfo.processInfo.environment[MiniLMEmbedder.modelPathVariable]
    ?? FileManager.default.currentDirectoryPath + "/.cache/models/all-MiniLM-L6-v2"
let realText: RealTextVectors? = if CommandLine.arguments.contains("--real-text") {
    try await RealTextVectors.load(
        pairs: BenchmarkReport.argument("pairs") ?? "../shared/data/pairs/qqp-train.jsonl",
        modelFolder: modelFolder, cacheFolder: FileManager.default.currentDirectoryPath + "/.cache/embeddings")
} else {
    nil
}
/// Stored entries per measurement.
let sizes = (BenchmarkReport.argument("sizes") ?? "10000,50000").split(separator: ",").compactMap { Int($0) }
let links = BenchmarkReport.argument("links").flatMap(Int.init)
let buildExplorationFactor = BenchmarkReport.argument("build-ef").flatMap(Int.init)
let concurrentInserts = BenchmarkReport.argument("concurrent-inserts").flatMap(Int.init)

/// The vectors stored and the queries asked at `size` entries, and four
/// batches of new vectors stored once the lookups are timed (by the tier's
/// writers during tier lookups and during bare searches, then by bare
/// `VADD`s 8 and 1 at a time), so that each phase inserts vectors the graph
/// has not seen.
func dataset(size: Int) -> (stored: [[Float]], queries: [[Float]], extra: [[[Float]]]) {
    let (stored, queries, more): ([[Float]], [[Float]], [[Float]])
    if let realText {
        (stored, queries, more) = realText.dataset(size: size, queries: queryCount, extra: 4 * storesDuringLookups)
    } else {
        stored = vectors.storedVectors(size)
        (queries, more) = (vectors.paraphrases(of: stored, count: queryCount), vectors.storedVectors(4 * storesDuringLookups, seed: 99))
    }
    let batches = stride(from: 0, to: more.count, by: storesDuringLookups).map {
        Array(more[$0..<min(more.count, $0 + storesDuringLookups)])
    }
    return (stored, queries, batches)
}

/// The server's own microseconds per call of each command since the last
/// `CONFIG RESETSTAT` (`INFO commandstats`), by lower-case command name.
func serverMicrosecondsPerCall(_ client: RedisClient) async throws -> [String: Double] {
    var figures: [String: Double] = [:]
    for line in try await client.execute(.info("commandstats")).split(whereSeparator: \.isNewline) {
        // cmdstat_vadd:calls=10000,usec=123,usec_per_call=12.30,…
        guard line.hasPrefix("cmdstat_"), let colon = line.firstIndex(of: ":") else { continue }
        let name = line[line.index(line.startIndex, offsetBy: 8)..<colon]
        let fields = line[line.index(after: colon)...].split(separator: ",")
        if let perCall = fields.first(where: { $0.hasPrefix("usec_per_call=") }).flatMap({ Double($0.dropFirst(14)) }) {
            figures[name.lowercased()] = perCall
        }
    }
    return figures
}

/// The server's `used_memory`.
func usedMemory(_ client: RedisClient) async throws -> Int {
    let info = try await client.execute(.info("memory"))
    let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") } ?? ""
    return Int(line.dropFirst("used_memory:".count)) ?? 0
}

/// The index of the stored vector nearest to each query, by exhaustive search.
func bruteForceNearest(_ queries: [[Float]], in stored: [[Float]]) -> [Int] {
    let matrix = stored.flatMap { $0 }
    return matrix.withUnsafeBufferPointer { matrix in
        queries.map { query in
            query.withUnsafeBufferPointer { query in
                var best = (index: -1, score: -Float.infinity)
                for row in stored.indices {
                    let score = dotProduct(query.baseAddress!, matrix.baseAddress! + row * dimensions, count: dimensions)
                    if score > best.score { best = (row, score) }
                }
                return best.index
            }
        }
    }
}

/// Progress on stderr, so that `--json` output stays one object on stdout.
func progress(_ message: String) {
    FileHandle.standardError.write(Data("[\(Date())] \(message)\n".utf8))
}

/// Each stored answer: English prose of `--answer-bytes` (2 KB), as a chat answer is.
let answer = Array(BenchmarkPayload.prose(bytes: Int(BenchmarkReport.argument("answer-bytes") ?? "") ?? 2048).utf8)
let explorationFactor = BenchmarkReport.argument("ef").flatMap(Int.init)
let compareWithRedisvl = CommandLine.arguments.contains("--redisvl")
/// Each backend's lookup p50 per size, for the comparison with redisvl.
var lookupMedians: [(backend: RedisSemanticTier.Backend, size: Int, p50: Double)] = []

var report = BenchmarkReport(name: "redis-semantic-tier")
report.add("runs", runs)
report.add("dimensions", dimensions)
report.add("queries", queryCount)
report.add("vectors", realText == nil ? "random unit vectors" : "MiniLM embeddings of real questions")
if let links { report.add("links", links) }
if let buildExplorationFactor { report.add("build_ef", buildExplorationFactor) }
if let concurrentInserts { report.add("concurrent_inserts", concurrentInserts) }
for backend in backends {
    var backendReport = BenchmarkReport(name: backend.rawValue)
    // Generous timeout: dropping a 50k-element vector set at the end takes a while.
    var clientConfiguration = try RedisConfiguration(url: serverURL(for: backend))
    clientConfiguration.commandTimeout = .seconds(60)
    let client = RedisClient(configuration: clientConfiguration)
    for size in sizes {
        let (stored, queries, extra) = dataset(size: size)
        let truth = bruteForceNearest(queries, in: stored)
        // A namespace of 12 characters, as an application's would be: its
        // name is part of each entry's key and index records, so of the
        // memory per entry (about 2 bytes per character).
        let namespace = try await RedisNamespace(name: ThrowawayNamespace.uniqueName("sem"), client: client)
        var configuration = RedisSemanticTier.Configuration(threshold: -1, backend: backend)
        configuration.matchGuard = nil
        configuration.candidates = 1
        if let explorationFactor {
            configuration.vectorSet.searchExplorationFactor = explorationFactor
            configuration.search.searchExplorationFactor = explorationFactor
        }
        if let links {
            configuration.vectorSet.links = links
            configuration.search.links = links
        }
        if let concurrentInserts { configuration.vectorSet.concurrentInserts = concurrentInserts }
        if let buildExplorationFactor {
            configuration.vectorSet.buildExplorationFactor = buildExplorationFactor
            configuration.search.buildExplorationFactor = buildExplorationFactor
        }
        let tier = try RedisSemanticTier(namespace: namespace, embedder: vectors, configuration: configuration)
        try await tier.resolveBackend()

        progress("\(backend), \(size) entries: storing with \(writers) writers")
        let memoryBefore = try await usedMemory(client)
        try await client.execute(RedisCommand("CONFIG", "RESETSTAT"))
        let storesPerSecond = try await storeConcurrently(stored, in: tier, writers: writers, answer: answer)
        let storeCommands = try await serverMicrosecondsPerCall(client)

        // RediSearch moves new vectors into its HNSW graph on background
        // threads (minutes for 50k on two cores); measure the settled index,
        // as a long-running cache sees it.
        if backend == .search {
            let waited = try await waitForBackgroundIndexing(client: client, namespace: namespace.keyspace.namespace)
            progress("search, \(size) entries: background indexing done after \(Int(waited)) s")
        }
        progress("\(backend), \(size) entries: \(runs) runs of \(queryCount) lookups")
        var p50s: [Double] = []
        var p99s: [Double] = []
        var agreement = 0.0
        for _ in 0..<runs {
            let run = try await timeLookups(tier, queries: queries, truth: truth)
            p50s.append(run.latencies.value(at: 0.5))
            p99s.append(run.latencies.value(at: 0.99))
            agreement = run.agreement
        }

        var sizeReport = BenchmarkReport(name: "\(size)")
        sizeReport.add("queries", queries.count)
        sizeReport.add("memory_bytes_per_entry", Double(try await usedMemory(client) - memoryBefore) / Double(stored.count))
        for (part, perEntry) in try await memoryBreakdown(
            client: client, keyspace: namespace.keyspace, entries: stored.count
        ).sorted(by: { $0.key < $1.key }) {
            sizeReport.add("memory_usage_\(part)_bytes_per_entry", perEntry)
        }
        sizeReport.add("lookup_p50_us", median(p50s))
        lookupMedians.append((backend, size, median(p50s)))
        sizeReport.add("lookup_p99_us", median(p99s))
        sizeReport.add("top1_agreement", agreement)
        sizeReport.add("stores_per_second_8_writers", storesPerSecond)
        // What the server spends per call while the writers store: the graph
        // insert (VADD; RediSearch indexes in the background) and the scripts.
        for (command, perCall) in storeCommands.sorted(by: { $0.key < $1.key }) where ["vadd", "evalsha", "hset"].contains(command) {
            sizeReport.add("server_us_per_\(command)_while_storing", perCall)
        }
        let bareSearch = try await bareSearchCommand(
            backend, client: client, namespace: namespace.keyspace.namespace, configuration: configuration)
        if let bareSearch {
            sizeReport.add("bare_command_p50_us", try await bareCommandLatency(bareSearch, queries: queries, client: client))
        }
        progress("\(backend), \(size) entries: lookups while \(writers) writers store \(storesDuringLookups) more")
        let during = try await lookupsDuringStores(
            { index, query in _ = try await tier.lookup(CacheQuery(request: "during \(index)"), vector: query) },
            queries: queries, extra: extra[0], firstIndex: size, in: tier, writers: writers, answer: answer)
        sizeReport.add("lookup_during_stores_p50_us", during.value(at: 0.5))
        sizeReport.add("lookup_during_stores_p99_us", during.value(at: 0.99))
        // The same write load under the bare search command: how much of the
        // tail is the server's own (its inserts and searches share its cores).
        if let bareSearch {
            progress("\(backend), \(size) entries: bare searches while \(writers) writers store \(storesDuringLookups) more")
            let bareDuring = try await lookupsDuringStores(
                { _, query in _ = try await client.execute(bareSearch(float32Bytes(query))) }, queries: queries,
                extra: extra[1], firstIndex: size + extra[0].count, in: tier, writers: writers, answer: answer)
            sizeReport.add("bare_command_during_stores_p50_us", bareDuring.value(at: 0.5))
            sizeReport.add("bare_command_during_stores_p99_us", bareDuring.value(at: 0.99))
        }
        // The server's own insert rate into the same graph, in the same run:
        // the bound on the tier's stores (vector sets; RediSearch inserts
        // inside HSET, whose server time is reported above).
        if backend == .vectorSet, let setKey = try await vectorSetKey(client: client, namespace: namespace.keyspace.namespace) {
            for (inFlight, batch) in [(writers, extra[2]), (1, extra[3])] {
                progress("\(backend), \(size) entries: bare VADD … CAS, \(inFlight) in flight")
                let rate = try await bareInsertRate(
                    batch, into: setKey, tag: "bare\(inFlight)-", client: client, inFlight: inFlight,
                    settings: configuration.vectorSet)
                sizeReport.add("bare_vadd_per_second_\(inFlight)_in_flight", rate)
            }
        }
        backendReport.add("entries_\(size)", sizeReport)
        try await ThrowawayNamespace.delete(namespace, client: client)
        await namespace.shutdown()
    }
    await client.shutdown()
    report.add(backend.rawValue, backendReport)
}
if let realText, CommandLine.arguments.contains("--end-to-end") {
    progress("end to end: storing 2,000 questions as text, then \(runs) runs of paraphrases")
    let client = RedisClient(configuration: try RedisConfiguration(url: serverURL(for: .vectorSet)))
    let figures = try await endToEndHitLatency(
        texts: realText, modelFolder: modelFolder, size: 2000, queries: queryCount, runs: runs, client: client,
        answer: answer)
    await client.shutdown()
    var endToEnd = BenchmarkReport(name: "end_to_end")
    endToEnd.add("hit_p50_us", figures.p50)
    endToEnd.add("hit_p99_us", figures.p99)
    endToEnd.add("embedding_p50_us", figures.embedding)
    report.add("end_to_end_vectorSet_2000", endToEnd)
}
if compareWithRedisvl {
    var redisvlReport = BenchmarkReport(name: "redisvl")
    for size in sizes {
        progress("redisvl, \(size) entries: storing, then \(runs) runs of \(queryCount) checks")
        let (stored, queries, _) = dataset(size: size)
        let figures = try RedisvlFigures.measure(url: serverURL(for: .search), stored: stored, queries: queries, runs: runs)
        var sizeReport = BenchmarkReport(name: "\(size)")
        sizeReport.add("lookup_p50_us", figures.lookupP50Microseconds)
        sizeReport.add("top1_agreement", figures.topOneAgreement)
        sizeReport.add("stores_per_second", figures.storesPerSecond)
        for measured in lookupMedians where measured.size == size {
            sizeReport.add("\(measured.backend.rawValue)_times_faster", figures.lookupP50Microseconds / measured.p50)
        }
        redisvlReport.add("entries_\(size)", sizeReport)
    }
    report.add("redisvl", redisvlReport)
}
report.emit()

/// One pass over `queries`: each lookup's latency, and how often the hit is
/// brute force's nearest neighbour. A function rather than top-level code:
/// there, each call would hop to the main actor and back, and be timed with it.
func timeLookups(
    _ tier: RedisSemanticTier, queries: [[Float]], truth: [Int]
) async throws -> (latencies: Percentiles, agreement: Double) {
    var samples: [Double] = []
    var agreed = 0
    for (index, query) in queries.enumerated() {
        let start = ContinuousClock.now
        let hit = try await tier.lookup(CacheQuery(request: "query \(index)"), vector: query)
        samples.append(microseconds(since: start))
        if hit?.entry.sourceText == "stored \(truth[index])" { agreed += 1 }
    }
    return (Percentiles(samples), Double(agreed) / Double(queries.count))
}

/// The RediSearch index the tier created for `namespace`, if any.
func searchIndexName(client: RedisClient, namespace: String) async throws -> String? {
    try await client.execute(RedisCommand("FT._LIST")).array?.compactMap(\.string)
        .first { $0.hasPrefix("llmcache:\(namespace):") }
}

/// Waits until RediSearch has moved every vector of the namespace's index
/// from its flat buffer into the HNSW graph; returns the seconds waited.
func waitForBackgroundIndexing(client: RedisClient, namespace: String) async throws -> Double {
    let start = ContinuousClock.now
    guard let index = try await searchIndexName(client: client, namespace: namespace) else { return 0 }
    while ContinuousClock.now - start < .seconds(1800) {
        let reply = try await client.execute(RedisCommand("FT.DEBUG", "VECSIM_INFO", index, "vec"))
        // A tree of name/value pairs; FRONTEND_INDEX's INDEX_SIZE counts the flat buffer.
        func flattened(_ value: RedisValue) -> [RedisValue] { value.array.map { $0.flatMap(flattened) } ?? [value] }
        let fields = flattened(reply)
        func value(after name: String, from start: Int = 0) -> Int64? {
            fields[start...].firstIndex { $0.string == name }.flatMap { fields.indices.contains($0 + 1) ? fields[$0 + 1].int : nil }
        }
        let indexing = value(after: "BACKGROUND_INDEXING") ?? 0
        let buffered = fields.firstIndex { $0.string == "FRONTEND_INDEX" }.flatMap { value(after: "INDEX_SIZE", from: $0) } ?? 0
        if indexing == 0 && buffered == 0 { break }
        try await Task.sleep(for: .seconds(1))
    }
    return microseconds(since: start) / 1e6
}

/// The tier's vector set for `namespace` (the benchmark stores into one scope).
func vectorSetKey(client: RedisClient, namespace: String) async throws -> String? {
    let scan = try await client.execute(RedisCommand("SCAN", 0, "MATCH", "llmcache:\(namespace):v0:vs:*", "COUNT", 100_000))
    return scan.array?.last?.array?.first?.string
}

/// The search alone as a bare command sent by the same client: `VSIM` on
/// the tier's vector set or `FT.SEARCH` on its index (with the batches
/// policy the tier uses for a scope holding the whole index).
func bareSearchCommand(
    _ backend: RedisSemanticTier.Backend, client: RedisClient, namespace: String,
    configuration: RedisSemanticTier.Configuration
) async throws -> (@Sendable ([UInt8]) -> RedisCommand)? {
    let prefix = "llmcache:\(namespace):"
    switch backend {
    case .vectorSet:
        guard let key = try await vectorSetKey(client: client, namespace: namespace) else { return nil }
        let ef = configuration.vectorSet.searchExplorationFactor
        return { RedisCommand("VSIM", key, "FP32", $0, "WITHSCORES", "COUNT", 1, "EF", ef) }
    case .search:
        guard let index = try await searchIndexName(client: client, namespace: namespace) else { return nil }
        let scan = try await client.execute(RedisCommand("SCAN", 0, "MATCH", prefix + "doc:*", "COUNT", 1000))
        guard let document = scan.array?.last?.array?.first?.string,
            let container = try await client.execute(RedisCommand("HGET", document, "c")).string
        else { return nil }
        let ef = configuration.search.searchExplorationFactor
        return {
            RedisCommand(
                "FT.SEARCH", index, "@c:{\(container)}=>[KNN 1 @vec $vector EF_RUNTIME \(ef) HYBRID_POLICY BATCHES AS distance]",
                "PARAMS", 2, "vector",
                $0, "RETURN", 1, "distance", "DIALECT", 2)
        }
    case .lsh, .auto:
        return nil
    }
}

/// The median latency of the bare search command over `runs` passes.
func bareCommandLatency(
    _ command: ([UInt8]) -> RedisCommand, queries: [[Float]], client: RedisClient
) async throws -> Double {
    var p50s: [Double] = []
    for _ in 0..<runs {
        var samples: [Double] = []
        for query in queries {
            let blob = float32Bytes(query)
            let start = ContinuousClock.now
            _ = try await client.execute(command(blob))
            samples.append(microseconds(since: start))
        }
        p50s.append(Percentiles(samples).median)
    }
    return median(p50s)
}
