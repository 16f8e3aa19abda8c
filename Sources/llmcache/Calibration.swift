import ArgumentParser
import Foundation
import LLMCache

/// The numbers behind `llmcache calibrate`.
enum Calibration {
    /// The thresholds reported: 0.70, 0.71, …, 0.98.
    static let thresholds: [Float] = (70...98).map { Float($0) / 100 }

    struct Pair {
        var a: String
        var b: String
        var positive: Bool
        /// The file's optional "kind" of the pair (e.g. "negation"), for a per-kind breakdown.
        var kind: String? = nil
    }

    /// Positives and negatives of a pairs file.
    struct LabelledPairs {
        /// The file's pairs, in its order.
        var pairs: [Pair]
        var positives: [Pair]
        var negatives: [Pair]
        /// Whether the negatives were built by pairing unrelated positives.
        var negativesBuilt: Bool

        init(records: [[String: Any]], source: String) throws {
            var all: [Pair] = []
            all.reserveCapacity(records.count)
            for (index, record) in records.enumerated() {
                guard let a = record["a"] as? String, let b = record["b"] as? String,
                    let label = (record["label"] as? NSNumber)?.intValue, label == 0 || label == 1
                else { throw ValidationError("\(source): line \(index + 1) needs \"a\", \"b\" and \"label\": 0 or 1") }
                all.append(Pair(a: a, b: b, positive: label == 1, kind: record["kind"] as? String))
            }
            pairs = all
            positives = all.filter(\.positive)
            negatives = all.filter { !$0.positive }
            negativesBuilt = negatives.isEmpty && positives.count > 1
            if negativesBuilt {
                negatives = positives.indices.map { index in
                    Pair(a: positives[index].a, b: positives[(index + 1) % positives.count].b, positive: false)
                }
            }
            guard !positives.isEmpty else { throw ValidationError("\(source) has no positive pairs") }
        }
    }

    struct Row: Encodable {
        var threshold: Float
        var hitRate: Double
        var falsePositiveRate: Double
        var precision: Double?
    }

    /// What a cache holding every pair's `a` does with every pair's `b`.
    struct SimulationRow: Encodable {
        var threshold: Float
        /// Queries whose pair is a duplicate: served the right answer, a
        /// wrong one, or sent to the model.
        var correctHits: Int
        var wrongHits: Int
        var misses: Int
        /// Queries of non-duplicate pairs that were served anything
        /// (always wrong, unless the stored text is the query itself).
        var negativeWrongHits: Int
        /// The same three outcomes as shares: of duplicate queries, and of all queries.
        var correctShareOfDuplicates: Double
        var wrongShareOfDuplicates: Double
        var correctShareOfAll: Double
        var wrongShareOfAll: Double
        var missShareOfAll: Double
        /// Per "kind" of pair, when the file names kinds: how many pairs, and
        /// how many queries were served (any hit for a non-duplicate, the right
        /// answer for a duplicate).
        var kinds: [String: KindOutcome]?
    }

    struct KindOutcome: Encodable {
        var pairs: Int
        var served: Int
    }

    /// The semantic tier exactly as shipped (its default threshold and
    /// verifier): pairwise, and in the strict simulation when it ran.
    struct DefaultSettings: Encodable {
        var threshold: Float
        var guardName: String
        var hitRate: Double
        var falsePositiveRate: Double
        var precision: Double?
        var simulation: SimulationRow?
    }

    /// Embeds both sides of every pair and counts, per threshold, the
    /// positives and negatives the tier would accept (similarity at or above
    /// the threshold and, if given, the guard agreeing).
    static func measure(
        _ pairs: LabelledPairs, embedder: some TokenEmbedder, guard matchGuard: (any SemanticGuard)?, batch: Int
    ) async throws -> [Row] {
        func accepted(_ list: [Pair]) async throws -> [Float] {
            var similarities: [Float] = []
            for start in stride(from: 0, to: list.count, by: batch) {
                let slice = list[start..<min(start + batch, list.count)]
                let a = try await embedder.encode(slice.map(\.a))
                let b = try await embedder.encode(slice.map(\.b))
                for (pair, (left, right)) in zip(slice, zip(a, b)) {
                    var similarity = cosineSimilarity(left.vector, right.vector)
                    let comparison = SemanticComparison(
                        query: pair.b, candidate: pair.a, similarity: similarity, queryTokens: right.tokens,
                        candidateTokens: left.tokens)
                    if let matchGuard, await !matchGuard.allows(comparison) {
                        similarity = -.infinity
                    }
                    similarities.append(similarity)
                }
            }
            return similarities
        }
        let positives = try await accepted(pairs.positives)
        let negatives = try await accepted(pairs.negatives)
        return thresholds.map { threshold in
            let truePositives = positives.filter { $0 >= threshold }.count
            let falsePositives = negatives.filter { $0 >= threshold }.count
            return Row(
                threshold: threshold, hitRate: Double(truePositives) / Double(positives.count),
                falsePositiveRate: negatives.isEmpty ? 0 : Double(falsePositives) / Double(negatives.count),
                precision: truePositives + falsePositives == 0
                    ? nil : Double(truePositives) / Double(truePositives + falsePositives))
        }
    }

    /// The strict simulation: stores every pair's `a` (negatives' too, so
    /// hard negatives compete; built negatives excepted) in a
    /// `MemorySemanticTier` and looks up every pair's `b`. A hit is correct when the stored text is the pair's own
    /// `a` for a duplicate, or the query itself (after folding case and
    /// white space); every other hit is wrong.
    static func simulate(
        _ pairs: LabelledPairs, embedder: some Embedder, guard matchGuard: (any SemanticGuard)?
    ) async throws -> [SimulationRow] {
        // Negatives built from unrelated positives reuse positives' texts (a
        // built negative's "b" is another pair's duplicate): they add nothing.
        let all = pairs.negativesBuilt ? pairs.positives : pairs.positives + pairs.negatives
        let tier = MemorySemanticTier(
            embedder: embedder, configuration: .init(threshold: -1, maxEntries: all.count + 1, matchGuard: matchGuard))
        let now = SystemCacheClock().now
        for pair in all {
            try await tier.store(CacheEntry(value: Array(pair.a.utf8), createdAt: now), for: CacheQuery(request: pair.a))
        }
        var outcomes: [(positive: Bool, kind: String?, hit: (correct: Bool, similarity: Float)?)] = []
        for pair in all {
            let hit = try await tier.lookup(CacheQuery(request: pair.b))
            outcomes.append((pair.positive, pair.kind, hit.map { hit in
                let stored = folded(String(decoding: hit.entry.value, as: UTF8.self))
                let correct = stored == folded(pair.b) || (pair.positive && stored == folded(pair.a))
                return (correct, hit.similarity ?? -1)
            }))
        }
        let duplicates = Double(max(1, pairs.positives.count))
        let total = Double(max(1, all.count))
        return thresholds.map { threshold in
            func served(_ outcome: (positive: Bool, kind: String?, hit: (correct: Bool, similarity: Float)?)) -> Bool? {
                guard let hit = outcome.hit, hit.similarity >= threshold else { return nil }
                return hit.correct
            }
            let positive = outcomes.filter(\.positive).map(served)
            let negative = outcomes.filter { !$0.positive }.map(served)
            let correct = positive.filter { $0 == true }.count
            let wrong = positive.filter { $0 == false }.count
            let negativeWrong = negative.filter { $0 == false }.count
            let correctAll = correct + negative.filter { $0 == true }.count
            let wrongAll = wrong + negativeWrong
            var kinds: [String: KindOutcome] = [:]
            for outcome in outcomes {
                guard let kind = outcome.kind else { continue }
                let result = served(outcome)
                let counts = outcome.positive ? result == true : result != nil
                kinds[kind, default: KindOutcome(pairs: 0, served: 0)].pairs += 1
                if counts { kinds[kind]!.served += 1 }
            }
            return SimulationRow(
                threshold: threshold, correctHits: correct, wrongHits: wrong, misses: positive.count - correct - wrong,
                negativeWrongHits: negativeWrong, correctShareOfDuplicates: Double(correct) / duplicates,
                wrongShareOfDuplicates: Double(wrong) / duplicates, correctShareOfAll: Double(correctAll) / total,
                wrongShareOfAll: Double(wrongAll) / total,
                missShareOfAll: Double(all.count - correctAll - wrongAll) / total, kinds: kinds.isEmpty ? nil : kinds)
        }
    }

    /// Lower case, runs of white space as one space, trimmed: two texts that
    /// differ only so are the same question.
    static func folded(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The pairwise figures of the tier as shipped: `MemorySemanticTier`'s
    /// default threshold and guard (the Redis tier has the same defaults).
    static func defaultSettings(
        _ pairs: LabelledPairs, embedder: some TokenEmbedder, batch: Int, simulate: Bool
    ) async throws -> DefaultSettings {
        let matchGuard = MemorySemanticTier.Configuration().matchGuard
        let rows = try await measure(pairs, embedder: embedder, guard: matchGuard, batch: batch)
        let simulation = simulate ? try await Self.simulate(pairs, embedder: embedder, guard: matchGuard) : nil
        return defaultSettings(from: rows, simulation: simulation)
    }

    /// The same, read from rows measured with the default guard.
    static func defaultSettings(from rows: [Row], simulation: [SimulationRow]?) -> DefaultSettings {
        let shipped = MemorySemanticTier.Configuration()
        let threshold = shipped.threshold
        let index = rows.indices.min { abs(rows[$0].threshold - threshold) < abs(rows[$1].threshold - threshold) }!
        let row = rows[index]
        return DefaultSettings(
            threshold: threshold, guardName: shipped.matchGuard.map { "\(type(of: $0))" } ?? "none",
            hitRate: row.hitRate, falsePositiveRate: row.falsePositiveRate, precision: row.precision,
            simulation: simulation?[index])
    }

    /// What `calibrate` prints.
    struct Report: Encodable {
        var pairsFile: String?
        var positives: Int
        var negatives: Int
        var negativesBuilt: Bool
        var guardName: String
        var targetFalsePositiveRate: Double
        /// The lowest threshold whose false-positive rate stays under the target.
        var recommendedThreshold: Float?
        var rows: [Row]
        var simulation: [SimulationRow]?
        var defaultSettings: DefaultSettings
        var errorBudget: BudgetSimulation?

        init(
            pairs: LabelledPairs, rows: [Row], simulation: [SimulationRow]?, defaultSettings: DefaultSettings,
            targetFalsePositiveRate: Double, guardName: String
        ) {
            positives = pairs.positives.count
            negatives = pairs.negatives.count
            negativesBuilt = pairs.negativesBuilt
            self.guardName = guardName
            self.targetFalsePositiveRate = targetFalsePositiveRate
            recommendedThreshold = rows.first { $0.falsePositiveRate <= targetFalsePositiveRate }?.threshold
            self.rows = rows
            self.simulation = simulation
            self.defaultSettings = defaultSettings
        }

        func table() -> String {
            func percent(_ value: Double?) -> String {
                value.map { String(format: "%6.1f%%", $0 * 100) } ?? "      –"
            }
            var lines = [
                "\(positives) positive and \(negatives) negative pairs\(negativesBuilt ? " (negatives built from unrelated positives)" : ""), guard: \(guardName)",
                "as shipped (threshold " + String(format: "%.2f", defaultSettings.threshold)
                    + ", \(defaultSettings.guardName)): hit rate" + percent(defaultSettings.hitRate) + ", false positives"
                    + percent(defaultSettings.falsePositiveRate) + ", precision" + percent(defaultSettings.precision),
                "threshold  hit rate  false pos  precision"
                    + (simulation == nil ? "" : "  correct  wrong  misses  neg. served"),
            ]
            for (index, row) in rows.enumerated() {
                var line = String(format: "%9.2f", row.threshold) + "   " + percent(row.hitRate) + "    "
                    + percent(row.falsePositiveRate) + "    " + percent(row.precision)
                if let simulation {
                    let outcome = simulation[index]
                    line += String(
                        format: "  %7d  %5d  %6d  %11d", outcome.correctHits, outcome.wrongHits, outcome.misses,
                        outcome.negativeWrongHits)
                }
                lines.append(line)
            }
            if let kinds = defaultSettings.simulation?.kinds {
                lines.append(
                    "as shipped, served per kind: "
                        + kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.served)/\($0.value.pairs)" }
                        .joined(separator: ", "))
            }
            if let budget = errorBudget {
                lines.append(
                    "error budget δ " + percent(budget.maximumErrorRate) + ": served wrong" + percent(budget.wrongRate)
                        + " (95% CI" + percent(budget.wrongRateInterval[0]) + " –" + percent(budget.wrongRateInterval[1])
                        + "), hit rate" + percent(budget.hitRate) + ", \(budget.explorations) explorations; best static "
                        + "score threshold " + (budget.staticThreshold.map { String(format: "%.3f", $0) } ?? "none")
                        + " at that wrong rate: hit rate" + percent(budget.staticHitRate))
            }
            let target = String(format: "%.1f%%", targetFalsePositiveRate * 100)
            lines.append(
                recommendedThreshold.map { "lowest threshold with false positives ≤ \(target): " + String(format: "%.2f", $0) }
                    ?? "no threshold keeps false positives ≤ \(target)")
            return lines.joined(separator: "\n")
        }
    }
}
