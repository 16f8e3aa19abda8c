// What the semantic verifier costs: LearnedVerifier time per candidate (token
// alignment + lexical features + the model), the bytes its token vectors add
// to a stored entry (raw and inside a compressed frame), and a
// MemorySemanticTier lookup's p50 with the verifier against the same tier with
// the number-and-negation rules and with no guard, and the same lookups
// through a stack with the semantic feedback's default gate and with an
// error budget. Texts are the first
// --pairs pairs of ../shared/data/pairs/qqp-dev.jsonl: their "a" sides
// stored, their "b" sides looked up (embeddings computed before timing).
//
//   scripts/bench.sh VerifierBenchmark [--runs 5] [--pairs 1000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheEmbeddings

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let pairCount = Int(BenchmarkReport.argument("pairs") ?? "") ?? 1000
let pairsFile = BenchmarkReport.argument("file") ?? "../shared/data/pairs/qqp-dev.jsonl"
let folder = ProcessInfo.processInfo.environment[MiniLMEmbedder.modelPathVariable]
    ?? FileManager.default.currentDirectoryPath + "/.cache/models/all-MiniLM-L6-v2"

let lines = try String(contentsOfFile: pairsFile, encoding: .utf8).split(separator: "\n").prefix(pairCount)
let pairs: [(a: String, b: String)] = lines.compactMap { line in
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let a = object["a"] as? String, let b = object["b"] as? String
    else { return nil }
    return (a, b)
}
let embedder = CachingEmbedder(try MiniLMEmbedder(modelFolder: URL(fileURLWithPath: folder)), capacity: 4 * pairs.count)
let stored = try await embedder.encode(pairs.map(\.a))
let asked = try await embedder.encode(pairs.map(\.b))
let comparisons = pairs.indices.map { index in
    SemanticComparison(
        query: pairs[index].b, candidate: pairs[index].a,
        similarity: zip(stored[index].vector, asked[index].vector).reduce(0) { $0 + $1.0 * $1.1 },
        queryTokens: asked[index].tokens, candidateTokens: stored[index].tokens)
}

/// Microseconds per `decide` over every comparison, one run.
func verifierMicroseconds(_ verifier: LearnedVerifier, lexicalOnly: Bool) -> Double {
    var served = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for var comparison in comparisons {
        if lexicalOnly { (comparison.queryTokens, comparison.candidateTokens) = (nil, nil) }
        if verifier.decide(comparison) { served += 1 }
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
    precondition(served <= comparisons.count)
    return elapsed / Double(comparisons.count)
}

/// Bytes of a typical entry (this pair's question, a 600-byte answer) with
/// and without its token vectors, raw and as a stored frame.
let codec = PayloadCodec()
var rawWith = 0.0, rawWithout = 0.0, frameWith = 0.0, frameWithout = 0.0, tokensPerEntry = 0.0
let answer = Array(String(repeating: "A cached answer of ordinary prose. ", count: 17).utf8)
for (index, encoding) in stored.enumerated() {
    var entry = CacheEntry(value: answer, createdAt: SystemCacheClock().now, sourceText: pairs[index].a)
    rawWithout += Double(entry.serialized().count)
    frameWithout += Double(try codec.encode(entry: entry).count)
    entry.sourceTokens = encoding.tokens
    rawWith += Double(entry.serialized().count)
    frameWith += Double(try codec.encode(entry: entry).count)
    tokensPerEntry += Double(encoding.tokens?.count ?? 0)
}
let count = Double(stored.count)

/// p50 of lookups (b sides) in a tier holding the a sides, in microseconds.
func lookupP50(_ matchGuard: (any SemanticGuard)?) async throws -> (p50: Double, hits: Int) {
    let tier = MemorySemanticTier(
        embedder: embedder, configuration: .init(maxEntries: pairs.count + 1, matchGuard: matchGuard))
    for pair in pairs {
        try await tier.store(CacheEntry(value: answer, createdAt: SystemCacheClock().now), for: CacheQuery(request: pair.a))
    }
    var samples: [Double] = []
    var hits = 0
    for pair in pairs {
        let query = CacheQuery(request: pair.b)
        _ = try await query.embeddings.encoding(of: pair.b, using: embedder, timeout: nil)  // not timed
        let start = DispatchTime.now().uptimeNanoseconds
        if try await tier.lookup(query) != nil { hits += 1 }
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
    }
    return (Percentiles(samples).median, hits)
}

/// p50 of the same lookups through a stack (the semantic feedback's gate
/// included: an entry's observations read per hit, and with `budget` the
/// error budget's decision), in microseconds; answers are not stored.
func stackLookupP50(budget: Bool) async throws -> (p50: Double, hits: Int) {
    let tier = MemorySemanticTier(embedder: embedder, configuration: .init(maxEntries: pairs.count + 1))
    for pair in pairs {
        try await tier.store(CacheEntry(value: answer, createdAt: SystemCacheClock().now), for: CacheQuery(request: pair.a))
    }
    let observations = MemoryObservationStore()
    let elsewhere = CacheQuery(request: "elsewhere").entryReference
    for index in 0..<2000 {
        let score = Float(index % 1000) / 1000
        observations.record(MatchObservation(score: score, correct: score > 0.5 || index % 7 == 0), for: elsewhere)
    }
    let feedback = SemanticFeedback(
        errorBudget: budget ? ErrorBudget(maximumErrorRate: 0.05, seed: 1) : nil, observations: observations)
    let stack = CacheStack(tiers: [tier], configuration: .init(cacheabilityPolicy: nil, semanticFeedback: feedback))
    let text = String(decoding: answer, as: UTF8.self)
    var samples: [Double] = []
    var hits = 0
    for pair in pairs {
        _ = try await embedder.encode([pair.b])  // cached: not the figure
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try await stack.response(for: pair.b, options: CacheOptions(skipStore: true)) { _ in text }
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        if result.isCacheHit { hits += 1 }
    }
    return (Percentiles(samples).median, hits)
}

var perCandidate: [Double] = [], perCandidateLexical: [Double] = []
var stackDefault: [Double] = [], stackBudget: [Double] = []
var stackHits = (default: 0, budget: 0)
var verified: [Double] = [], rules: [Double] = [], unguarded: [Double] = []
var hits = (verified: 0, rules: 0, unguarded: 0)
for _ in 0..<runs {
    perCandidate.append(verifierMicroseconds(LearnedVerifier(), lexicalOnly: false))
    perCandidateLexical.append(verifierMicroseconds(LearnedVerifier(), lexicalOnly: true))
    let withVerifier = try await lookupP50(LearnedVerifier())
    let withRules = try await lookupP50(NumberAndNegationGuard())
    let without = try await lookupP50(nil)
    verified.append(withVerifier.p50)
    rules.append(withRules.p50)
    unguarded.append(without.p50)
    hits = (withVerifier.hits, withRules.hits, without.hits)
    let plain = try await stackLookupP50(budget: false)
    let budgeted = try await stackLookupP50(budget: true)
    stackDefault.append(plain.p50)
    stackBudget.append(budgeted.p50)
    stackHits = (plain.hits, budgeted.hits)
}

var report = BenchmarkReport(name: "verifier")
report.add("runs", runs)
report.add("pairs", pairs.count)
report.add("verifier_us_per_candidate", median(perCandidate))
report.add("verifier_lexical_us_per_candidate", median(perCandidateLexical))
report.add("content_tokens_per_entry", tokensPerEntry / count)
report.add("entry_bytes_without_tokens", rawWithout / count)
report.add("entry_bytes_with_tokens", rawWith / count)
report.add("frame_bytes_without_tokens", frameWithout / count)
report.add("frame_bytes_with_tokens", frameWith / count)
report.add("memory_lookup_p50_us_verifier", median(verified))
report.add("memory_lookup_p50_us_rules", median(rules))
report.add("memory_lookup_p50_us_no_guard", median(unguarded))
report.add("memory_lookup_hits_verifier", hits.verified)
report.add("memory_lookup_hits_rules", hits.rules)
report.add("memory_lookup_hits_no_guard", hits.unguarded)
report.add("stack_lookup_p50_us_feedback", median(stackDefault))
report.add("stack_lookup_p50_us_error_budget", median(stackBudget))
report.add("stack_lookup_hits_feedback", stackHits.default)
report.add("stack_lookup_hits_error_budget", stackHits.budget)
report.emit()
