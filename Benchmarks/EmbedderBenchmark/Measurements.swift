// One weight precision's figures, gathered round by round so that several
// precisions can be measured in turns under the same machine load.
import BenchmarkSupport
import Foundation
import LLMCacheEmbeddings

/// The questions every round embeds.
struct Questions {
    /// At most 16 tokens.
    var short: [String]
    /// 18 to 22 words.
    var long: [String]
}

/// A loaded embedder and what its rounds measured.
struct Measurements {
    let model: MiniLMEmbedder
    let loadMilliseconds: Double
    let residentMegabytes: Double
    var batchOneP50: [Double] = []
    var batchOneP99: [Double] = []
    var longP50: [Double] = []
    var throughput: [Double] = []
    var batchOneCPU: [Double] = []
    var batch32CPU: [Double] = []
    var rounds: [ConcurrentSinglesRound] = []

    /// One round: 200 short questions one at a time, the long ones one at a
    /// time, 320 short ones in batches of 32, and the dynamic-batching phase.
    mutating func measureRound(_ questions: Questions) async throws {
        var samples: [Double] = []
        let cpuBefore = processCPUSeconds()
        for question in questions.short.prefix(200) {
            let start = ContinuousClock.now
            _ = try await model.embed([question])
            samples.append(seconds(ContinuousClock.now - start) * 1000)
        }
        batchOneCPU.append((processCPUSeconds() - cpuBefore) / 200 * 1000)
        let percentiles = Percentiles(samples)
        batchOneP50.append(percentiles.value(at: 0.5))
        batchOneP99.append(percentiles.value(at: 0.99))

        var longSamples: [Double] = []
        for question in questions.long {
            let start = ContinuousClock.now
            _ = try await model.embed([question])
            longSamples.append(seconds(ContinuousClock.now - start) * 1000)
        }
        longP50.append(Percentiles(longSamples).value(at: 0.5))

        let batches = stride(from: 0, to: 320, by: 32).map { Array(questions.short[$0..<$0 + 32]) }
        let start = ContinuousClock.now
        let cpuStart = processCPUSeconds()
        for batch in batches { _ = try await model.embed(batch) }
        throughput.append(320 / seconds(ContinuousClock.now - start))
        batch32CPU.append((processCPUSeconds() - cpuStart) / 320 * 1000)

        rounds.append(try await concurrentSinglesRound(model, Array(questions.short.prefix(64))))
    }

    /// The medians over rounds.
    func report(name: String) -> BenchmarkReport {
        var report = BenchmarkReport(name: name)
        report.add("weights_in_use", model.weightPrecision.description)
        report.add("load_ms", loadMilliseconds)
        report.add("resident_mb_model", residentMegabytes)
        report.add("batch1_p50_ms", median(batchOneP50))
        report.add("batch1_p99_ms", median(batchOneP99))
        report.add("batch1_cpu_ms", median(batchOneCPU))
        report.add("batch1_20_words_p50_ms", median(longP50))
        report.add("batch32_sentences_per_second", median(throughput))
        report.add("batch32_cpu_ms_per_sentence", median(batch32CPU))
        report.add("singles64_sequential_sentences_per_second", median(rounds.map(\.sequentialPerSecond)))
        report.add("singles64_concurrent_sentences_per_second", median(rounds.map(\.concurrentPerSecond)))
        report.add(
            "singles64_concurrent_over_sequential",
            median(rounds.map { $0.concurrentPerSecond / $0.sequentialPerSecond }))
        report.add("singles64_concurrent_forward_passes", median(rounds.map { Double($0.concurrentPasses) }))
        return report
    }
}
