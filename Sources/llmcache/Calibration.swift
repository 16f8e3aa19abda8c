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
    }

    /// Positives and negatives of a pairs file.
    struct LabelledPairs {
        var positives: [Pair]
        var negatives: [Pair]
        /// Whether the negatives were built by pairing unrelated positives.
        var negativesBuilt: Bool

        init(records: [[String: Any]], source: String) throws {
            var all: [Pair] = []
            for (index, record) in records.enumerated() {
                guard let a = record["a"] as? String, let b = record["b"] as? String,
                    let label = (record["label"] as? NSNumber)?.intValue, label == 0 || label == 1
                else { throw ValidationError("\(source): line \(index + 1) needs \"a\", \"b\" and \"label\": 0 or 1") }
                all.append(Pair(a: a, b: b, positive: label == 1))
            }
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

    struct SimulationRow: Encodable {
        var threshold: Float
        var correctHits: Int
        var wrongHits: Int
        var misses: Int
    }

    /// Embeds both sides of every pair and counts, per threshold, the
    /// positives and negatives the tier would accept (similarity at or above
    /// the threshold and, if given, the guard agreeing).
    static func measure(
        _ pairs: LabelledPairs, embedder: some Embedder, guard matchGuard: (any SemanticGuard)?, batch: Int
    ) async throws -> [Row] {
        func accepted(_ list: [Pair]) async throws -> [Float] {
            var similarities: [Float] = []
            for start in stride(from: 0, to: list.count, by: batch) {
                let slice = list[start..<min(start + batch, list.count)]
                let a = try await embedder.embed(slice.map(\.a))
                let b = try await embedder.embed(slice.map(\.b))
                for (pair, (left, right)) in zip(slice, zip(a, b)) {
                    var similarity = cosineSimilarity(left, right)
                    if let matchGuard, await !matchGuard.allows(query: pair.b, candidate: pair.a, similarity: similarity) {
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

    /// Stores every positive's `a` in a `MemorySemanticTier` and looks up
    /// every `b`: a hit is correct when it returns the pair's own answer.
    static func simulate(
        _ pairs: LabelledPairs, embedder: some Embedder, guard matchGuard: (any SemanticGuard)?
    ) async throws -> [SimulationRow] {
        let tier = MemorySemanticTier(
            embedder: embedder,
            configuration: .init(threshold: -1, maxEntries: pairs.positives.count + 1, matchGuard: matchGuard))
        let now = SystemCacheClock().now
        for (index, pair) in pairs.positives.enumerated() {
            try await tier.store(CacheEntry(value: Array("\(index)".utf8), createdAt: now), for: CacheQuery(request: pair.a))
        }
        var outcomes: [(own: Bool, similarity: Float)?] = []
        for (index, pair) in pairs.positives.enumerated() {
            let hit = try await tier.lookup(CacheQuery(request: pair.b))
            outcomes.append(hit.map { hit in
                // An identical "a" stored by another pair answers just as well.
                let answer = Int(String(decoding: hit.entry.value, as: UTF8.self)) ?? -1
                let own = answer == index || pairs.positives[answer].a == pair.a
                return (own, hit.similarity ?? -1)
            })
        }
        return thresholds.map { threshold in
            let hits = outcomes.compactMap { $0 }.filter { $0.similarity >= threshold }
            let correct = hits.filter(\.own).count
            return SimulationRow(
                threshold: threshold, correctHits: correct, wrongHits: hits.count - correct,
                misses: outcomes.count - hits.count)
        }
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

        init(
            pairs: LabelledPairs, rows: [Row], simulation: [SimulationRow]?, targetFalsePositiveRate: Double,
            guardName: String
        ) {
            positives = pairs.positives.count
            negatives = pairs.negatives.count
            negativesBuilt = pairs.negativesBuilt
            self.guardName = guardName
            self.targetFalsePositiveRate = targetFalsePositiveRate
            recommendedThreshold = rows.first { $0.falsePositiveRate <= targetFalsePositiveRate }?.threshold
            self.rows = rows
            self.simulation = simulation
        }

        func table() -> String {
            func percent(_ value: Double?) -> String {
                value.map { String(format: "%6.1f%%", $0 * 100) } ?? "      –"
            }
            var lines = [
                "\(positives) positive and \(negatives) negative pairs\(negativesBuilt ? " (negatives built from unrelated positives)" : ""), guard: \(guardName)",
                "threshold  hit rate  false pos  precision" + (simulation == nil ? "" : "  correct  wrong  misses"),
            ]
            for (index, row) in rows.enumerated() {
                var line = String(format: "%9.2f", row.threshold) + "   " + percent(row.hitRate) + "    "
                    + percent(row.falsePositiveRate) + "    " + percent(row.precision)
                if let simulation {
                    let outcome = simulation[index]
                    line += String(format: "  %7d  %5d  %6d", outcome.correctHits, outcome.wrongHits, outcome.misses)
                }
                lines.append(line)
            }
            let target = String(format: "%.1f%%", targetFalsePositiveRate * 100)
            lines.append(
                recommendedThreshold.map { "lowest threshold with false positives ≤ \(target): " + String(format: "%.2f", $0) }
                    ?? "no threshold keeps false positives ≤ \(target)")
            return lines.joined(separator: "\n")
        }
    }
}
