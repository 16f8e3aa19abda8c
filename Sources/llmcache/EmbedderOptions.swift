import ArgumentParser
import Foundation
import LLMCache
import LLMCacheEmbeddings

/// Which embedder a command uses: the native MiniLM unless told otherwise.
struct EmbedderOptions: ParsableArguments {
    @Option(help: "The MiniLM model folder (default: $LLMCACHE_MINILM_PATH, as scripts/model.sh prints).")
    var modelPath: String?

    @Option(help: "Texts per forward pass.")
    var batch: Int = 32

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    /// The configured embedder, remembering texts it has seen.
    func makeEmbedder() async throws -> CachingEmbedder {
        let folder = modelPath.map { URL(fileURLWithPath: $0) }
        return CachingEmbedder(try await MiniLMEmbedder.load(modelFolder: folder, configuration: .init(maxBatchSize: batch)))
    }
}

/// JSON Lines input, one object per line; blank lines are skipped.
func readJSONLines(_ path: String) throws -> [[String: Any]] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path)")
    }
    var objects: [[String: Any]] = []
    for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
    where !line.allSatisfy(\.isWhitespace) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ValidationError("\(path):\(number + 1) is not a JSON object")
        }
        objects.append(object)
    }
    return objects
}
