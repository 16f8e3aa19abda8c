import Foundation
import LLMCache
import Synchronization

extension Calibration {
    /// What an error budget does with a stream of questions, the pairs'
    /// labels standing in for the answer comparison.
    struct BudgetSimulation: Encodable {
        var maximumErrorRate: Double
        var queries: Int
        var served: Int
        var servedWrong: Int
        /// Served wrong over all queries, with its 95% (Wilson) interval.
        var wrongRate: Double
        var wrongRateInterval: [Double]
        var hitRate: Double
        /// Duplicates served their right answer, over all duplicates.
        var correctShareOfDuplicates: Double
        /// Candidates above the threshold sent to the model to keep
        /// learning: the budget's cost in model calls.
        var explorations: Int
        /// Candidates below the threshold: misses compared for free.
        var declines: Int
        var observations: Int
        /// The best fixed score threshold on the same candidates whose
        /// served-wrong rate is no higher than the budget's.
        var staticThreshold: Float?
        var staticHitRate: Double
        var staticWrongRate: Double
    }

    /// Stores every pair's `a`, then asks every `b` (in a seeded shuffled
    /// order) through a stack whose semantic tier offers every candidate the
    /// verifier does not veto by rule, scored by the verifier's probability,
    /// and whose ``ErrorBudget`` decides. The "model" answers each text with
    /// the id of its group (a pair labelled duplicate shares one; identical
    /// texts share one), so comparing answers is comparing labels.
    static func simulateBudget(
        _ pairs: LabelledPairs, embedder: some TokenEmbedder, maximumErrorRate: Double, seed: UInt64 = 1
    ) async throws -> BudgetSimulation {
        let all = pairs.negativesBuilt ? pairs.positives : pairs.positives + pairs.negatives
        let groups = AnswerGroups(all)
        let verifier = LearnedVerifier(probabilityMargin: -1)  // serve by score: the budget decides
        let semantic = MemorySemanticTier(
            embedder: embedder,
            configuration: .init(
                threshold: VerifierModel.shipped.minimumSimilarity, maxEntries: 2 * all.count + 1, matchGuard: verifier))
        let recorder = CandidateRecorder(semantic)
        let stack = CacheStack(
            tiers: [recorder],
            configuration: .init(
                defaultTTL: nil, cacheabilityPolicy: nil,
                semanticFeedback: SemanticFeedback(
                    errorBudget: ErrorBudget(maximumErrorRate: maximumErrorRate, seed: seed))))
        let now = SystemCacheClock().now
        for pair in all {
            try await semantic.store(
                CacheEntry(value: Array(groups.answer(pair.a).utf8), createdAt: now), for: CacheQuery(request: pair.a))
        }
        var order = Array(all.indices)
        var generator = SplitMix64(seed: seed)
        order.shuffle(using: &generator)
        var (served, servedWrong, correctDuplicates) = (0, 0, 0)
        var candidates: [(score: Float, correct: Bool)] = []
        for index in order {
            let pair = all[index]
            let expected = groups.answer(pair.b)
            let result = try await stack.response(for: pair.b) { groups.answer($0) }
            if let candidate = recorder.take() {
                candidates.append((candidate.score, candidate.answer == expected))
            }
            guard result.isCacheHit else { continue }
            served += 1
            if result.value != expected { servedWrong += 1 } else if pair.positive { correctDuplicates += 1 }
        }
        await stack.waitForPendingStores()
        let queries = max(1, all.count)
        let wrongRate = Double(servedWrong) / Double(queries)
        let fixed = bestStaticThreshold(candidates, queries: queries, maximumWrongRate: wrongRate)
        let feedback = stack.statistics.feedback
        return BudgetSimulation(
            maximumErrorRate: maximumErrorRate, queries: all.count, served: served, servedWrong: servedWrong,
            wrongRate: wrongRate, wrongRateInterval: wilsonInterval(servedWrong, of: queries),
            hitRate: Double(served) / Double(queries),
            correctShareOfDuplicates: Double(correctDuplicates) / Double(max(1, pairs.positives.count)),
            explorations: feedback.explorations, declines: feedback.declines, observations: feedback.observations,
            staticThreshold: fixed?.threshold, staticHitRate: fixed?.hitRate ?? 0, staticWrongRate: fixed?.wrongRate ?? 0)
    }

    /// The score threshold serving the most candidates with a wrong rate
    /// (over all queries) no higher than `maximumWrongRate`.
    static func bestStaticThreshold(
        _ candidates: [(score: Float, correct: Bool)], queries: Int, maximumWrongRate: Double
    ) -> (threshold: Float, hitRate: Double, wrongRate: Double)? {
        let sorted = candidates.sorted { $0.score > $1.score }
        var best: (threshold: Float, hitRate: Double, wrongRate: Double)?
        var wrong = 0
        for (index, candidate) in sorted.enumerated() {
            if !candidate.correct { wrong += 1 }
            // A threshold can only sit between distinct scores.
            if index + 1 < sorted.count, sorted[index + 1].score == candidate.score { continue }
            let wrongRate = Double(wrong) / Double(queries)
            if wrongRate <= maximumWrongRate {
                best = (candidate.score, Double(index + 1) / Double(queries), wrongRate)
            }
        }
        return best
    }

    /// The 95% Wilson score interval of `count` successes in `total` trials.
    static func wilsonInterval(_ count: Int, of total: Int) -> [Double] {
        let (n, z) = (Double(max(1, total)), 1.959964)
        let p = Double(count) / n
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / (1 + z * z / n)
        return [max(0, centre - half), min(1, centre + half)]
    }

    /// Answer ids: the texts of a duplicate pair share one, and so do texts
    /// identical after folding case and white space.
    struct AnswerGroups: Sendable {
        private let root: [String: Int]

        init(_ pairs: [Pair]) {
            var ids: [String: Int] = [:]
            var parent: [Int] = []
            func id(_ text: String) -> Int {
                let key = Calibration.folded(text)
                if let id = ids[key] { return id }
                ids[key] = parent.count
                parent.append(parent.count)
                return parent.count - 1
            }
            func find(_ x: Int) -> Int {
                var x = x
                while parent[x] != x {
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                }
                return x
            }
            for pair in pairs {
                let (a, b) = (id(pair.a), id(pair.b))
                if pair.positive { parent[find(a)] = find(b) }
            }
            root = ids.mapValues(find)
        }

        func answer(_ text: String) -> String {
            "answer \(root[Calibration.folded(text)] ?? -1)"
        }
    }

    /// A tier in front of the semantic tier that remembers the candidate it
    /// returned, so that every candidate's score and correctness are known
    /// whatever the budget then decides.
    final class CandidateRecorder: CacheTier {
        let inner: MemorySemanticTier
        private let last = Mutex<(score: Float, answer: String)?>(nil)

        init(_ inner: MemorySemanticTier) { self.inner = inner }

        var name: String { inner.name }
        var matching: TierMatching { .semantic }
        var isInProcess: Bool { true }

        func lookup(_ query: CacheQuery) async throws -> CacheHit? {
            let hit = try await inner.lookup(query)
            last.withLock { last in
                last = hit.map { ($0.confidence ?? $0.similarity ?? 0, String(decoding: $0.entry.value, as: UTF8.self)) }
            }
            return hit
        }

        func take() -> (score: Float, answer: String)? { last.withLock { last in defer { last = nil }; return last } }
        func store(_ entry: CacheEntry, for query: CacheQuery) async throws { try await inner.store(entry, for: query) }
        func invalidate(tags: Set<String>) async throws -> Int { inner.invalidate(tags: tags) }
        func removeAll() async throws { inner.removeAll() }
        func remove(_ entry: EntryReference) async throws -> Bool { try await inner.remove(entry) }
        func namespaceVersionDidChange(to version: UInt64) async { inner.namespaceVersionDidChange(to: version) }
    }
}
