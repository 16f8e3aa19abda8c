/// Phrases (one or more words) found in a ``PolicyText`` with one pass over
/// its words, whole words only, within one clause.
struct PhraseSet: Sendable {
    /// Phrases split into words, grouped by their first word.
    private let byFirstWord: [String: [[String]]]

    init(_ phrases: some Sequence<String>) {
        var grouped: [String: [[String]]] = [:]
        for phrase in phrases {
            let words = PolicyText(phrase).words.map(\.text)
            guard let first = words.first else { continue }
            grouped[first, default: []].append(words)
        }
        byFirstWord = grouped
    }

    /// Every occurrence, as the range of word positions it covers.
    func matches(in text: PolicyText) -> [Range<Int>] {
        let words = text.words
        var found: [Range<Int>] = []
        for (start, word) in words.enumerated() {
            for phrase in byFirstWord[word.text] ?? [] where start + phrase.count <= words.count {
                let range = start..<(start + phrase.count)
                let sameClause = words[range].allSatisfy { $0.clause == word.clause }
                if sameClause, zip(words[range], phrase).allSatisfy({ $0.text == $1 }) { found.append(range) }
            }
        }
        return found
    }
}
