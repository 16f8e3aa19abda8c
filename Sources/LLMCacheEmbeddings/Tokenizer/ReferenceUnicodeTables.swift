/// Which Unicode the reference tokenizer knows, where it differs from the
/// tables of the Swift runtime.
///
/// Hugging Face `tokenizers` classifies characters with general categories of
/// Unicode 8.0 and decomposes (NFD) with tables of Unicode 9.0. The Swift
/// runtime carries a much newer Unicode, so without this file a character
/// assigned since then (new punctuation, new combining marks in many scripts)
/// would be split off or stripped where the reference keeps it inside the
/// word, and the model would see different ids. Measured against tokenizers
/// 0.23.3 for every code point: with these rules the two agree on all of them.
enum ReferenceUnicode {
    /// The last Unicode version of the reference's category tables.
    static let categoryVersion = (major: 8, minor: 0)
    /// The last Unicode version of the reference's decomposition tables.
    static let decompositionVersion = (major: 9, minor: 0)

    /// The general category the reference sees: `.unassigned` for a character
    /// newer than its tables (it is then neither removed, nor punctuation, nor
    /// a mark), and the Unicode 8.0 category for the few characters whose
    /// category has changed since in a way that matters to BERT.
    static func generalCategory(of scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        switch scalar.value {
        case 0x166D, 0x111C9: return .otherPunctuation  // CANADIAN SYLLABICS CHI SIGN, SHARADA SANDHI MARK
        case 0x1734, 0x1171E: return .nonspacingMark  // HANUNOO SIGN PAMUDPOD, AHOM CONSONANT SIGN MEDIAL RA
        case 0x1885, 0x1886: return .otherLetter  // MONGOLIAN LETTER ALI GALI (THREE) BALUDA
        case 0xA9BD: return .spacingMark  // JAVANESE CONSONANT SIGN KERET
        default: break
        }
        guard isAssigned(scalar, by: categoryVersion) else { return .unassigned }
        return scalar.properties.generalCategory
    }

    /// False for a character newer than the reference's decomposition tables:
    /// the reference neither decomposes it nor reorders combining marks
    /// across it (to it, an unknown character is a starter of class 0).
    static func knowsDecomposition(of scalar: Unicode.Scalar) -> Bool {
        scalar.properties.age == nil || isAssigned(scalar, by: decompositionVersion)
    }

    private static func isAssigned(_ scalar: Unicode.Scalar, by version: (major: Int, minor: Int)) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < version.major || (age.major == version.major && age.minor <= version.minor)
    }
}
