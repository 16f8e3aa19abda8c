// MiniLMEmbedder figures: model load time and resident memory, batch-1
// latency for a short question, and batch-32 throughput of short questions.
// Questions are real ones: the first sides of ../shared/data/pairs/qqp-dev.jsonl
// of at most 16 tokens.
//
//   scripts/bench.sh EmbedderBenchmark [--runs 5] [--threads 2] [--json]
import BenchmarkSupport
import Foundation
import LLMCacheEmbeddings

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let threads = Int(BenchmarkReport.argument("threads") ?? "") ?? 2
let pairsFile = BenchmarkReport.argument("pairs") ?? "../shared/data/pairs/qqp-dev.jsonl"
let folder = ProcessInfo.processInfo.environment[MiniLMEmbedder.modelPathVariable]
    ?? FileManager.default.currentDirectoryPath + "/.cache/models/all-MiniLM-L6-v2"

/// Resident memory of this process in MB, from /proc/self/status.
func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes / 1024
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let memoryBefore = residentMegabytes()
var loadTimes: [Double] = []
var embedder: MiniLMEmbedder?
for _ in 0..<runs {
    embedder = nil
    let start = ContinuousClock.now
    embedder = try MiniLMEmbedder(modelFolder: URL(fileURLWithPath: folder), configuration: .init(threads: threads))
    loadTimes.append(seconds(ContinuousClock.now - start) * 1000)
}
let model = embedder!
_ = try await model.embed(["warm up"])
let memoryAfter = residentMegabytes()

struct Pair: Decodable { let a: String }
let questions = try String(contentsOfFile: pairsFile, encoding: .utf8).split(separator: "\n")
    .map { try JSONDecoder().decode(Pair.self, from: Data($0.utf8)).a }
    .filter { model.tokenizer.encode($0).count <= 16 }
let tokens = questions.prefix(320).map { model.tokenizer.encode($0).count }

var batchOneP50: [Double] = []
var batchOneP99: [Double] = []
var throughput: [Double] = []
for _ in 0..<runs {
    var samples: [Double] = []
    for question in questions.prefix(200) {
        let start = ContinuousClock.now
        _ = try await model.embed([question])
        samples.append(seconds(ContinuousClock.now - start) * 1000)
    }
    let percentiles = Percentiles(samples)
    batchOneP50.append(percentiles.value(at: 0.5))
    batchOneP99.append(percentiles.value(at: 0.99))

    let batches = stride(from: 0, to: 320, by: 32).map { Array(questions[$0..<$0 + 32]) }
    let start = ContinuousClock.now
    for batch in batches { _ = try await model.embed(batch) }
    throughput.append(320 / seconds(ContinuousClock.now - start))
}

var report = BenchmarkReport(name: "minilm-embedder")
report.add("runs", runs)
report.add("blas_threads", threads)
report.add("questions_mean_tokens", Double(tokens.reduce(0, +)) / Double(tokens.count))
report.add("load_ms", median(loadTimes))
report.add("resident_mb_after_load", memoryAfter)
report.add("resident_mb_model", memoryAfter - memoryBefore)
report.add("batch1_p50_ms", median(batchOneP50))
report.add("batch1_p99_ms", median(batchOneP99))
report.add("batch32_sentences_per_second", median(throughput))
report.emit()
