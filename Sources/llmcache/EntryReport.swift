import Foundation
import LLMCache
import LLMCacheRedis

/// A stored frame and the entry inside it, as `inspect` shows them.
struct EntryReport: Encodable {
    struct Frame: Encodable {
        /// What Redis stores for the answer: header and body.
        var frameBytes: Int
        var headerBytes: Int
        var storedBodyBytes: Int
        /// The entry's size before compression.
        var uncompressedBytes: Int
        var compressed: Bool
        var dictionaryId: UInt32?
        /// Uncompressed over stored body size.
        var compressionRatio: Double
    }

    struct Tag: Encodable {
        var name: String
        /// Whether the tag's set lists this entry (so invalidating the tag
        /// removes it); `nil` when it could not be checked.
        var indexed: Bool?
    }

    struct Entry: Encodable {
        var createdMs: Int64
        var expiresMs: Int64?
        /// `fixed` or `sliding`.
        var expiration: String
        var slidingTtlMs: Int64?
        var namespaceVersion: UInt64
        var model: String?
        var promptTokens: Int?
        var completionTokens: Int?
        var sourceText: String?
        var tags: [Tag]
        var valueBytes: Int
        /// `chat response`, `text` or `binary`.
        var valueKind: String
        var valuePreview: String
    }

    var frame: Frame?
    var entry: Entry?
    /// Why the frame or entry could not be read (a corrupt frame, a missing dictionary).
    var decodeError: String?

    /// Reads `frame`; `isIndexed` tells whether a tag's set lists the entry.
    static func read(
        _ bytes: [UInt8], preview: Int, isIndexed: (String) async throws -> Bool?
    ) async throws -> EntryReport {
        let info: PayloadCodec.FrameInfo
        do {
            info = try PayloadCodec.frameInfo(PayloadCodec.frame(ofStored: bytes))
        } catch {
            return EntryReport(frame: nil, entry: nil, decodeError: error.message)
        }
        let frame = Frame(
            frameBytes: info.frameSize, headerBytes: info.headerSize, storedBodyBytes: info.storedBodySize,
            uncompressedBytes: info.uncompressedSize, compressed: info.isCompressed, dictionaryId: info.dictionaryID,
            compressionRatio: (info.compressionRatio * 100).rounded() / 100)
        let decoded: CacheEntry
        do {
            decoded = try PayloadCodec().decodeStoredEntry(bytes)
        } catch {
            let reason = info.dictionaryID.map { "compressed with dictionary \($0), which this tool does not have: \(error.message)" }
            return EntryReport(frame: frame, entry: nil, decodeError: reason ?? error.message)
        }
        var tags: [Tag] = []
        for tag in decoded.tags.sorted() { tags.append(Tag(name: tag, indexed: try await isIndexed(tag))) }
        let (kind, text) = describe(decoded.value)
        var sliding: Int64?
        if case .sliding(let ttl) = decoded.expiration { sliding = ttl.wholeMilliseconds }
        let entry = Entry(
            createdMs: decoded.createdAt.millisecondsSince1970, expiresMs: decoded.expiresAt?.millisecondsSince1970,
            expiration: sliding == nil ? "fixed" : "sliding", slidingTtlMs: sliding,
            namespaceVersion: decoded.namespaceVersion, model: decoded.model,
            promptTokens: decoded.usage?.promptTokens, completionTokens: decoded.usage?.completionTokens,
            sourceText: decoded.sourceText, tags: tags, valueBytes: decoded.value.count, valueKind: kind,
            valuePreview: Format.preview(text, limit: preview))
        return EntryReport(frame: frame, entry: entry, decodeError: nil)
    }

    /// The answer as readable text: a chat response's message, UTF-8 text, or hex.
    private static func describe(_ value: [UInt8]) -> (kind: String, text: String) {
        if let response = try? ChatResponse(cacheEncoded: value), let text = response.text {
            return ("chat response", text)
        }
        if let text = String(validating: value, as: UTF8.self) { return ("text", text) }
        return ("binary", value.prefix(48).map { String(format: "%02x", $0) }.joined())
    }

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
