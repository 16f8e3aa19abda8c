/// A trie over the UTF-8 bytes of token texts.
///
/// Why bytes and not `String` keys: Swift compares strings by canonical
/// equivalence, so a `[String: Int32]` would answer a lookup of decomposed
/// Hangul jamo (what NFD makes of "가") with the id of a precomposed token,
/// while the reference tokenizer compares bytes and finds nothing. Walking
/// bytes also gives WordPiece's longest-match-first in one pass per position
/// instead of one hash lookup per candidate length.
///
/// Every node is an index; the edges of all nodes share one dictionary keyed
/// by `node << 8 | byte`, which is compact for the ~30k tokens of a BERT
/// vocabulary (about 100k nodes) and needs no per-node allocation.
struct TokenTrie: Sendable {
    /// The node every walk starts from: the empty text.
    static let root: UInt32 = 0

    private var edges: [UInt64: UInt32] = [:]
    /// Per node, the id of the token ending there, or -1.
    private var values: [Int32] = [-1]

    init() {}

    /// Adds a token; returns the id already stored for the same bytes, if any
    /// (the new id is then not stored).
    mutating func insert(_ bytes: some Sequence<UInt8>, id: Int32) -> Int32? {
        var node = Self.root
        for byte in bytes {
            let key = UInt64(node) << 8 | UInt64(byte)
            if let next = edges[key] {
                node = next
            } else {
                let next = UInt32(values.count)
                values.append(-1)
                edges[key] = next
                node = next
            }
        }
        let existing = values[Int(node)]
        if existing >= 0 { return existing }
        values[Int(node)] = id
        return nil
    }

    /// The node reached from `node` by `bytes`, or nil if no token continues that way.
    func node(from node: UInt32 = Self.root, following bytes: some Sequence<UInt8>) -> UInt32? {
        var current = node
        for byte in bytes {
            guard let next = edges[UInt64(current) << 8 | UInt64(byte)] else { return nil }
            current = next
        }
        return current
    }

    /// The id of the token whose bytes are exactly `bytes`.
    func id(of bytes: some Sequence<UInt8>) -> Int32? {
        guard let node = node(following: bytes) else { return nil }
        let value = values[Int(node)]
        return value >= 0 ? value : nil
    }

    /// The longest token that, appended to the text of `node`, matches
    /// `bytes[start...]` from its beginning: its id and the index just past it.
    ///
    /// Tokens are valid UTF-8, so a match always ends on a scalar boundary of
    /// `bytes` (a token cannot end half-way through a multi-byte sequence).
    func longestMatch(
        from node: UInt32, in bytes: UnsafeBufferPointer<UInt8>, at start: Int
    ) -> (id: Int32, end: Int)? {
        var current = node
        var best: (id: Int32, end: Int)?
        var index = start
        while index < bytes.count {
            guard let next = edges[UInt64(current) << 8 | UInt64(bytes[index])] else { break }
            current = next
            index += 1
            let value = values[Int(current)]
            if value >= 0 { best = (value, index) }
        }
        return best
    }
}
