import Foundation
import LLMCacheEmbeddings
import Testing

/// The native encoder against sentence-transformers' vectors for every text
/// of the reference file, alone and in batches, plus the properties callers
/// rely on: padding never leaks between texts, and bad model files fail with
/// an error that names them.
@Suite("MiniLM embedder against the reference embeddings")
struct MiniLMEmbedderTests {
    struct Record: Decodable {
        let text: String
        let category: String
        let embedding: [Float]
    }

    static func records() throws -> [Record] { try ModelFiles.referenceRecords() }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0
        var normA = 0.0
        var normB = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            normA += Double(x) * Double(x)
            normB += Double(y) * Double(y)
        }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    /// Checks every vector against its record; reports the worst cosine.
    static func expectMatches(_ vectors: [[Float]], _ records: [Record], batchSize: Int) -> Double {
        var worst = 1.0
        var failures: [String] = []
        for (vector, record) in zip(vectors, records) {
            #expect(vector.count == 384)
            let similarity = cosine(vector, record.embedding)
            worst = min(worst, similarity)
            if !(similarity >= 0.9999) {
                failures.append("[\(record.category)] \(record.text.prefix(60).debugDescription): cosine \(similarity)")
            }
        }
        #expect(vectors.count == records.count)
        let summary = failures.prefix(10).joined(separator: "\n")
        #expect(
            failures.isEmpty,
            "\(failures.count) of \(records.count) texts below cosine 0.9999 at batch size \(batchSize):\n\(summary)")
        print("MiniLM reference: batch size \(batchSize), \(records.count) texts, minimum cosine \(worst)")
        return worst
    }

    @Test func everyReferenceTextAloneMatches() async throws {
        let embedder = try await ModelFiles.embedder()
        let records = try Self.records()
        try #require(records.count >= 100, "expected the whole reference file, read \(records.count) records")
        var vectors: [[Float]] = []
        for record in records {
            let result = try await embedder.embed([record.text])
            try #require(result.count == 1)
            vectors.append(result[0])
        }
        _ = Self.expectMatches(vectors, records, batchSize: 1)
    }

    @Test func everyReferenceTextInBatchesOf32Matches() async throws {
        let embedder = try await ModelFiles.embedder()
        let records = try Self.records()
        try #require(records.count >= 100, "expected the whole reference file, read \(records.count) records")
        // The file is grouped by category; a stride permutation mixes empty,
        // short, long and truncated texts in every batch.
        let order = (0..<records.count).sorted { ($0 * 37) % records.count < ($1 * 37) % records.count }
        let mixed = order.map { records[$0] }
        var vectors: [[Float]] = []
        for start in stride(from: 0, to: mixed.count, by: 32) {
            let batch = mixed[start..<min(start + 32, mixed.count)]
            vectors += try await embedder.embed(batch.map(\.text))
        }
        _ = Self.expectMatches(vectors, mixed, batchSize: 32)
    }

    @Test func paddingDoesNotChangeAText() async throws {
        let embedder = try await ModelFiles.embedder()
        let short = "How do I reset my password?"
        let long = Array(repeating: "The quick brown fox jumps over the lazy dog near the river bank.", count: 40)
            .joined(separator: " ")
        #expect(embedder.tokenizer.encode(long, maxLength: embedder.maxSequenceLength).count == 256)
        let alone = try await embedder.embed([short])[0]
        let batched = try await embedder.embed([long, short, "", long])
        let longAlone = try await embedder.embed([long])[0]
        #expect(batched.count == 4)
        let shortDifference = zip(alone, batched[1]).map { abs($0 - $1) }.max() ?? .infinity
        let longDifference = zip(longAlone, batched[0]).map { abs($0 - $1) }.max() ?? .infinity
        #expect(shortDifference <= 1e-5, "short text moved by \(shortDifference) next to a long one")
        #expect(longDifference <= 1e-5, "long text moved by \(longDifference) next to short ones")
        // Two copies of one text in one batch: BLAS may block their rows
        // differently (edge tiles on CPUs without AVX-512), so allow rounding.
        let copyDifference = zip(batched[0], batched[3]).map { abs($0 - $1) }.max() ?? .infinity
        #expect(copyDifference <= 1e-6, "two copies of one text differ by \(copyDifference)")
    }

    @Test func propertiesAndEmptyInput() async throws {
        let embedder = try await ModelFiles.embedder()
        #expect(embedder.identifier == "all-MiniLM-L6-v2")
        #expect(embedder.dimensions == 384)
        #expect(embedder.maxSequenceLength == 256)
        #expect(try await embedder.embed([]).isEmpty)
        let vector = try await embedder.embed(["unit length"])[0]
        let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
    }

    @Test func concurrentCallersGetTheirOwnVectors() async throws {
        let embedder = try await ModelFiles.embedder()
        let texts = (0..<8).map { "question number \($0) about caching" }
        let sequential = try await embedder.embed(texts)
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await embedder.embed([text])[0]) }
            }
            var results = [[Float]](repeating: [], count: texts.count)
            for try await (index, vector) in group { results[index] = vector }
            return results
        }
        for (a, b) in zip(sequential, concurrent) {
            let difference = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= 1e-5)
        }
    }

    @Test func aSmallBatchSizeSplitsWithoutChangingVectors() async throws {
        let embedder = try await MiniLMEmbedder.load(
            modelFolder: ModelFiles.folder, configuration: .init(threads: 1, maxBatchSize: 2))
        let texts = ["one", "two words", "a third, longer text", "four", "five"]
        let split = try await embedder.embed(texts)
        let whole = try await ModelFiles.embedder().embed(texts)
        #expect(split.count == 5)
        for (a, b) in zip(split, whole) {
            #expect((zip(a, b).map { abs($0 - $1) }.max() ?? .infinity) <= 1e-5)
        }
    }
}

/// Missing and corrupt model files fail at init with an ``EmbeddingError``
/// that names the file, never with a crash or wrong vectors.
@Suite("MiniLM embedder model-file errors")
struct MiniLMModelFileErrorTests {
    /// A folder with the real configuration and vocabulary (symlinked) and
    /// the given bytes as `model.safetensors`.
    static func folder(withWeights weights: Data?) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("minilm-test-\(UUID().uuidString)", isDirectory: true)
        let manager = FileManager.default
        try manager.createDirectory(
            at: folder.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        for name in ["config.json", "sentence_bert_config.json", "vocab.txt", "1_Pooling/config.json"] {
            try manager.createSymbolicLink(
                at: folder.appendingPathComponent(name),
                withDestinationURL: ModelFiles.folder.appendingPathComponent(name))
        }
        if let weights {
            try weights.write(to: folder.appendingPathComponent("model.safetensors"))
        }
        return folder
    }

    static func safetensors(header: String, dataBytes: Int = 0) -> Data {
        var length = UInt64(header.utf8.count).littleEndian
        var data = Data(bytes: &length, count: 8)
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: dataBytes))
        return data
    }

    static func expectError(
        _ code: EmbeddingError.Code, mentioning fragments: [String], folder: URL,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try MiniLMEmbedder(modelFolder: folder)
            Issue.record("expected \(code), the embedder loaded", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            for fragment in fragments + ["scripts/model.sh"] {
                #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func missingFolder() {
        let folder = URL(fileURLWithPath: "/nonexistent/minilm-\(UUID().uuidString)")
        Self.expectError(.modelFileMissing, mentioning: [folder.path], folder: folder)
    }

    /// The async loader reports a bad folder exactly as the initialiser does.
    @Test func loadingFromAsyncCodeThrowsTheSameErrors() async throws {
        let folder = try Self.folder(withWeights: nil)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try await MiniLMEmbedder.load(modelFolder: folder)
            Issue.record("expected modelFileMissing, the embedder loaded")
        } catch {
            #expect(error.code == .modelFileMissing && error.message.contains("model.safetensors"), "\(error)")
        }
    }

    @Test func missingWeights() throws {
        let folder = try Self.folder(withWeights: nil)
        defer { try? FileManager.default.removeItem(at: folder) }
        Self.expectError(.modelFileMissing, mentioning: ["model.safetensors"], folder: folder)
    }

    @Test func corruptHeaders() throws {
        let cases: [(Data, String)] = [
            (Data([1, 2, 3]), "too short"),
            (Data([0xE8, 0x03, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8), "header length 1000"),
            (Self.safetensors(header: "{not json"), "JSON"),
            (Self.safetensors(header: #"{"__metadata__":{"format":"pt"}}"#), "embeddings.word_embeddings.weight"),
            (
                Self.safetensors(
                    header: #"{"embeddings.word_embeddings.weight":{"dtype":"F16","shape":[30522,384],"data_offsets":[0,8]}}"#,
                    dataBytes: 8),
                "F16"
            ),
            (
                Self.safetensors(
                    header: #"{"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[30522,384],"data_offsets":[0,46881792]}}"#,
                    dataBytes: 8),
                "data offsets"
            ),
        ]
        for (weights, problem) in cases {
            let folder = try Self.folder(withWeights: weights)
            defer { try? FileManager.default.removeItem(at: folder) }
            Self.expectError(.malformedModelFile, mentioning: ["model.safetensors", problem], folder: folder)
        }
    }

    @Test func missingConfiguration() throws {
        let folder = try Self.folder(withWeights: Data())
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("1_Pooling/config.json"))
        Self.expectError(.modelFileMissing, mentioning: ["1_Pooling/config.json"], folder: folder)
    }
}
