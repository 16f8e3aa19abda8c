/// What the words of two texts say about whether they ask the same thing,
/// without any model: numbers, units, negation, opposite words, overlap.
///
/// Each field is one feature of ``VerifierFeatures``; the verifier's model
/// decides how much each weighs.
struct LexicalComparison {
    /// The two texts hold different numbers ("2GB" and "1GB").
    var numbersDiffer: Bool
    /// One text is negated and the other is not.
    var negationDiffers: Bool
    /// A word of one text has an antonym in the other that the first lacks
    /// ("long" against "short").
    var antonymPair: Bool
    /// The same for directions and relations ("onto" against "off").
    var oppositeRelation: Bool
    /// Both texts name units of one dimension, and not the same ones
    /// ("km" and "miles", "episode" and "season"); a unit only one side
    /// names ("a cup of rice" and "rice") does not count.
    var unitsDiffer: Bool
    /// Shared content words over all content words (Jaccard), 1 for none.
    var overlap: Float
    /// The share of each text's content words the other lacks.
    var onlyInQuery: Float
    var onlyInCandidate: Float
    /// The shorter text's word count over the longer's.
    var lengthRatio: Float
    /// Among content words both texts hold once, the share of pairs in
    /// opposite order ("A follows B" against "B follows A").
    var orderSwaps: Float

    init(query: String, candidate: String) {
        let left = Words(query)
        let right = Words(candidate)
        numbersDiffer = NumberAndNegationGuard.numbers(in: query) != NumberAndNegationGuard.numbers(in: candidate)
        negationDiffers = left.negations % 2 != right.negations % 2
        antonymPair = Self.opposes(left.all, right.all, through: EnglishWords.antonyms)
        oppositeRelation = Self.opposes(left.all, right.all, through: EnglishWords.oppositeRelations)
        unitsDiffer = left.units.contains { dimension, units in
            right.units[dimension].map { $0 != units } ?? false
        }
        let union = left.content.union(right.content)
        overlap = union.isEmpty ? 1 : Float(left.content.intersection(right.content).count) / Float(union.count)
        onlyInQuery = Self.share(of: left.content, missingFrom: right.content)
        onlyInCandidate = Self.share(of: right.content, missingFrom: left.content)
        let longer = max(left.count, right.count)
        lengthRatio = longer == 0 ? 1 : Float(min(left.count, right.count)) / Float(longer)
        orderSwaps = Self.orderSwaps(left.contentSequence, right.contentSequence)
    }

    /// The share of `words` that `other` lacks, 0 for no words.
    private static func share(of words: Set<String>, missingFrom other: Set<String>) -> Float {
        words.isEmpty ? 0 : Float(words.subtracting(other).count) / Float(words.count)
    }

    /// Whether a word of `left` has an opposite in `right` (and the reverse
    /// word is not also in `left`, as in "pros and cons").
    private static func opposes(_ left: Set<String>, _ right: Set<String>, through opposites: [String: Set<String>])
        -> Bool
    {
        for word in left.subtracting(right) {
            guard let others = opposites[word] else { continue }
            for other in others where right.contains(other) && !left.contains(other) { return true }
        }
        return false
    }

    /// Discordant pairs over all pairs of the words both sequences hold once.
    private static func orderSwaps(_ left: [String], _ right: [String]) -> Float {
        var rightPosition: [String: Int] = [:]
        var repeated: Set<String> = []
        for (index, word) in right.enumerated() {
            if rightPosition.updateValue(index, forKey: word) != nil { repeated.insert(word) }
        }
        var seen: Set<String> = []
        var positions: [Int] = []
        for word in left where !repeated.contains(word) {
            guard seen.insert(word).inserted else {
                positions.removeAll { rightPosition[word] == $0 }
                continue
            }
            if let position = rightPosition[word] { positions.append(position) }
        }
        return Self.discordance(positions)
    }

    /// The share of pairs (i < j) with `positions[i] > positions[j]`; 0 for fewer than two.
    static func discordance(_ positions: [Int]) -> Float {
        guard positions.count >= 2 else { return 0 }
        var discordant = 0
        var pairs = 0
        for i in 0..<positions.count {
            for j in (i + 1)..<positions.count where positions[i] != positions[j] {
                pairs += 1
                if positions[i] > positions[j] { discordant += 1 }
            }
        }
        return pairs == 0 ? 0 : Float(discordant) / Float(pairs)
    }
}

/// A text's words, lower-cased, in the forms the lexical features compare.
struct Words {
    /// Every word.
    var all: Set<String> = []
    /// Content words (not function words, negators or numbers), lightly stemmed.
    var content: Set<String> = []
    /// The same in text order.
    var contentSequence: [String] = []
    /// Units named, by dimension.
    var units: [String: Set<String>] = [:]
    var negations = 0
    var count = 0

    init(_ text: String) {
        for word in Self.split(text) {
            count += 1
            all.insert(word)
            if let unit = EnglishWords.units[word] { units[unit.dimension, default: []].insert(unit.unit) }
            if EnglishWords.negators.contains(word) || word.hasSuffix("n't") {
                negations += 1
                continue
            }
            guard !EnglishWords.functionWords.contains(word), !word.allSatisfy(\.isNumber) else { continue }
            let stem = Self.stem(word)
            content.insert(stem)
            contentSequence.append(stem)
        }
    }

    /// Lower-cased runs of letters, digits and inner apostrophes; "’" read as
    /// "'". Walks Unicode scalars (ASCII lower-cased in place): the verifier
    /// runs per candidate, where splitting by `Character` cost most of its time.
    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func finish() {
            while current.last == "'" { current.removeLast() }
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                if (65...90).contains(value) {
                    current.append(Unicode.Scalar(value + 32)!)
                } else if (97...122).contains(value) || (48...57).contains(value) {
                    current.append(scalar)
                } else if value == 39 {
                    if !current.isEmpty { current.append(scalar) }
                } else {
                    finish()
                }
            } else if scalar == "’" {
                if !current.isEmpty { current.append("'") }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || scalar.properties.generalCategory == .nonspacingMark
            {
                current.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                finish()
            }
        }
        finish()
        return words
    }

    /// Plural and common verb endings off, so "questions" meets "question".
    static func stem(_ word: String) -> String {
        for suffix in ["ies", "ing", "ed", "es", "s"] where word.count > suffix.count + 3 && word.hasSuffix(suffix) {
            return String(word.dropLast(suffix.count)) + (suffix == "ies" ? "y" : "")
        }
        return word
    }
}
