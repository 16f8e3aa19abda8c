import LLMCache

/// Rewrites a question into one that looks almost the same but asks
/// something else: the hard negatives a verifier must learn to refuse and
/// that labelled paraphrase data holds too few of.
///
/// General edits over general word lists (``EnglishWords``), applied to the
/// training questions: a changed number, a negation added or removed, a word
/// swapped for its antonym or a direction for its opposite, and two content
/// words trading places (swapped roles), a unit for another of its
/// dimension ("km" for "miles", "episode" for "season").
enum MeaningFlips {
    enum Kind: String, CaseIterable {
        case number, negation, antonym, relation, roles, unit
    }

    /// `text` flipped by the first applicable kind, trying `kinds` in order
    /// starting at `offset` (so a corpus gets an even mix); `nil` if none applies.
    static func flip(_ text: String, offset: Int) -> (kind: Kind, text: String)? {
        let kinds = Kind.allCases
        for step in 0..<kinds.count {
            let kind = kinds[(offset + step) % kinds.count]
            if let flipped = flip(text, kind), flipped != text { return (kind, flipped) }
        }
        return nil
    }

    static func flip(_ text: String, _ kind: Kind) -> String? {
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        func core(_ word: String) -> (prefix: String, body: String, suffix: String) {
            let body = word.drop { !$0.isLetter && !$0.isNumber }
            let prefix = String(word.prefix(word.count - body.count))
            let trimmed = String(body.reversed().drop { !$0.isLetter && !$0.isNumber }.reversed())
            return (prefix, trimmed, String(body.dropFirst(trimmed.count)))
        }
        func replace(at index: Int, with replacement: String) {
            let parts = core(words[index])
            let first = parts.body.first
            var replacement = replacement
            if first?.isUppercase == true { replacement = replacement.prefix(1).uppercased() + replacement.dropFirst() }
            words[index] = parts.prefix + replacement + parts.suffix
        }
        switch kind {
        case .number:
            guard let index = words.firstIndex(where: { core($0).body.allSatisfy(\.isNumber) && !core($0).body.isEmpty }),
                let value = Int(core(words[index]).body.prefix(9))
            else { return nil }
            replace(at: index, with: String(value < 3 ? value + 2 : value * 2))
        case .negation:
            if let index = words.firstIndex(where: { EnglishWords.negators.contains(core($0).body.lowercased()) }),
                core(words[index]).body.lowercased() == "not"
            {
                words.remove(at: index)
            } else {
                let auxiliaries: Set<String> = [
                    "is", "are", "was", "were", "can", "does", "do", "did", "will", "should", "would", "could", "has",
                    "have",
                ]
                guard let index = words.firstIndex(where: { auxiliaries.contains(core($0).body.lowercased()) }) else {
                    return nil
                }
                words.insert("not", at: index + 1)
            }
        case .antonym, .relation:
            let opposites = kind == .antonym ? EnglishWords.antonyms : EnglishWords.oppositeRelations
            guard let index = words.firstIndex(where: { opposites[core($0).body.lowercased()] != nil }),
                let other = opposites[core(words[index]).body.lowercased()]?.sorted().first
            else { return nil }
            replace(at: index, with: other)
        case .unit:
            guard let index = words.firstIndex(where: { EnglishWords.units[core($0).body.lowercased()] != nil }),
                let unit = EnglishWords.units[core(words[index]).body.lowercased()],
                let others = EnglishWords.unitsByDimension[unit.dimension],
                let other = others.first(where: { $0.unit != unit.unit })
            else { return nil }
            replace(at: index, with: other.words[other.words.count > 1 ? 1 : 0])
        case .roles:
            let content = words.indices.filter { index in
                let body = core(words[index]).body.lowercased()
                return body.count >= 3 && body.allSatisfy(\.isLetter) && !EnglishWords.functionWords.contains(body)
                    && !EnglishWords.negators.contains(body)
            }
            guard let first = content.first, let last = content.last, first != last,
                core(words[first]).body.lowercased() != core(words[last]).body.lowercased()
            else { return nil }
            let (a, b) = (core(words[first]).body, core(words[last]).body)
            replace(at: first, with: b)
            replace(at: last, with: a)
        }
        return words.joined(separator: " ")
    }
}
