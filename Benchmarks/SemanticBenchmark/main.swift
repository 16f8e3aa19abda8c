// MemorySemanticTier brute-force lookup over 10k stored 384-dim vectors.
//
//   swift run -c release SemanticBenchmark [--runs 5] [--entries 10000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheTesting

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let entries = Int(BenchmarkReport.argument("entries") ?? "") ?? 10_000
let queries = 1_000
let dimensions = 384

/// Serves vectors prepared in advance, so the figure is the tier's scan, not a model.
struct PreparedEmbedder: Embedder {
    let vectors: [String: [Float]]
    var dimensions: Int { 384 }
    var identifier: String { "prepared-384" }
    func embed(_ texts: [String]) async throws -> [[Float]] { texts.map { vectors[$0]! } }
}

func randomVector(_ random: inout SeededRandomNumberGenerator) -> [Float] {
    (0..<dimensions).map { _ in Float.random(in: -1...1, using: &random) }
}
var random = SeededRandomNumberGenerator(seed: 42)
var table: [String: [Float]] = [:]
for index in 0..<entries { table["stored \(index)"] = randomVector(&random) }
for index in 0..<queries { table["query \(index)"] = randomVector(&random) }
let embedder = PreparedEmbedder(vectors: table)

let clock = SystemCacheClock()
let tier = MemorySemanticTier(embedder: embedder, threshold: 0.99, maxEntries: entries)
for index in 0..<entries {
    let text = "stored \(index)"
    let entry = CacheEntry(value: Array("answer \(index)".utf8), createdAt: clock.now, expiresAt: clock.now.advanced(by: .seconds(3600)))
    try await tier.store(entry, for: CacheQuery(request: text))
}
precondition(tier.count == entries)

var p50s: [Double] = []
var p99s: [Double] = []
/// Microseconds per lookup of each query. A function rather than top-level
/// code: there, each call would hop to the main actor and back, and be timed with it.
func lookupLatencies() async throws -> [Double] {
    var samples: [Double] = []
    for index in 0..<queries {
        let query = CacheQuery(request: "query \(index)")
        _ = try await query.embeddings.embedding(of: "query \(index)", using: embedder)  // not part of the scan
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try await tier.lookup(query)
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
    }
    return samples
}

for _ in 0..<runs {
    let percentiles = Percentiles(try await lookupLatencies())
    p50s.append(percentiles.value(at: 0.5))
    p99s.append(percentiles.value(at: 0.99))
}

var report = BenchmarkReport(name: "memory-semantic-tier")
report.add("runs", runs)
report.add("entries", entries)
report.add("dimensions", dimensions)
report.add("lookup_p50_us", median(p50s))
report.add("lookup_p99_us", median(p99s))
report.emit()
