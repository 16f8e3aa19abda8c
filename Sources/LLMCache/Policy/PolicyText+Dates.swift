extension PolicyText {
    /// The first explicit calendar date or clock time, as written (lower
    /// case), or `nil`. Recognised: "2024-05-01" (also with `/` or `.`),
    /// "3/5/2024", "03.05.24", "may 3", "3rd of may", "10:30", "10:30:15",
    /// "5pm", "5 p.m.", "11:45am". A month with a year only ("may 2024") or
    /// a bare year ("in 2024") is not a date here: such questions are mostly
    /// about a past that does not change. Known false positives: a verse
    /// reference ("john 3:16") reads as a time, "may 5" with "may" the verb
    /// as a date.
    func firstDateOrTime() -> String? {
        for (index, word) in words.enumerated() {
            let next = index + 1 < words.count && words[index + 1].clause == word.clause ? words[index + 1].text : nil
            let afterNext = index + 2 < words.count && words[index + 2].clause == word.clause ? words[index + 2].text : nil
            if Self.isNumericDate(word.text) || Self.isClockTime(word.text) || Self.gluedHour(word.text) != nil {
                return word.text
            }
            if Self.hour(word.text) != nil, let next, Self.meridiems.contains(next) { return "\(word.text) \(next)" }
            if Self.months.contains(word.text), let next, Self.day(next) != nil { return "\(word.text) \(next)" }
            if Self.day(word.text) != nil, let next {
                if Self.months.contains(next) { return "\(word.text) \(next)" }
                if next == "of", let afterNext, Self.months.contains(afterNext) { return "\(word.text) of \(afterNext)" }
            }
        }
        return nil
    }

    static let meridiems: Set<String> = ["am", "pm", "a.m", "p.m"]
    static let months: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]

    /// "2024-05-01", "2024/5/1", "3/5/2024", "03/05/24", "3.5.2024": three
    /// numbers with one kind of separator, a plausible month and day, and a
    /// year first (4 digits) or last (4 digits; 2 allowed with `/`). Two
    /// numbers ("3/5", "16:9") are fractions and ratios, and "3.10.12" is a
    /// version, not a date.
    static func isNumericDate(_ word: String) -> Bool {
        let separators = Set(word.filter { "-/.".contains($0) })
        guard separators.count == 1, let separator = separators.first else { return false }
        let parts = word.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return false }
        let values = parts.map { Int($0) ?? 0 }
        if parts[0].count == 4 { return (1...12).contains(values[1]) && (1...31).contains(values[2]) }
        let yearLengths = separator == "/" ? [2, 4] : [4]
        guard yearLengths.contains(parts[2].count), parts[0].count <= 2, parts[1].count <= 2 else { return false }
        let (first, second) = (values[0], values[1])
        return (1...31).contains(first) && (1...31).contains(second) && (first <= 12 || second <= 12)
    }

    /// "10:30", "7:05:59", "11:45am": hours 0–23, two-digit minutes (and seconds).
    static func isClockTime(_ word: String) -> Bool {
        var text = Substring(word)
        for suffix in meridiems where text.hasSuffix(suffix) && text.count > suffix.count {
            text = text.dropLast(suffix.count)
            break
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
            parts[0].count <= 2, let hour = Int(parts[0]), hour <= 23
        else { return false }
        return parts.dropFirst().allSatisfy { $0.count == 2 && Int($0)! <= 59 }
    }

    /// An hour written before a separate meridiem: "5" in "5 pm".
    static func hour(_ word: String) -> Int? {
        guard word.count <= 2, word.allSatisfy(\.isASCIIDigit), let hour = Int(word) else { return nil }
        return (1...12).contains(hour) ? hour : nil
    }

    /// An hour with its meridiem attached: "5pm", "11a.m".
    static func gluedHour(_ word: String) -> Int? {
        for suffix in meridiems where word.hasSuffix(suffix) {
            let digits = word.dropLast(suffix.count)
            if !digits.isEmpty, digits.count <= 2, digits.allSatisfy(\.isASCIIDigit), let hour = Int(digits),
                (1...12).contains(hour)
            {
                return hour
            }
        }
        return nil
    }

    /// A day of the month: "3", "03", "3rd", "31st".
    static func day(_ word: String) -> Int? {
        var digits = Substring(word)
        for suffix in ["st", "nd", "rd", "th"] where digits.hasSuffix(suffix) {
            digits = digits.dropLast(2)
            break
        }
        guard (1...2).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), let day = Int(digits) else {
            return nil
        }
        return (1...31).contains(day) ? day : nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
