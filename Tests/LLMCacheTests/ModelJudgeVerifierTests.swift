import LLMCache
import LLMCacheTesting
import Testing

@Suite("Model judge verifier")
struct ModelJudgeVerifierTests {
    let comparison = SemanticComparison(
        query: "How can I reset my password?", candidate: "How do I reset my password?", similarity: 0.97)

    @Test func servesOnlyWhatTheJudgeSaysYesTo() async {
        let yes = ModelJudgeVerifier(prefilter: nil) { prompt in
            #expect(prompt.contains("How can I reset my password?") && prompt.contains("YES or NO"))
            return " Yes."
        }
        #expect(await yes.allows(comparison))
        let no = ModelJudgeVerifier(prefilter: nil) { _ in "NO, they differ" }
        #expect(await !no.allows(comparison))
        let rambling = ModelJudgeVerifier(prefilter: nil) { _ in "I think so, yes" }
        #expect(await !rambling.allows(comparison), "anything but a leading yes refuses")
        #expect(yes.judgements.asked == 1 && yes.judgements.failed == 0)
    }

    @Test func failsClosedOnErrorsAndTimeoutsUnlessToldOtherwise() async {
        struct Down: Error {}
        let failing = ModelJudgeVerifier(prefilter: nil) { _ in throw Down() }
        #expect(await !failing.allows(comparison))
        #expect(failing.judgements.failed == 1)
        let lenient = ModelJudgeVerifier(prefilter: nil, allowsOnFailure: true) { _ in throw Down() }
        #expect(await lenient.allows(comparison))

        // A judge that never answers: the budget ends the wait, and the call is cancelled.
        let gate = TestGate()
        let stuck = ModelJudgeVerifier(timeBudget: .milliseconds(50), prefilter: nil) { _ in
            await gate.wait()
            try Task.checkCancellation()
            return "YES"
        }
        #expect(await !stuck.allows(comparison))
        #expect(stuck.judgements.failed == 1)
        gate.open()
    }

    @Test func asksOnlyAboutCandidatesThePrefilterAllows() async {
        let judge = ModelJudgeVerifier { _ in "YES" }
        let flip = SemanticComparison(query: "What is 25% of 80?", candidate: "What is 15% of 80?", similarity: 0.99)
        #expect(await !judge.allows(flip))
        #expect(judge.judgements.asked == 0)
    }
}
