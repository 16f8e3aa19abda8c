/// The character classes BERT's normaliser and pre-tokeniser act on, defined
/// as Hugging Face `tokenizers` (the reference the model's outputs were
/// recorded with) defines them, which is not always what the names suggest:
///
/// - tab, line feed and carriage return are whitespace, not control characters;
/// - "control" is the Other categories (Cc, Cf, Co) but not unassigned code
///   points (Cn), which the reference keeps (they become `[UNK]`);
/// - all of ASCII's symbols (`$`, `+`, `<`, `=`, `>`, `^`, `` ` ``, `|`, `~`)
///   count as punctuation, beside every Unicode punctuation category (P*);
/// - "CJK" is a fixed list of ideograph blocks, not Hiragana, Katakana or Hangul.
///
/// Categories are the reference's (Unicode 8.0), not the Swift runtime's: see
/// ``ReferenceUnicode``.
extension Unicode.Scalar {
    /// Removed by the normaliser: control, format and private-use characters,
    /// U+0000 and U+FFFD (the replacement character), but not tab, LF or CR.
    var isBertRemoved: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00, 0xFFFD: return true
        case 0x20...0x7E: return false
        default: break
        }
        switch ReferenceUnicode.generalCategory(of: self) {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// Turned into a plain space by the normaliser (and then a word boundary):
    /// tab, LF, CR and every character with the Unicode White_Space property.
    var isBertWhitespace: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0x21...0x7E: return false
        default: return properties.isWhitespace
        }
    }

    /// Split off as a word of its own: ASCII punctuation and symbols
    /// (33–47, 58–64, 91–96, 123–126) and every Unicode punctuation category.
    var isBertPunctuation: Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0...127: return false
        default: break
        }
        switch ReferenceUnicode.generalCategory(of: self) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Dropped after NFD when accents are stripped: non-spacing marks (Mn).
    var isBertNonspacingMark: Bool {
        if value < 0x300 { return false }
        return ReferenceUnicode.generalCategory(of: self) == .nonspacingMark
    }

    /// Surrounded by spaces so that each becomes a word: the CJK ideograph
    /// blocks exactly as the reference lists them (its Extension E range starts
    /// at U+2B920, not U+2B820 as in the original BERT code, and we follow it).
    var isBertCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
