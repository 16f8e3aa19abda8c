import Foundation
import LLMCache

/// A stored frame and the entry inside it, as ``KeyInspection`` shows them.
public struct EntryReport: Encodable, Sendable {
    public struct Frame: Encodable, Sendable {
        /// What Redis stores for the answer: header and body.
        public var frameBytes: Int
        public var headerBytes: Int
        public var storedBodyBytes: Int
        /// The entry's size before compression.
        public var uncompressedBytes: Int
        public var compressed: Bool
        public var dictionaryId: UInt32?
        /// Uncompressed over stored body size.
        public var compressionRatio: Double
    }

    public struct Tag: Encodable, Sendable {
        public var name: String
        /// Whether the tag's set lists this entry (so invalidating the tag
        /// removes it); `nil` when it could not be checked.
        public var indexed: Bool?
    }

    public struct Entry: Encodable, Sendable {
        public var createdMs: Int64
        public var expiresMs: Int64?
        /// `fixed` or `sliding`.
        public var expiration: String
        public var slidingTtlMs: Int64?
        public var namespaceVersion: UInt64
        public var model: String?
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var sourceText: String?
        public var tags: [Tag]
        public var valueBytes: Int
        /// `chat response`, `text` or `binary`.
        public var valueKind: String
        public var valuePreview: String
    }

    public var frame: Frame?
    public var entry: Entry?
    /// Why the frame or entry could not be read (a corrupt frame, a missing dictionary).
    public var decodeError: String?

    /// Reads `frame`; `isIndexed` tells whether a tag's set lists the entry.
    public static func read(
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
            valuePreview: Self.preview(text, limit: preview))
        return EntryReport(frame: frame, entry: entry, decodeError: nil)
    }

    /// `text` on one line, cut to `limit` characters.
    static func preview(_ text: String, limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    /// The answer as readable text: a chat response's message, UTF-8 text, or hex.
    private static func describe(_ value: [UInt8]) -> (kind: String, text: String) {
        if let response = try? ChatResponse(cacheEncoded: value), let text = response.text {
            return ("chat response", text)
        }
        if let text = String(validating: value, as: UTF8.self) { return ("text", text) }
        return ("binary", value.prefix(48).map { String(format: "%02x", $0) }.joined())
    }
}
