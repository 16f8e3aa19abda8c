import Foundation

extension Encodable {
    /// What `--json` prints: one line, keys sorted and in snake case, so
    /// every command's output reads alike and diffs cleanly between runs.
    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
