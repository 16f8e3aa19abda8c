import LLMCache
import LLMCacheTesting
import Synchronization
import Testing

@Suite("Semantic feedback")
struct SemanticFeedbackTests {
    /// Memory tiers with a vector-only semantic tier (no guard), so that a
    /// word-order paraphrase matches at similarity 1 and the feedback alone
    /// decides.
    struct Harness {
        let memory = MemoryTier(maxEntries: 100)
        let semantic = MemorySemanticTier(
            embedder: DeterministicTestEmbedder(dimensions: 128), threshold: 0.9, matchGuard: nil)
        let stack: CacheStack
        let calls = SharedCounter()

        init(feedback: SemanticFeedback = .init()) {
            stack = CacheStack(
                tiers: [memory, semantic],
                configuration: .init(cacheabilityPolicy: nil, semanticFeedback: feedback))
        }

        /// A model whose answer depends on the words only, so paraphrases agree.
        func ask(_ prompt: String, answer: String? = nil) async throws -> CacheResult<String> {
            try await stack.response(for: prompt) { prompt in
                calls.increment()
                return answer ?? "answer about " + prompt.split(separator: " ").sorted().joined(separator: " ")
            }
        }

        var modelCalls: Int { calls.value }
    }

    @Test func entryReferencesRoundTripThroughTheirText() throws {
        let query = CacheQuery(request: "capital of France?", namespaceVersion: 7)
        let reference = query.entryReference
        #expect(EntryReference(reference.description) == reference)
        #expect(reference.description.hasPrefix("v7."))
        for invalid in ["", "v7", "7.\(query.scope.hex).\(query.key.hex)", "v7.zz.\(query.key.hex)", "vx.a.b"] {
            #expect(EntryReference(invalid) == nil)
        }
    }

    @Test func aWrongSemanticHitIsNeverServedAgainForThatPairing() async throws {
        let harness = Harness()
        _ = try await harness.ask("capital city France")
        let paraphrase = try await harness.ask("France capital city", answer: "ignored")
        #expect(paraphrase.isCacheHit)
        let match = try #require(paraphrase.match)
        #expect(match.entry.key == CacheQuery(request: "capital city France").key)

        try await harness.stack.reportWrongAnswer(for: paraphrase)
        let again = try await harness.ask("France capital city", answer: "the right one")
        #expect(!again.isCacheHit, "the copy promoted under the paraphrase's key must be gone too")
        #expect(again.value == "the right one")
        let statistics = harness.stack.statistics.feedback
        #expect(statistics.wrongReports == 1 && statistics.refusals == 1 && statistics.observations == 1)
        // The original question still gets its own answer.
        #expect(try await harness.ask("capital city France").isCacheHit)
    }

    @Test func aWrongExactAnswerLeavesEveryTier() async throws {
        let harness = Harness()
        let computed = try await harness.ask("capital city France", answer: "Lyon")
        #expect(computed.entry == CacheQuery(request: "capital city France").entryReference)
        let hit = try await harness.ask("capital city France")
        #expect(hit.value == "Lyon" && hit.match == nil)

        try await harness.stack.reportWrongAnswer(for: hit)
        #expect(harness.memory.count == 0 && harness.semantic.count == 0)
        #expect(try await harness.ask("capital city France", answer: "Paris").value == "Paris")
        #expect(try await harness.ask("France capital city").value == "Paris")
    }

    @Test func withAnErrorBudgetAndNoEvidenceACandidateIsDeclinedAndLearnedFrom() async throws {
        let harness = Harness(feedback: SemanticFeedback(errorBudget: ErrorBudget(seed: 1)))
        _ = try await harness.ask("capital city France")
        let explored = try await harness.ask("France capital city")
        #expect(!explored.isCacheHit && harness.modelCalls == 2)
        await harness.stack.waitForPendingStores()
        let feedback = harness.stack.statistics.feedback
        #expect(feedback.declines == 1 && feedback.explorations == 0 && feedback.observations == 1)
        let observations = try await harness.stack.configuration.semanticFeedback.observations
            .observations(of: CacheQuery(request: "capital city France").entryReference)
        #expect(observations.observations == [MatchObservation(score: 1, correct: true)])
    }

    @Test func withEnoughRightObservationsTheBudgetServesConfidentMatches() async throws {
        let store = MemoryObservationStore()
        let elsewhere = CacheQuery(request: "unrelated").entryReference
        for index in 0..<400 {
            let score = Float(index % 100) / 100
            store.record(MatchObservation(score: score, correct: score >= 0.7), for: elsewhere)
        }
        let harness = Harness(feedback: SemanticFeedback(errorBudget: ErrorBudget(seed: 2), observations: store))
        var served = 0
        for topic in ["France", "Spain", "Italy", "Peru", "Chile", "Japan", "Kenya", "Egypt", "Norway", "Canada"] {
            _ = try await harness.ask("capital city \(topic)")
            if try await harness.ask("\(topic) capital city").isCacheHit { served += 1 }
        }
        #expect(served >= 8, "matches at similarity 1, far above a learned boundary near 0.7, should be served")
        #expect(MatchBoundary(fitting: store.pooledObservations().map { ($0, 1) }).map { abs($0.threshold - 0.7) < 0.05 } == true)
    }

    @Test func sampledVerificationRecordsADisagreementAndRetractsTheHit() async throws {
        let harness = Harness(feedback: SemanticFeedback(verificationRate: 1))
        let answers = Mutex(["Paris", "Marseille"])
        let model = harness.stack.wrap { (_: String) async throws -> String in
            answers.withLock { $0.isEmpty ? "Paris" : $0.removeFirst() }
        }
        #expect(try await model("capital city France") == "Paris")
        #expect(try await model("France capital city") == "Paris")  // served, then verified
        await harness.stack.waitForPendingStores()
        let feedback = harness.stack.statistics.feedback
        #expect(feedback.verifications == 1 && feedback.verificationMismatches == 1)
        #expect(try await model("France capital city") == "Paris", "refused: the model answers")
        #expect(harness.stack.statistics.feedback.refusals == 1)
    }

    @Test func answersCompareAfterFoldingCaseSpaceAndFinalPunctuation() async {
        let judge = NormalizedAnswerEquivalence()
        #expect(await judge.equivalent(stored: "Paris.", fresh: "  paris "))
        #expect(await !judge.equivalent(stored: "Paris", fresh: "Lyon"))
        let embedded = NormalizedAnswerEquivalence(embedder: DeterministicTestEmbedder(), minimumSimilarity: 0.8)
        #expect(await embedded.equivalent(stored: "It opens at 9 on weekdays", fresh: "on weekdays it opens at 9"))
        #expect(await !embedded.equivalent(stored: "It opens at 9 on weekdays", fresh: "It opens at 10 on weekdays"))
    }

    @Test func theBoundaryIsCautiousOnLittleEvidenceAndLearnsWhereMatchesGoWrong() throws {
        #expect(MatchBoundary(fitting: []) == nil)
        func allRight(_ count: Int) throws -> Double {
            let observations = (0..<count).map { _ in (observation: MatchObservation(score: 0.9, correct: true), weight: 1.0) }
            return try #require(MatchBoundary(fitting: observations)).pessimisticErrorProbability(score: 0.9, deviations: 1.645)
        }
        // All right still leaves a chance of a wrong match, smaller with more evidence.
        let (few, some, many) = (try allRight(20), try allRight(200), try allRight(2000))
        #expect(few > 0.01 && many < some && some < few && many < 0.005, "\(few) \(some) \(many)")

        var mixed: [(observation: MatchObservation, weight: Double)] = []
        for index in 0..<1000 {
            let score = Float(index) / 1000
            // Right above 0.8, wrong below, with some noise near the boundary.
            let correct = score > 0.8 ? index % 50 != 0 : index % 10 == 0 && score > 0.7
            mixed.append((MatchObservation(score: score, correct: correct), 1))
        }
        let boundary = try #require(MatchBoundary(fitting: mixed))
        #expect((0.7...0.85).contains(boundary.threshold))
        let high = boundary.pessimisticErrorProbability(score: 0.99, deviations: 1.645)
        #expect(boundary.pessimisticErrorProbability(score: 0.6, deviations: 1.645) > 0.9 && high < 0.05)
        #expect(boundary.pessimisticErrorProbability(score: 0.99, deviations: 0) < high)

        // With 1% allowed over 1000 requests, the expected wrong answers of
        // the served candidates stay under 10.
        let scores = mixed.map(\.observation.score)
        let threshold = try #require(
            boundary.servingThreshold(scores: scores, requests: 1000, maximumErrorRate: 0.01, deviations: 1.645))
        let expected = scores.filter { $0 >= threshold }.reduce(0) {
            $0 + boundary.pessimisticErrorProbability(score: $1, deviations: 1.645)
        }
        #expect(expected <= 10 && Double(threshold) > boundary.threshold)
        #expect(boundary.servingThreshold(scores: [0.5], requests: 1, maximumErrorRate: 0.01, deviations: 1.645) == nil)
    }

    @Test func observationsParseOnlyTheirOwnEncoding() {
        let observation = MatchObservation(score: 0.8125, correct: false)
        #expect(MatchObservation(encoded: observation.encoded) == observation)
        for invalid in ["", "0.5", "0.5:2", "nan:1", "x:1", "0.5:1:1"] { #expect(MatchObservation(encoded: invalid) == nil) }
    }
}
