extension CacheEntry {
    /// 2 added the source text's token vectors; layout 1 is still read.
    private static let layoutVersion: UInt8 = 2

    /// The entry as bytes for a tier that stores bytes (Redis); wrap the
    /// result in a ``PayloadCodec`` frame for checksums and compression.
    public func serialized() -> [UInt8] {
        var writer = ByteWriter(capacity: 96 + value.count + (sourceText?.utf8.count ?? 0))
        writer.write(Self.layoutVersion)
        writer.write(createdAt.millisecondsSince1970)
        // Int64.min stands for "never expires", so an expiry saturated at
        // CacheTime.distantPast is written one millisecond later instead.
        writer.write(expiresAt.map { max($0.millisecondsSince1970, Int64.min + 1) } ?? Int64.min)
        switch expiration {
        case .fixed: writer.write(Int64(-1))
        case .sliding(let ttl): writer.write(ttl.wholeMilliseconds)
        }
        writer.write(namespaceVersion)
        writer.write(UInt8(usage == nil ? 0 : 1))
        if let usage {
            writer.write(Int64(usage.promptTokens))
            writer.write(Int64(usage.completionTokens))
        }
        writer.write(optional: model)
        writer.write(optional: sourceText)
        writer.write(UInt8(sourceTokens == nil ? 0 : 1))
        sourceTokens?.serialized(into: &writer)
        writer.write(UInt32(tags.count))
        for tag in tags.sorted() { writer.write(tag) }
        writer.write(bytes: value)
        return writer.bytes
    }

    /// Rebuilds an entry from ``serialized()`` bytes; throws `.decodingFailed`
    /// on anything truncated or inconsistent.
    public init(serialized bytes: [UInt8]) throws(CacheError) {
        var reader = ByteReader(bytes)
        let version = try reader.read(UInt8.self)
        guard version == 1 || version == Self.layoutVersion else {
            throw CacheError(.decodingFailed, "unknown entry layout version \(version)")
        }
        let created = try reader.read(Int64.self)
        let expires = try reader.read(Int64.self)
        let sliding = try reader.read(Int64.self)
        let namespaceVersion = try reader.read(UInt64.self)
        var usage: TokenUsage?
        if try reader.read(UInt8.self) == 1 {
            usage = TokenUsage(
                promptTokens: Int(try reader.read(Int64.self)), completionTokens: Int(try reader.read(Int64.self)))
        }
        let model = try reader.readOptionalString()
        let sourceText = try reader.readOptionalString()
        var sourceTokens: TokenVectors?
        if version >= 2, try reader.read(UInt8.self) == 1 { sourceTokens = try TokenVectors(from: &reader) }
        let tagCount = Int(try reader.read(UInt32.self))
        guard tagCount <= bytes.count else { throw CacheError(.decodingFailed, "implausible tag count \(tagCount)") }
        var tags = Set<String>()
        for _ in 0..<tagCount { tags.insert(try reader.readString()) }
        let value = Array(try reader.readBytes())
        guard reader.isAtEnd else { throw CacheError(.decodingFailed, "trailing bytes after cache entry") }
        self.init(
            value: value,
            createdAt: CacheTime(millisecondsSince1970: created),
            expiresAt: expires == Int64.min ? nil : CacheTime(millisecondsSince1970: expires),
            expiration: sliding < 0 ? .fixed : .sliding(ttl: .milliseconds(sliding)),
            tags: tags, usage: usage, model: model, sourceText: sourceText,
            sourceTokens: sourceTokens,
            namespaceVersion: namespaceVersion
        )
    }
}
