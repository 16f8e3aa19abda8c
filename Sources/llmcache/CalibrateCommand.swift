import ArgumentParser
import Foundation
import LLMCache

/// `llmcache calibrate`: choose a semantic threshold from labelled pairs.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Hit rate, false-positive rate and precision per similarity threshold on labelled pairs.",
        discussion: """
            Reads lines of {"a": …, "b": …, "label": 1|0}. A file without negatives gets some \
            by pairing each positive's "a" with the next positive's "b".
            """)

    enum GuardChoice: String, ExpressibleByArgument, CaseIterable {
        /// The shipped ``LearnedVerifier``.
        case verifier
        /// The earlier rules alone: numbers and negation.
        case rules
        case none

        func matchGuard(margin: Float) -> (any SemanticGuard)? {
            switch self {
            case .verifier: LearnedVerifier(probabilityMargin: margin)
            case .rules: NumberAndNegationGuard()
            case .none: nil
            }
        }
    }

    @Option(help: "JSON Lines of labelled pairs.")
    var pairs: String

    @Option(
        name: .customLong("guard"),
        help: "What decides above the threshold: the shipped verifier, the number and negation rules, or nothing.")
    var guardChoice: GuardChoice = .verifier

    @Option(help: "Added to the verifier's decision probability (negative serves more, positive fewer).")
    var probabilityMargin: Float = 0

    @Flag(help: "Also store every pair's \"a\" in a semantic tier and look up every \"b\", as a cache would (strict: a hit counts as correct only on a duplicate's own \"a\" or an identical text).")
    var simulate = false

    @Option(help: "Also stream every \"b\" through a semantic tier governed by an error budget of this rate (e.g. 0.01), the labels judging answers, and compare with the best static threshold.")
    var errorBudget: Double?

    @Option(help: "The seed of the error-budget simulation's order and draws.")
    var seed: UInt64 = 1

    @Option(help: "The false-positive rate the recommended threshold must stay under.")
    var targetFalsePositiveRate: Double = 0.01

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @OptionGroup var embedder: EmbedderOptions

    func validate() throws {
        if let errorBudget, !(errorBudget > 0 && errorBudget < 1) { throw ValidationError("--error-budget must be in (0, 1)") }
    }

    func run() async throws {
        let labelled = try Calibration.LabelledPairs(records: readJSONLines(pairs), source: pairs)
        let model = try await embedder.makeEmbedder()
        let matchGuard = guardChoice.matchGuard(margin: probabilityMargin)
        let calibration = try await Calibration.measure(labelled, embedder: model, guard: matchGuard, batch: embedder.batch)
        let simulation = simulate ? try await Calibration.simulate(labelled, embedder: model, guard: matchGuard) : nil
        let shipped =
            guardChoice == .verifier && probabilityMargin == 0
            ? Calibration.defaultSettings(from: calibration, simulation: simulation)
            : try await Calibration.defaultSettings(
                labelled, embedder: model, batch: embedder.batch, simulate: simulate)
        var report = Calibration.Report(
            pairs: labelled, rows: calibration, simulation: simulation, defaultSettings: shipped,
            targetFalsePositiveRate: targetFalsePositiveRate, guardName: guardChoice.rawValue)
        if let errorBudget {
            report.errorBudget = try await Calibration.simulateBudget(
                labelled, embedder: model, maximumErrorRate: errorBudget, seed: seed)
        }
        print(json ? try report.jsonLine() : report.table())
    }
}
