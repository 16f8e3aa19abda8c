import Foundation
import Testing

@Suite("Examples run to completion")
struct ExampleTests {
    @Test func semanticFAQAnswersParaphrasesAndLetsTheGuardVeto() throws {
        let result = try CommandLineTool.run([], executable: "SemanticFAQ")
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        func outcome(of question: String) -> String? { lines.first { $0.hasSuffix(question) }.map { String($0.prefix(4)) } }
        #expect(outcome(of: "I forgot my password, how do I reset it?") == "HIT ")
        #expect(outcome(of: "Is my data not encrypted at rest?") == "MISS", "negation vetoed")
        #expect(outcome(of: "Do you offer a discount for 50 seats?") == "MISS", "other number vetoed")
        #expect(outcome(of: "What's the weather in Paris?") == "MISS")
    }

    @Test func streamingReplaysTheSecondAnswerFromTheCache() throws {
        let result = try CommandLineTool.run(["--fresh", "--stand-in"], executable: "Streaming")
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("LOCAL STAND-IN"))
        let answers = result.output.split(separator: "\n").filter { $0.hasPrefix("  answered by") }
        #expect(answers.count == 2)
        #expect(answers.first?.contains("answered by the model") == true)
        #expect(answers.last?.contains("answered by the cache, tier \"memory\"") == true)
        #expect(result.output.contains("the replay is identical to the first answer"))
        #expect(result.output.contains("Two identical requests at once: 1 model call,"))
    }
}
