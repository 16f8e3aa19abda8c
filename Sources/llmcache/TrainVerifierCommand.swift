import ArgumentParser
import Foundation
import LLMCache

/// `llmcache train-verifier`: learn the semantic verifier's weights from
/// labelled pairs.
struct TrainVerifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-verifier",
        abstract: "Learn the semantic verifier (a logistic model over alignment and lexical features) from labelled pairs.",
        discussion: """
            Reads lines of {"a": …, "b": …, "label": 1|0}, encodes every text with MiniLM (token vectors \
            included), keeps the comparisons at or above --minimum-similarity, adds meaning flips of the \
            positives (a number changed, a negation, an antonym, an opposite direction, two words swapped) \
            as hard negatives, and fits two models by Newton's method: one with token alignment, one from \
            the texts alone. Deterministic: the same file gives the same weights.
            """)

    @Option(help: "JSON Lines of labelled pairs (e.g. ../shared/data/pairs/qqp-train.jsonl).")
    var pairs: String

    @Option(help: "Use only the first N pairs.")
    var limit: Int?

    @Option(help: "The similarity floor: pairs below it are never shown to the verifier (the tier threshold to pair with).")
    var minimumSimilarity: Float = 0.8

    @Option(help: "The false-positive rate on the file's negatives that picks the decision probability.")
    var targetFalsePositiveRate: Double = 0.0175

    @Option(help: "How much each synthetic meaning flip weighs against a real pair.")
    var flipWeight: Double = 0.1

    @Flag(inversion: .prefixedNo, help: "Add meaning flips of the positives as negatives.")
    var flips = true

    @Option(help: "Write the model as JSON here (load it with VerifierModel(json:)).")
    var out: String?

    @Option(help: "Write the model as the Swift source of VerifierModel.shipped here.")
    var swift: String?

    @Option(help: "Write every comparison's features and label as JSON Lines here.")
    var featuresOut: String?

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    @OptionGroup var embedder: EmbedderOptions
    @OptionGroup var progress: ProgressOptions

    struct Report: Encodable {
        var pairsFile: String
        var positives: Int
        var negatives: Int
        var flips: Int
        var comparisons: Int
        var minimumSimilarity: Float
        var withAlignment: VerifierTraining.Fit
        var lexical: VerifierTraining.Fit
    }

    func run() async throws {
        var records = try readJSONLines(pairs)
        if let limit { records = Array(records.prefix(max(0, limit))) }
        let labelled = try Calibration.LabelledPairs(records: records, source: pairs)
        // Negatives built from unrelated positives teach nothing a verifier needs.
        let all = labelled.negativesBuilt ? labelled.positives : labelled.pairs
        let reporter = ProgressReporter(enabled: progress.isEnabled)
        let training = try await VerifierTraining(
            pairs: all, embedder: try await embedder.makeEmbedder(), floor: minimumSimilarity, flip: flips,
            progress: reporter)
        if let featuresOut { try writeFeatures(training, to: featuresOut) }
        guard let aligned = training.fit(alignment: true, target: targetFalsePositiveRate, syntheticWeight: flipWeight),
            let lexical = training.fit(alignment: false, target: targetFalsePositiveRate, syntheticWeight: flipWeight)
        else { throw ValidationError("no comparison reached --minimum-similarity \(minimumSimilarity)") }
        let name = URL(fileURLWithPath: pairs).lastPathComponent
        let model = VerifierModel(
            withAlignment: aligned.weights, lexical: lexical.weights, minimumSimilarity: minimumSimilarity,
            provenance: "llmcache train-verifier on \(all.count) pairs of \(name), all-MiniLM-L6-v2, floor "
                + String(format: "%.2f", minimumSimilarity) + ", target false positives "
                + String(format: "%.2f%%", targetFalsePositiveRate * 100) + (flips ? ", meaning flips" : ""))
        if let out { try Data(try model.json()).write(to: URL(fileURLWithPath: out)) }
        if let swift { try Self.swiftSource(model).write(toFile: swift, atomically: true, encoding: .utf8) }
        let report = Report(
            pairsFile: pairs, positives: training.positives, negatives: training.negatives, flips: training.flips,
            comparisons: training.samples.count, minimumSimilarity: minimumSimilarity, withAlignment: aligned,
            lexical: lexical)
        print(json ? try report.jsonLine() : Self.summary(report))
    }

    private func writeFeatures(_ training: VerifierTraining, to path: String) throws {
        var lines = ""
        for sample in training.samples {
            let features = sample.aligned
            let object: [String: Any] = [
                "label": sample.positive ? 1 : 0, "synthetic": sample.synthetic, "pair": sample.pair ?? -1,
                "features": Dictionary(uniqueKeysWithValues: zip(features.names, features.values.map(Double.init))),
                "unknown_share": Double(features.unknownShare), "numbers_differ": features.numbersDiffer,
            ]
            lines += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            lines += "\n"
        }
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func summary(_ report: Report) -> String {
        func line(_ title: String, _ fit: VerifierTraining.Fit) -> String {
            "\(title): serve at probability ≥ " + String(format: "%.3f", fit.weights.minimumProbability)
                + String(
                    format: ": hit rate %.1f%%, false positives %.2f%%, meaning flips served %.1f%%",
                    fit.hitRate * 100, fit.falsePositiveRate * 100, fit.flipsServed * 100)
                + "\n  served by similarity: "
                + fit.servedBySimilarity.map { band in
                    String(format: "≥ %.2f: %d", band.from, band.served)
                        + (band.precision.map { String(format: " (%.0f%% duplicates)", $0 * 100) } ?? "")
                }.joined(separator: ", ")
        }
        return [
            "\(report.positives) positive and \(report.negatives) negative pairs, \(report.flips) meaning flips; "
                + "\(report.comparisons) comparisons at similarity ≥ " + String(format: "%.2f", report.minimumSimilarity),
            line("with token alignment", report.withAlignment), line("texts alone", report.lexical),
        ].joined(separator: "\n")
    }

    /// `VerifierModel+Shipped.swift`: the numbers written out in full, so a
    /// retrained model is a readable diff.
    static func swiftSource(_ model: VerifierModel) -> String {
        func floats(_ values: [Float]) -> String {
            "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
        }
        func weights(_ weights: VerifierModel.Weights) -> String {
            """
            Weights(
                        features: [\(weights.features.map { "\"\($0)\"" }.joined(separator: ", "))],
                        means: \(floats(weights.means)),
                        scales: \(floats(weights.scales)),
                        weights: \(floats(weights.weights)),
                        bias: \(weights.bias), minimumProbability: \(weights.minimumProbability))
            """
        }
        return """
            // Written by `llmcache train-verifier --swift`; do not edit by hand.
            // \(model.provenance)
            extension VerifierModel {
                /// The model semantic tiers use by default (see README, "Verifying semantic candidates").
                public static let shipped = VerifierModel(
                    withAlignment: \(weights(model.withAlignment)),
                    lexical: \(weights(model.lexical)),
                    minimumSimilarity: \(model.minimumSimilarity),
                    provenance: "\(model.provenance)")
            }

            """
    }
}
