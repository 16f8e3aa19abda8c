import Foundation
import LLMCache
import LLMCacheRedis

extension KeyInspection {
    var table: String {
        var lines: [(String, String)] = [("key", key)]
        var kindText = kind
        if let keyVersion {
            kindText += keyVersion == currentVersion
                ? ", version \(keyVersion) (current)" : ", version \(keyVersion) (retired: current is \(currentVersion))"
        }
        lines.append(("kind", kindText))
        lines.append(("type", type + (encoding.map { " (\($0))" } ?? "")))
        lines.append(("ttl", ttlMs.map { Format.span(milliseconds: $0) } ?? "none"))
        lines.append(("memory", memoryBytes.map { "\(Format.bytes($0)) in Redis (MEMORY USAGE)" } ?? "–"))
        for name in details.keys.sorted() { lines.append((name, details[name]!)) }
        if let answer { lines += answer.lines(now: CacheTime(millisecondsSince1970: nowMs)) }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}

extension EntryReport {
    /// `key: value` lines.
    func lines(now: CacheTime) -> [(String, String)] {
        var lines: [(String, String)] = []
        if let frame {
            let body = frame.compressed
                ? "zstd\(frame.dictionaryId.map { " with dictionary \($0)" } ?? ""), ratio \(String(format: "%.2f", frame.compressionRatio))"
                : "stored as is (below the compression threshold)"
            lines.append(("frame", "\(Format.bytes(frame.frameBytes)) (\(frame.headerBytes) B header + \(Format.bytes(frame.storedBodyBytes)) body): \(body)"))
            lines.append(("uncompressed", Format.bytes(frame.uncompressedBytes)))
        }
        if let decodeError { lines.append(("unreadable", decodeError)) }
        guard let entry else { return lines }
        lines.append(("created", "\(Format.time(.init(millisecondsSince1970: entry.createdMs))) (\(Format.span(milliseconds: now.millisecondsSince1970 - entry.createdMs)) ago)"))
        let expiry = entry.slidingTtlMs.map { "sliding, \(Format.span(milliseconds: $0)) after each hit" } ?? "fixed"
        lines.append(("expires", entry.expiresMs.map { "\(Format.time(.init(millisecondsSince1970: $0))) (\(expiry))" } ?? "never (\(expiry))"))
        lines.append(("entry version", "\(entry.namespaceVersion)"))
        lines.append(("model", entry.model ?? "–"))
        if let prompt = entry.promptTokens, let completion = entry.completionTokens {
            lines.append(("usage", "\(prompt) prompt + \(completion) completion tokens"))
        }
        lines.append(("source text", entry.sourceText.map { "\"\(Format.preview($0, limit: 200))\"" } ?? "–"))
        let tags = entry.tags.map { tag in
            tag.name + (tag.indexed.map { $0 ? "" : " (missing from its tag set!)" } ?? " (not checked)")
        }
        lines.append(("tags", tags.isEmpty ? "–" : tags.joined(separator: ", ")))
        lines.append(("value", "\(entry.valueKind), \(Format.bytes(entry.valueBytes)): \(entry.valuePreview)"))
        return lines
    }
}
