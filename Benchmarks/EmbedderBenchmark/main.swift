// MiniLMEmbedder figures: model load time and resident memory, batch-1
// latency for a short question and for a ~20-word one, batch-32
// throughput of short questions, and dynamic batching: 64 single-question
// calls made concurrently from 64 tasks against the same 64 one at a time. Questions are real ones: the first sides of
// ../shared/data/pairs/qqp-dev.jsonl of at most 16 tokens, or of 18 to 22 words.
//
// On a machine shared with other work, wall-clock figures move with the load;
// the `cpu_` figures (this process's CPU time, helper threads' spinning
// included) move much less, so compare those between runs on a busy machine.
//
//   scripts/bench.sh EmbedderBenchmark [--runs 5] [--threads 2] [--window-us 0] [--json]
import BenchmarkSupport
import Foundation
import LLMCacheEmbeddings

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let threads = Int(BenchmarkReport.argument("threads") ?? "") ?? 2
let windowMicroseconds = Int(BenchmarkReport.argument("window-us") ?? "") ?? 0
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

/// CPU time this process has used so far (all threads), in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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
    embedder = try MiniLMEmbedder(modelFolder: URL(fileURLWithPath: folder), configuration: .init(threads: threads, batchWindow: .microseconds(windowMicroseconds)))
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
let longQuestions = try String(contentsOfFile: pairsFile, encoding: .utf8).split(separator: "\n")
    .map { try JSONDecoder().decode(Pair.self, from: Data($0.utf8)).a }
    .filter { (18...22).contains($0.split(separator: " ").count) }
    .prefix(200)
let longTokens = longQuestions.map { model.tokenizer.encode($0).count }

var batchOneP50: [Double] = []
var batchOneP99: [Double] = []
var longP50: [Double] = []
var throughput: [Double] = []
var batchOneCPU: [Double] = []
var batch32CPU: [Double] = []
var rounds: [ConcurrentSinglesRound] = []
for _ in 0..<runs {
    var samples: [Double] = []
    let cpuBefore = processCPUSeconds()
    for question in questions.prefix(200) {
        let start = ContinuousClock.now
        _ = try await model.embed([question])
        samples.append(seconds(ContinuousClock.now - start) * 1000)
    }
    batchOneCPU.append((processCPUSeconds() - cpuBefore) / 200 * 1000)
    let percentiles = Percentiles(samples)
    batchOneP50.append(percentiles.value(at: 0.5))
    batchOneP99.append(percentiles.value(at: 0.99))

    var longSamples: [Double] = []
    for question in longQuestions {
        let start = ContinuousClock.now
        _ = try await model.embed([question])
        longSamples.append(seconds(ContinuousClock.now - start) * 1000)
    }
    longP50.append(Percentiles(longSamples).value(at: 0.5))

    let batches = stride(from: 0, to: 320, by: 32).map { Array(questions[$0..<$0 + 32]) }
    let start = ContinuousClock.now
    let cpuStart = processCPUSeconds()
    for batch in batches { _ = try await model.embed(batch) }
    throughput.append(320 / seconds(ContinuousClock.now - start))
    batch32CPU.append((processCPUSeconds() - cpuStart) / 320 * 1000)

    rounds.append(try await concurrentSinglesRound(model, Array(questions.prefix(64))))
}

var report = BenchmarkReport(name: "minilm-embedder")
report.add("runs", runs)
report.add("threads", threads)
report.add("questions_mean_tokens", Double(tokens.reduce(0, +)) / Double(tokens.count))
report.add("load_ms", median(loadTimes))
report.add("resident_mb_after_load", memoryAfter)
report.add("resident_mb_model", memoryAfter - memoryBefore)
report.add("batch1_p50_ms", median(batchOneP50))
report.add("batch1_p99_ms", median(batchOneP99))
report.add("batch1_cpu_ms", median(batchOneCPU))
report.add("long_questions_mean_tokens", Double(longTokens.reduce(0, +)) / Double(max(longTokens.count, 1)))
report.add("batch1_20_words_p50_ms", median(longP50))
report.add("batch32_sentences_per_second", median(throughput))
report.add("batch32_cpu_ms_per_sentence", median(batch32CPU))
report.add("batch_window_us", windowMicroseconds)
report.add("singles64_sequential_sentences_per_second", median(rounds.map(\.sequentialPerSecond)))
report.add("singles64_concurrent_sentences_per_second", median(rounds.map(\.concurrentPerSecond)))
report.add("singles64_concurrent_over_sequential", median(rounds.map { $0.concurrentPerSecond / $0.sequentialPerSecond }))
report.add("singles64_concurrent_forward_passes", median(rounds.map { Double($0.concurrentPasses) }))
report.emit()
