/// Every word the default rules care about, in one table, so that a prompt
/// costs one hash lookup per word: most words are in no list at all.
struct PolicyLexicon: Sendable {
    /// Which list a phrase comes from.
    enum List: Sendable {
        case personal, howTo, timeSensitive, exception
    }

    /// A phrase, split into words, from one of the lists.
    struct Phrase: Sendable {
        var words: [String]
        var list: List
    }

    /// Single-word facts, kept apart from the phrases so that reading them costs no reference counting.
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let possessive = Flags(rawValue: 1)
        static let personalNoun = Flags(rawValue: 2)
        static let month = Flags(rawValue: 4)
        static let meridiem = Flags(rawValue: 8)
        static let startsPhrase = Flags(rawValue: 16)
    }

    private var flagTable: [String: Flags] = [:]
    private var phraseTable: [String: [Phrase]] = [:]

    init(
        possessives: Set<String> = [], personalNouns: Set<String> = [], personalPhrases: [String] = [],
        howToOpenings: [String] = [], timeSensitivePhrases: [String] = [], exceptions: [String] = []
    ) {
        for word in possessives { flagTable[word.lowercased(), default: []].insert(.possessive) }
        for word in personalNouns { flagTable[word.lowercased(), default: []].insert(.personalNoun) }
        for word in Self.months { flagTable[word, default: []].insert(.month) }
        for word in Self.meridiems { flagTable[word, default: []].insert(.meridiem) }
        let lists: [(List, [String])] = [
            (.personal, personalPhrases), (.howTo, howToOpenings), (.timeSensitive, timeSensitivePhrases),
            (.exception, exceptions),
        ]
        for (list, phrases) in lists {
            for phrase in phrases {
                let words = PolicyText(phrase).words.map(\.text)
                guard let first = words.first else { continue }
                phraseTable[first, default: []].append(Phrase(words: words, list: list))
                flagTable[first, default: []].insert(.startsPhrase)
            }
        }
    }

    /// What the table knows of `word`: nothing for most words.
    func flags(of word: String) -> Flags { flagTable[word] ?? [] }

    /// The phrases starting with `word`.
    func phrases(startingWith word: String) -> [Phrase] { phraseTable[word] ?? [] }

    /// Whether `word` (or it without a plural "s"/"es") is a personal noun.
    func isPersonalNoun(_ word: String) -> Bool {
        if flags(of: word).contains(.personalNoun) { return true }
        if word.hasSuffix("es"), flags(of: String(word.dropLast(2))).contains(.personalNoun) { return true }
        return word.hasSuffix("s") && flags(of: String(word.dropLast())).contains(.personalNoun)
    }

    static let meridiems: Set<String> = ["am", "pm", "a.m", "p.m"]
    static let months: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]
}

/// One reading of a prompt against a ``PolicyLexicon``: each word's entry,
/// and every phrase found (whole words, within one clause).
struct PolicyReading {
    struct Match {
        var range: Range<Int>
        var list: PolicyLexicon.List
    }

    let text: PolicyText
    /// What the lexicon knows of each word, by position.
    let flags: [PolicyLexicon.Flags]
    private(set) var matches: [Match] = []

    init(_ text: PolicyText, lexicon: PolicyLexicon) {
        self.text = text
        let words = text.words
        flags = words.map { lexicon.flags(of: $0.text) }
        for (start, flag) in flags.enumerated() where flag.contains(.startsPhrase) {
            for phrase in lexicon.phrases(startingWith: words[start].text) where start + phrase.words.count <= words.count {
                let range = start..<(start + phrase.words.count)
                let clause = words[start].clause
                if words[range].allSatisfy({ $0.clause == clause }), zip(words[range], phrase.words).allSatisfy({ $0.text == $1 }) {
                    matches.append(Match(range: range, list: phrase.list))
                }
            }
        }
    }

    /// The words at `range`, joined by spaces.
    func words(_ range: Range<Int>) -> String { text.words[range].map(\.text).joined(separator: " ") }
}
