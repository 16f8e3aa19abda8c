extension PolicyReading {
    /// The first explicit calendar date or clock time, as written (lower
    /// case), or `nil`. Recognised: "2024-05-01" (also with `/` or `.`),
    /// "3/5/2024", "03.05.2024", "may 3", "3rd of may", "10:30", "10:30:15",
    /// "5pm", "5 p.m.", "11:45am". A month with a year only ("may 2024") or
    /// a bare year ("in 2024") is not a date here: such questions are mostly
    /// about a past that does not change. Known false positives: a verse
    /// reference ("john 3:16") reads as a time, "may 5" with "may" the verb
    /// as a date.
    func firstDateOrTime() -> String? {
        let words = text.words
        func following(_ index: Int, by offset: Int) -> Int? {
            let target = index + offset
            return target < words.count && words[target].clause == words[index].clause ? target : nil
        }
        for (index, word) in words.enumerated() {
            if !word.hasDigit {
                // "may 3"
                if flags[index].contains(.month), let next = following(index, by: 1), NumberShape(words[next].text)?.isDay == true {
                    return self.words(index..<(next + 1))
                }
                continue
            }
            guard let shape = NumberShape(word.text) else { continue }
            if shape.isNumericDate || shape.isClockTime || shape.isGluedHour { return word.text }
            guard let next = following(index, by: 1) else { continue }
            // "5 pm"
            if shape.isHour, flags[next].contains(.meridiem) { return self.words(index..<(next + 1)) }
            guard shape.isDay else { continue }
            // "3 may", "3rd of may"
            if flags[next].contains(.month) { return self.words(index..<(next + 1)) }
            if words[next].text == "of", let month = following(index, by: 2), flags[month].contains(.month) {
                return self.words(index..<(month + 1))
            }
        }
        return nil
    }
}

/// A word of digits read once for the date and time rules: one to three
/// groups of at most four digits, joined by one kind of separator (`:`,
/// `/`, `-` or `.`), optionally followed by letters ("5pm", "3rd").
/// Read from the UTF-8 bytes, without allocating.
struct NumberShape {
    private var values = (0, 0, 0)
    private var lengths = (0, 0, 0)
    private var count = 0
    private var separator: UInt8 = 0
    private var suffix: Substring = ""

    init?(_ word: String) {
        var value = 0
        var length = 0
        /// Ends the group being read; false if it is empty or a fourth one.
        func close(_ shape: inout NumberShape) -> Bool {
            guard length > 0, shape.count < 3 else { return false }
            switch shape.count {
            case 0: (shape.values.0, shape.lengths.0) = (value, length)
            case 1: (shape.values.1, shape.lengths.1) = (value, length)
            default: (shape.values.2, shape.lengths.2) = (value, length)
            }
            shape.count += 1
            (value, length) = (0, 0)
            return true
        }
        var shape = NumberShape()
        let utf8 = word.utf8
        var position = utf8.startIndex
        while position < utf8.endIndex {
            let byte = utf8[position]
            switch byte {
            case 0x30...0x39:
                guard length < 4 else { return nil }
                value = value * 10 + Int(byte - 0x30)
                length += 1
            case 0x3A, 0x2F, 0x2D, 0x2E:
                guard shape.separator == 0 || shape.separator == byte, close(&shape) else { return nil }
                shape.separator = byte
            default:
                let suffix = word[position...]
                guard suffix.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E }), close(&shape) else {
                    return nil
                }
                shape.suffix = suffix
                self = shape
                return
            }
            position = utf8.index(after: position)
        }
        guard close(&shape) else { return nil }
        self = shape
    }

    private init() {}

    /// "2024-05-01", "2024/5/1", "3/5/2024", "03/05/24", "3.5.2024": three
    /// numbers with one kind of separator, a plausible month and day, and a
    /// year first (4 digits) or last (4 digits; 2 allowed with `/`). Two
    /// numbers ("3/5", "16:9") are fractions and ratios, and "3.10.12" is a
    /// version, not a date.
    var isNumericDate: Bool {
        guard count == 3, suffix.isEmpty, separator != 0x3A else { return false }
        if lengths.0 == 4 { return (1...12).contains(values.1) && (1...31).contains(values.2) }
        let yearLengths = separator == 0x2F ? [2, 4] : [4]
        guard yearLengths.contains(lengths.2), lengths.0 <= 2, lengths.1 <= 2 else { return false }
        let (first, second) = (values.0, values.1)
        return (1...31).contains(first) && (1...31).contains(second) && (first <= 12 || second <= 12)
    }

    /// "10:30", "7:05:59", "11:45am": hours 0–23, two-digit minutes (and seconds).
    var isClockTime: Bool {
        guard separator == 0x3A, count >= 2, suffix.isEmpty || PolicyLexicon.meridiems.contains(String(suffix)),
            lengths.0 <= 2, values.0 <= 23, lengths.1 == 2, values.1 <= 59
        else { return false }
        return count == 2 || (lengths.2 == 2 && values.2 <= 59)
    }

    /// An hour with its meridiem attached: "5pm", "11a.m".
    var isGluedHour: Bool { count == 1 && PolicyLexicon.meridiems.contains(String(suffix)) && isHourNumber }

    /// An hour written before a separate meridiem: "5" in "5 pm".
    var isHour: Bool { count == 1 && suffix.isEmpty && isHourNumber }

    /// A day of the month: "3", "03", "3rd", "31st".
    var isDay: Bool {
        count == 1 && lengths.0 <= 2 && (1...31).contains(values.0)
            && (suffix.isEmpty || ["st", "nd", "rd", "th"].contains(suffix))
    }

    private var isHourNumber: Bool { lengths.0 <= 2 && (1...12).contains(values.0) }
}
