// MiniLMEmbedder figures for each weight precision asked for: model load time
// and resident memory, batch-1 latency for a short question and for a
// ~20-word one, batch-32 throughput of short questions, and dynamic batching:
// 64 single-question calls made concurrently from 64 tasks against the same
// 64 one at a time. Questions are real ones: the first sides of
// ../shared/data/pairs/qqp-dev.jsonl of at most 16 tokens, or of 18 to 22 words.
//
// `--weights float32,bfloat16` measures both precisions in turns, round by
// round, so both see the same machine load; each gets its own group of
// figures (medians over rounds). The default is `automatic`.
//
// On a machine shared with other work, wall-clock figures move with the load;
// the `cpu_` figures (this process's CPU time, helper threads' spinning
// included) move much less, so compare those between runs on a busy machine.
//
//   scripts/bench.sh EmbedderBenchmark [--runs 5] [--threads 2] [--window-us 0]
//       [--weights automatic|float32|bfloat16[,…]] [--json]
import BenchmarkSupport
import Foundation
import LLMCacheEmbeddings

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let threads = Int(BenchmarkReport.argument("threads") ?? "") ?? 2
let windowMicroseconds = Int(BenchmarkReport.argument("window-us") ?? "") ?? 0
let pairsFile = BenchmarkReport.argument("pairs") ?? "../shared/data/pairs/qqp-dev.jsonl"
let folder = ProcessInfo.processInfo.environment[MiniLMEmbedder.modelPathVariable]
    ?? FileManager.default.currentDirectoryPath + "/.cache/models/all-MiniLM-L6-v2"
let precisions: [(name: String, weights: MiniLMEmbedder.WeightPrecision)] =
    (BenchmarkReport.argument("weights") ?? "automatic").split(separator: ",").map { name in
        switch name {
        case "automatic": (String(name), .automatic)
        case "float32": (String(name), .float32)
        case "bfloat16": (String(name), .bfloat16)
        default: fatalError("--weights takes automatic, float32, bfloat16 or a comma-separated list, not \(name)")
        }
    }

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

/// Loads the model `runs` times with `weights` (timing each) and keeps the last.
func load(_ weights: MiniLMEmbedder.WeightPrecision) async throws -> Measurements {
    let memoryBefore = residentMegabytes()
    let configuration = MiniLMEmbedder.Configuration(
        threads: threads, batchWindow: .microseconds(windowMicroseconds), weights: weights)
    var loadTimes: [Double] = []
    var embedder: MiniLMEmbedder?
    for _ in 0..<runs {
        embedder = nil
        let start = ContinuousClock.now
        embedder = try MiniLMEmbedder(modelFolder: URL(fileURLWithPath: folder), configuration: configuration)
        loadTimes.append(seconds(ContinuousClock.now - start) * 1000)
    }
    _ = try await embedder!.embed(["warm up"])
    return Measurements(
        model: embedder!, loadMilliseconds: median(loadTimes), residentMegabytes: residentMegabytes() - memoryBefore)
}

var measurements: [Measurements] = []
for precision in precisions { measurements.append(try await load(precision.weights)) }
let memoryAfterLoad = residentMegabytes()
let tokenizer = measurements[0].model.tokenizer

struct Pair: Decodable { let a: String }
let firstSides = try String(contentsOfFile: pairsFile, encoding: .utf8).split(separator: "\n")
    .map { try JSONDecoder().decode(Pair.self, from: Data($0.utf8)).a }
let questions = Questions(
    short: firstSides.filter { tokenizer.encode($0).count <= 16 },
    long: Array(firstSides.filter { (18...22).contains($0.split(separator: " ").count) }.prefix(200)))
let tokens = questions.short.prefix(320).map { tokenizer.encode($0).count }
let longTokens = questions.long.map { tokenizer.encode($0).count }

for _ in 0..<runs {
    for index in measurements.indices {
        var measured = measurements[index]
        try await measured.measureRound(questions)
        measurements[index] = measured
    }
}

var report = BenchmarkReport(name: "minilm-embedder")
report.add("runs", runs)
report.add("threads", threads)
report.add("batch_window_us", windowMicroseconds)
report.add("questions_mean_tokens", Double(tokens.reduce(0, +)) / Double(tokens.count))
report.add("long_questions_mean_tokens", Double(longTokens.reduce(0, +)) / Double(max(longTokens.count, 1)))
report.add("resident_mb_after_load", memoryAfterLoad)
for (precision, measured) in zip(precisions, measurements) {
    report.add(precision.name, measured.report(name: precision.name))
}
report.emit()
