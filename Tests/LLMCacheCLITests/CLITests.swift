import Foundation
import LLMCache
import LLMCacheEmbeddings
import Testing

/// Runs the built `llmcache` binary, as a user would.
struct CommandLineTool {
    /// A product built next to the tests (`swift build --build-tests` builds
    /// the ones this test target depends on).
    static func executable(_ name: String) throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            root.appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            var current = directory
            for _ in 0..<4 {
                let binary = current.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
                current = current.deletingLastPathComponent()
            }
        }
        throw CLIError(description: "\(name) was not built (swift build --build-tests builds it)")
    }

    static var modelFolder: String {
        ProcessInfo.processInfo.environment[MiniLMEmbedder.modelPathVariable]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".cache/models/all-MiniLM-L6-v2").path
    }

    /// Exit status, standard output and standard error of `llmcache arguments…`
    /// (or of another built executable), with `environment` added to ours.
    ///
    /// The process is waited for on a thread of its own: blocking a thread of
    /// the cooperative pool (two on a 2-core machine) for a whole example run
    /// would stall every other test meanwhile, and time out their waits.
    static func run(
        _ arguments: [String], input: String = "", executable name: String = "llmcache",
        environment overrides: [String: String] = [:]
    ) async throws -> (status: Int32, output: String, error: String) {
        let binary = try executable(name)
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try runBlocking(binary, arguments: arguments, input: input, environment: overrides)
                })
            }.start()
        }
    }

    private static func runBlocking(
        _ binary: URL, arguments: [String], input: String, environment overrides: [String: String]
    ) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment[MiniLMEmbedder.modelPathVariable] = modelFolder
        environment.merge(overrides) { _, new in new }
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let standardInput = Pipe()
        process.standardInput = standardInput
        try process.run()
        standardInput.fileHandleForWriting.write(Data(input.utf8))
        try standardInput.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
}

func temporaryFile(_ contents: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-\(UUID().uuidString).jsonl").path
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("llmcache command line")
struct CLITests {
    @Test func embedWritesFullPrecisionVectorsThatMatchTheLibrary() async throws {
        let input = try temporaryFile(
            """
            {"text": "How do I reset my password?", "id": 1}
            {"text": "Wie spät ist es?"}

            {"text": ""}
            """)
        let output = input + ".out"
        let result = try await CommandLineTool.run(["embed", "--input", input, "--output", output, "--batch", "2"])
        #expect(result.status == 0, "\(result.error)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        // Batched as the tool batches them, so even the last bits agree.
        let embedder = try await MiniLMEmbedder.load(
            modelFolder: URL(fileURLWithPath: CommandLineTool.modelFolder), configuration: .init(maxBatchSize: 2))
        let expected = try await embedder.embed(["How do I reset my password?", "Wie spät ist es?", ""])
        for (line, vector) in zip(lines, expected) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let numbers = try #require(object["embedding"] as? [NSNumber])
            #expect(numbers.count == 384)
            #expect(numbers.map(\.floatValue) == vector, "float32 values read back exactly")
        }
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect((first["id"] as? NSNumber)?.intValue == 1, "other fields are kept")
    }

    @Test func embedRejectsBadInputWithAClearErrorAndAFailingStatus() async throws {
        let missing = try await CommandLineTool.run(["embed", "--input", "/nonexistent/file.jsonl"])
        #expect(missing.status != 0 && missing.error.contains("cannot read"))
        let noText = try await CommandLineTool.run(["embed", "--input", try temporaryFile("{\"title\": \"x\"}\n")])
        #expect(noText.status != 0 && noText.error.contains("\"text\""))
        let notJSON = try await CommandLineTool.run(["embed", "--input", try temporaryFile("not json\n")])
        #expect(notJSON.status != 0 && notJSON.error.contains("not a JSON object"))
    }

    @Test func calibratePrintsRatesPerThresholdAndSimulatesACache() async throws {
        let pairs = try temporaryFile(
            """
            {"a": "How do I reset my password?", "b": "How can I reset my password?", "label": 1}
            {"a": "What is the capital of France?", "b": "Which city is the capital of France?", "label": 1}
            {"a": "What is 15% of 80?", "b": "What is 25% of 80?", "label": 0}
            {"a": "How do I learn Swift?", "b": "How do I learn to swim?", "label": 0}
            {"a": "Is it safe to eat raw eggs?", "b": "Is it not safe to eat raw eggs?", "label": 0}
            """)
        let result = try await CommandLineTool.run(["calibrate", "--pairs", pairs, "--json", "--simulate"])
        #expect(result.status == 0, "\(result.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((report["positives"] as? NSNumber)?.intValue == 2)
        #expect((report["negatives"] as? NSNumber)?.intValue == 3)
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 29)
        let hitRates = rows.compactMap { ($0["hit_rate"] as? NSNumber)?.doubleValue }
        #expect(hitRates == hitRates.sorted(by: >), "a higher threshold never accepts more")
        // The guard vetoes the two negatives that look alike: numbers and negation.
        let falsePositives = rows.compactMap { ($0["false_positive_rate"] as? NSNumber)?.doubleValue }
        #expect(falsePositives.allSatisfy { $0 <= 1.0 / 3 })
        let simulation = try #require(report["simulation"] as? [[String: Any]])
        for row in simulation {
            let counts = ["correct_hits", "wrong_hits", "misses"].compactMap { (row[$0] as? NSNumber)?.intValue }
            #expect(counts.reduce(0, +) == 2, "every duplicate's query is a correct hit, a wrong one or a miss")
            let shares = ["correct_share_of_all", "wrong_share_of_all", "miss_share_of_all"]
                .compactMap { (row[$0] as? NSNumber)?.doubleValue }
            #expect(shares.count == 3 && abs(shares.reduce(0, +) - 1) < 1e-9)
        }
        // Negatives' "a" sides are stored too and their "b" sides looked up:
        // the guard vetoes the number and negation flips at every threshold…
        #expect(simulation.allSatisfy { ($0["negative_wrong_hits"] as? NSNumber)?.intValue == 0 })
        // …and without it, they are served at the loosest one.
        let unguarded = try await CommandLineTool.run(["calibrate", "--pairs", pairs, "--json", "--simulate", "--guard", "none"])
        let unguardedReport = try #require(try JSONSerialization.jsonObject(with: Data(unguarded.output.utf8)) as? [String: Any])
        let loosest = try #require((unguardedReport["simulation"] as? [[String: Any]])?.first)
        #expect((loosest["negative_wrong_hits"] as? NSNumber)?.intValue ?? 0 >= 1)
        let shipped = try #require(report["default_settings"] as? [String: Any])
        let threshold = try #require((shipped["threshold"] as? NSNumber)?.doubleValue)
        #expect(abs(threshold - Double(LearnedVerifier.defaultThreshold)) < 1e-6)
        #expect(shipped["guard_name"] as? String == "LearnedVerifier")
        #expect(shipped["hit_rate"] is NSNumber && shipped["false_positive_rate"] is NSNumber)
        #expect(shipped["simulation"] is [String: Any], "the strict simulation at the shipped settings")

        let table = try await CommandLineTool.run(["calibrate", "--pairs", pairs, "--guard", "none"])
        #expect(table.status == 0 && table.output.contains("threshold") && table.output.contains("guard: none"))
        let bad = try await CommandLineTool.run(["calibrate", "--pairs", try temporaryFile("{\"a\": \"x\"}\n")])
        #expect(bad.status != 0 && bad.error.contains("label"))
    }

    @Test func trainVerifierLearnsTheSameModelTwiceAndWritesWhatTheLibraryLoads() async throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/data/pairs/qqp-train.jsonl").path
        let lines = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n").prefix(80)
        let pairs = try temporaryFile(lines.joined(separator: "\n") + "\n")
        var models: [String] = []
        for _ in 0..<2 {
            let out = try temporaryFile("")
            let swift = try temporaryFile("")
            let result = try await CommandLineTool.run([
                "train-verifier", "--pairs", pairs, "--minimum-similarity", "0.5", "--out", out, "--swift", swift,
                "--json", "--no-progress",
            ])
            #expect(result.status == 0, "\(result.error)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            #expect((report["flips"] as? NSNumber)?.intValue ?? 0 > 0, "meaning flips of the positives are added")
            let model = try VerifierModel(json: Array(try Data(contentsOf: URL(fileURLWithPath: out))))
            #expect(model.withAlignment.features == VerifierFeatures.lexicalNames + VerifierFeatures.alignmentNames)
            #expect(model.minimumSimilarity == 0.5)
            let code = try String(contentsOfFile: swift, encoding: .utf8)
            #expect(code.contains("public static let shipped = VerifierModel("))
            models.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(models[0] == models[1], "the same pairs give the same weights")
        let empty = try await CommandLineTool.run(["train-verifier", "--pairs", try temporaryFile("")])
        #expect(empty.status != 0)
    }
}
