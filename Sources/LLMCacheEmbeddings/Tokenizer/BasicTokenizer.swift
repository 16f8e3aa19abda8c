import Foundation  // NFD (`decomposedStringWithCanonicalMapping`); FoundationEssentials lacks it

/// BERT's text normalisation and pre-tokenisation for an uncased model: the
/// step that turns raw text into the words WordPiece then splits.
///
/// It reproduces Hugging Face's `BertNormalizer` (clean text, CJK handling,
/// accent stripping and lower-casing all on) followed by `BertPreTokenizer`,
/// because the model only gives the vectors it was trained for when it sees
/// exactly the ids the reference tokenizer produces:
///
/// 1. remove U+0000, U+FFFD and control/format/private-use characters, and turn
///    every whitespace character (tab, LF, CR included) into a space;
/// 2. put spaces around CJK ideographs, so each is a word of its own;
/// 3. decompose (NFD) and drop the non-spacing marks, which strips accents
///    ("café" → "cafe", "です" → "てす");
/// 4. lower-case character by character (no context rules: "Σ" is always "σ");
/// 5. split on whitespace (dropped) and on punctuation (each mark its own word).
///
/// What counts as control, whitespace and punctuation is in
/// `BertCharacterClasses.swift`; which Unicode version decides it, in
/// `ReferenceUnicodeTables.swift`.
public struct BasicTokenizer: Sendable {
    public init() {}

    /// The text after steps 1–4, before any splitting.
    public func normalize(_ text: some StringProtocol) -> String {
        var cleaned = String.UnicodeScalarView()
        var isASCII = true
        for scalar in text.unicodeScalars {
            if scalar.isBertRemoved { continue }
            if scalar.isBertWhitespace {
                cleaned.append(" ")
            } else if scalar.isBertCJKIdeograph {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
                isASCII = false
            } else {
                cleaned.append(scalar)
                if !scalar.isASCII { isASCII = false }
            }
        }

        var result = String.UnicodeScalarView()
        if isASCII {  // NFD leaves ASCII alone: skip the Foundation round trip
            for scalar in cleaned { result.append(Self.asciiLowercased(scalar)) }
            return String(result)
        }
        for scalar in Self.decomposed(cleaned) where !scalar.isBertNonspacingMark {
            if scalar.isASCII {
                result.append(Self.asciiLowercased(scalar))
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(result)
    }

    /// The words of `text`: normalised, split on whitespace and punctuation.
    public func words(in text: some StringProtocol) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func finishWord() {
            guard !current.isEmpty else { return }
            words.append(String(current))
            current = String.UnicodeScalarView()
        }
        for scalar in normalize(text).unicodeScalars {
            if scalar.isBertWhitespace {
                finishWord()
            } else if scalar.isBertPunctuation {
                finishWord()
                words.append(String(scalar))
            } else {
                current.append(scalar)
            }
        }
        finishWord()
        return words
    }

    /// NFD as the reference computes it: characters newer than its tables
    /// (``ReferenceUnicode/knowsDecomposition(of:)``) are left as they are and
    /// split the text into runs that are decomposed independently.
    private static func decomposed(_ scalars: String.UnicodeScalarView) -> String.UnicodeScalarView {
        var result = String.UnicodeScalarView()
        var run = String.UnicodeScalarView()
        func decomposeRun() {
            guard !run.isEmpty else { return }
            result.append(contentsOf: String(run).decomposedStringWithCanonicalMapping.unicodeScalars)
            run = String.UnicodeScalarView()
        }
        for scalar in scalars {
            if scalar.isASCII || ReferenceUnicode.knowsDecomposition(of: scalar) {
                run.append(scalar)
            } else {
                decomposeRun()
                result.append(scalar)
            }
        }
        decomposeRun()
        return result
    }

    private static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value) + 0x20) : scalar
    }
}
