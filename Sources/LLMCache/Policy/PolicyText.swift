/// A prompt cut into lower-cased words for the cacheability rules.
///
/// One pass over the UTF-8 bytes, no `Regex` and no Unicode tables, because
/// it runs on every request before a memory hit that takes microseconds.
/// Rules:
/// - a word is a run of ASCII letters and digits and of non-ASCII
///   characters (other scripts, accented letters); ASCII is lower-cased;
/// - an apostrophe between letters (', ’, ‘ or ʼ) stays in it as `'`, and a
///   trailing `'s` is dropped ("today's" → "today", "what’s" → "what");
/// - `:`, `/`, `-` and `.` between two digits stay inside the word
///   ("2024-05-01", "10:30", "3/5/2024"), and so does `.` between two letters
///   ("p.m.", "e.g.");
/// - punctuation (`. , ; : ! ? ( ) [ ] { } " “ ” … |`) and line breaks end a
///   clause: a phrase never matches across it ("in my opinion, order…");
///   `. ! ? ;`, `…` and line breaks also end a sentence.
struct PolicyText {
    struct Word {
        var text: String
        /// The clause it belongs to; phrases match within one clause only.
        var clause: Int
        /// The sentence it belongs to.
        var sentence: Int
        /// Whether it holds a digit (only such words can be dates or times).
        var hasDigit: Bool
    }

    private(set) var words: [Word] = []

    init(_ text: String) {
        var text = text
        text.withUTF8 { scan($0) }
    }

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        var current: [UInt8] = []
        current.reserveCapacity(32)
        var clause = 0
        var sentence = 0
        var hasDigit = false
        func flush() {
            guard !current.isEmpty else { return }
            if current.count >= 2, current[current.count - 2] == 0x27, current[current.count - 1] == 0x73 {
                current.removeLast(2)  // 's
            }
            while current.last == 0x27 { current.removeLast() }
            if !current.isEmpty {
                words.append(
                    Word(
                        text: String(decoding: current, as: UTF8.self), clause: clause, sentence: sentence,
                        hasDigit: hasDigit))
            }
            current.removeAll(keepingCapacity: true)
            hasDigit = false
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let (kind, length) = Self.classify(bytes, at: index)
            let next = index + length < bytes.count ? Self.classify(bytes, at: index + length).kind : .separator
            let previous = current.last.map(Self.kind(ofWordByte:)) ?? .separator
            switch kind {
            case .letter:
                current.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            case .digit:
                current.append(byte)
                hasDigit = true
            case .nonASCII:
                current.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
            case .apostrophe where previous.isLetter && next.isLetter:
                current.append(0x27)
            case .joiner where previous == .digit && next == .digit, .dot where previous == .digit && next == .digit:
                current.append(byte)
            case .dot where previous.isLetter && next.isLetter:
                current.append(byte)
            case .dot, .sentenceBreak:
                flush()
                clause += 1
                sentence += 1
            case .joiner where byte == 0x3A, .clauseBreak:
                flush()
                clause += 1
            case .apostrophe, .joiner, .separator:
                flush()
            }
            index += length
        }
        flush()
    }

    private enum Kind: Equatable {
        case letter, digit, nonASCII, apostrophe, joiner, dot, clauseBreak, sentenceBreak, separator

        var isLetter: Bool { self == .letter || self == .nonASCII }
    }

    /// What the character starting at `index` is, and its length in bytes.
    private static func classify(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (kind: Kind, length: Int) {
        let byte = bytes[index]
        switch byte {
        case 0x61...0x7A, 0x41...0x5A: return (.letter, 1)
        case 0x30...0x39: return (.digit, 1)
        case 0x27: return (.apostrophe, 1)
        case 0x2F, 0x2D, 0x3A: return (.joiner, 1)  // / - :
        case 0x2E: return (.dot, 1)
        case 0x21, 0x3F, 0x3B, 0x0A, 0x0D: return (.sentenceBreak, 1)  // ! ? ; line breaks
        case 0x2C, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x22, 0x7C: return (.clauseBreak, 1)  // , ( ) [ ] { } " |
        case 0x80...: break
        default: return (.separator, 1)
        }
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        guard index + length <= bytes.count else { return (.separator, 1) }
        let second = length > 1 ? bytes[index + 1] : 0
        let third = length > 2 ? bytes[index + 2] : 0
        switch (byte, second, third) {
        case (0xE2, 0x80, 0x98), (0xE2, 0x80, 0x99), (0xCA, 0xBC, _): return (.apostrophe, length)  // ‘ ’ ʼ
        case (0xE2, 0x80, 0x9C), (0xE2, 0x80, 0x9D): return (.clauseBreak, length)  // “ ”
        case (0xE2, 0x80, 0xA6), (0xE2, 0x80, 0xA8), (0xE2, 0x80, 0xA9): return (.sentenceBreak, length)  // … and separators
        case (0xE2, 0x80, _), (0xC2, _, _): return (.separator, length)  // dashes, spaces, ¿ ¡ «
        default: return (.nonASCII, length)
        }
    }

    /// The kind of a byte already in a word (lower case, digits, `'`, joiners, UTF-8).
    private static func kind(ofWordByte byte: UInt8) -> Kind {
        switch byte {
        case 0x30...0x39: .digit
        case 0x80...: .nonASCII
        case 0x61...0x7A: .letter
        default: .separator
        }
    }
}
