import ArgumentParser
import Foundation
import LLMCache

/// `llmcache embed`: precompute, debug and compare embeddings.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Add an \"embedding\" (float32, full precision) to each {\"text\": …} line.")

    @Option(help: "JSON Lines input; each line needs a \"text\" string.")
    var input: String

    @Option(help: "Where to write the result (default: standard output).")
    var output: String?

    @OptionGroup var embedder: EmbedderOptions

    func run() async throws {
        let records = try readJSONLines(input)
        let texts = try records.enumerated().map { index, record in
            guard let text = record["text"] as? String else {
                throw ValidationError("\(input): line \(index + 1) has no \"text\" string")
            }
            return text
        }
        let model = try await embedder.makeEmbedder()
        var lines: [String] = []
        for start in stride(from: 0, to: texts.count, by: embedder.batch) {
            let end = min(start + embedder.batch, texts.count)
            let vectors = try await model.embed(Array(texts[start..<end]))
            for (record, vector) in zip(records[start..<end], vectors) {
                lines.append(try line(record, embedding: vector))
            }
        }
        let text = lines.map { $0 + "\n" }.joined()
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The input record with `embedding` added. Floats are written in their
    /// shortest form that reads back to the same float32.
    private func line(_ record: [String: Any], embedding: [Float]) throws -> String {
        var rest = record
        rest["embedding"] = nil
        let object = String(decoding: try JSONSerialization.data(withJSONObject: rest, options: [.sortedKeys]), as: UTF8.self)
        let numbers = embedding.map { "\($0)" }.joined(separator: ",")
        return String(object.dropLast()) + (rest.isEmpty ? "" : ",") + "\"embedding\":[\(numbers)]}"
    }
}
