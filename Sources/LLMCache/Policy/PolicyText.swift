/// A prompt cut into lower-cased words for the cacheability rules.
///
/// Hand-written rather than `Regex`, because it runs on every request before
/// a memory hit that takes microseconds. Rules:
/// - a word is a run of letters and digits; an apostrophe between letters
///   (', ’, ‘ or ʼ) stays in it as `'`, and a trailing `'s` is dropped
///   ("today's" → "today", "what’s" → "what");
/// - `:`, `/`, `-` and `.` between two digits stay inside the word
///   ("2024-05-01", "10:30", "3/5/2024"), and so does `.` between two letters
///   ("p.m.", "e.g.");
/// - punctuation (`. , ; : ! ? ( ) [ ] " …` and line breaks) ends a clause:
///   a phrase never matches across it ("in my opinion, order…"); `. ! ? ;`
///   and line breaks also end a sentence.
struct PolicyText {
    struct Word {
        var text: String
        /// The clause it belongs to; phrases match within one clause only.
        var clause: Int
        /// The sentence it belongs to.
        var sentence: Int
    }

    private(set) var words: [Word] = []

    init(_ text: String) {
        let scalars = Array(text.lowercased().unicodeScalars)
        var current = String.UnicodeScalarView()
        var clause = 0
        var sentence = 0
        func flush() {
            guard !current.isEmpty else { return }
            var word = String(current)
            if word.hasSuffix("'s") { word.removeLast(2) }
            while word.hasSuffix("'") { word.removeLast() }
            if !word.isEmpty { words.append(Word(text: word, clause: clause, sentence: sentence)) }
            current = String.UnicodeScalarView()
        }
        for (index, scalar) in scalars.enumerated() {
            if Self.isWordScalar(scalar) {
                current.append(scalar)
                continue
            }
            let previous = index > 0 ? scalars[index - 1] : " "
            let next = index + 1 < scalars.count ? scalars[index + 1] : " "
            let digits = Self.isDigit(previous) && Self.isDigit(next)
            let letters = previous.properties.isAlphabetic && next.properties.isAlphabetic
            if !current.isEmpty, letters, Self.apostrophes.contains(scalar) {
                current.append("'")
            } else if !current.isEmpty, digits, Self.numberJoiners.contains(scalar) {
                current.append(scalar)
            } else if !current.isEmpty, letters, scalar == "." {
                current.append(scalar)
            } else {
                flush()
                if Self.clauseBreaks.contains(scalar) { clause += 1 }
                if Self.sentenceBreaks.contains(scalar) { sentence += 1 }
            }
        }
        flush()
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || isDigit(scalar)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static let apostrophes: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{2018}", "\u{02BC}"]
    private static let numberJoiners: Set<Unicode.Scalar> = [":", "/", "-", "."]
    private static let sentenceBreaks: Set<Unicode.Scalar> = [".", "!", "?", ";", "\n", "\r", "\u{2026}"]
    private static let clauseBreaks: Set<Unicode.Scalar> = [
        ".", ",", ";", ":", "!", "?", "(", ")", "[", "]", "{", "}", "\"", "\u{201C}", "\u{201D}", "\u{2026}", "|", "\n", "\r",
    ]
}
