/// The stack's default ``CacheabilityPolicy``: keeps personal and
/// time-sensitive questions away from semantic matching.
///
/// It reads the request's semantic text (for a `ChatRequest`, the last user
/// message), lower-cased and cut into whole words (see the README's "What
/// is not answered from the cache" for the lists):
/// - **Personal**: "my"/"our" followed (directly or after one word) by a
///   noun for one user's own records ("my order", "my bank account", "our
///   last invoice"), unless the sentence is a how-to question ("how do I
///   reset my password" has one answer for everyone), or a phrase such as
///   "do I owe". Another user's answer,
///   or a paraphrase of it, is wrong or a leak. Handled as ``personal`` says;
///   by default not cached at all, since an exact key is per user only when
///   the caller passes a per-user partition, which this policy cannot check.
/// - **Time-sensitive**: "today", "tonight", "right now", "current",
///   "latest", "this week"…, an explicit date ("2024-05-01", "may 3",
///   "3/5/2024") or clock time ("10:30", "5pm"). Exact match only, kept for
///   ``timeSensitiveTTL`` at most: yesterday's "weather today" is not a
///   paraphrase of today's.
///
/// Whole-word matching keeps "balance of payments", "mystery order" or
/// "todays" (misspelt) alone; ``timeSensitiveExceptions`` keeps "alternating
/// current" and its kin cacheable. Rules are English only and heuristic: a
/// question that escapes them is cached as before, one caught wrongly only
/// loses semantic matching.
public struct DefaultCacheabilityPolicy: CacheabilityPolicy {
    /// What happens to a personal question.
    public enum PersonalHandling: Sendable, Hashable {
        /// Never cached (the default): safe whatever the caller's partitions are.
        case doNotCache
        /// Exact match only when the call has a ``CacheOptions/partition``,
        /// not cached otherwise. Choose it when every partition is one user:
        /// a per-tenant partition would let one user's "where is my order"
        /// answer another's identical question.
        case exactOnlyWithinPartition
        /// Exact match only, always: for callers whose requests carry the user
        /// in their fingerprint (a user id in the system prompt, say).
        case exactOnly
    }

    /// How personal questions are treated; see ``PersonalHandling``.
    public var personal: PersonalHandling = .doNotCache
    /// The longest a time-sensitive answer is kept (5 minutes by default);
    /// it does not slide with hits.
    public var timeSensitiveTTL: Duration = .seconds(300)
    /// The longest a personal answer is kept when ``personal`` allows exact
    /// matching (5 minutes by default: balances and orders change); `nil`
    /// keeps the call's or stack's TTL.
    public var personalTTL: Duration? = .seconds(300)
    /// Words that make the next noun someone's own ("my", "our").
    public var possessives: Set<String> = Self.defaultPossessives { didSet { compile() } }
    /// Nouns for one user's own records; plurals are found by dropping "s"/"es".
    public var personalNouns: Set<String> = Self.defaultPersonalNouns { didSet { compile() } }
    /// Whole phrases that are personal without a possessive ("do i owe").
    public var personalPhrases: [String] = Self.defaultPersonalPhrases { didSet { compile() } }
    /// Openings of a how-to question ("how do i", "how to"): a possessive in
    /// the same sentence is not personal, since "how do I reset my password"
    /// (or "I forgot my password, how do I reset it?") has one answer for
    /// everyone, unlike "what is my balance".
    public var howToOpenings: [String] = Self.defaultHowToOpenings { didSet { compile() } }
    /// Phrases about the present ("today", "right now", "this week").
    public var timeSensitivePhrases: [String] = Self.defaultTimeSensitivePhrases { didSet { compile() } }
    /// Phrases inside which a time-sensitive word does not count
    /// ("alternating current", "current density").
    public var timeSensitiveExceptions: [String] = Self.defaultTimeSensitiveExceptions { didSet { compile() } }
    /// Whether explicit dates and clock times make a question time-sensitive.
    public var detectsDatesAndTimes = true

    /// The lists in one table, rebuilt when a list changes.
    private var lexicon = PolicyLexicon()

    /// The default rules and lists; change any setting afterwards.
    public init() { compile() }

    /// Not cached if personal (see ``personal``), else exact only with
    /// ``timeSensitiveTTL`` if time-sensitive, else cached normally.
    public func decision(for input: CacheabilityInput) -> CacheabilityDecision {
        guard let text = input.text, !text.isEmpty else { return .cache }
        let reading = PolicyReading(PolicyText(text), lexicon: lexicon)
        var decision = CacheabilityDecision.cache
        if let trigger = personalTrigger(in: reading) {
            let reason = CacheabilityReason(.personal, trigger: trigger)
            switch personal {
            case .doNotCache: return .doNotCache(reason)
            case .exactOnlyWithinPartition where input.partition == nil: return .doNotCache(reason)
            case .exactOnlyWithinPartition, .exactOnly: decision = .exactOnly(reason, maxTTL: personalTTL)
            }
        }
        if let trigger = timeSensitiveTrigger(in: reading) {
            let reason = CacheabilityReason(.timeSensitive, trigger: trigger)
            decision = decision.combined(with: .exactOnly(reason, maxTTL: timeSensitiveTTL))
        }
        return decision
    }

    /// The words that make the prompt personal, or `nil`.
    private func personalTrigger(in reading: PolicyReading) -> String? {
        if let match = reading.matches.first(where: { $0.list == .personal }) { return reading.words(match.range) }
        let words = reading.text.words
        let howToSentences = Set(reading.matches.filter { $0.list == .howTo }.map { words[$0.range.lowerBound].sentence })
        for (index, flags) in reading.flags.enumerated() where flags.contains(.possessive) {
            let word = words[index]
            if howToSentences.contains(word.sentence) { continue }
            for candidate in (index + 1)..<min(index + 3, words.count) where words[candidate].clause == word.clause {
                if lexicon.isPersonalNoun(words[candidate].text) { return reading.words(index..<(candidate + 1)) }
            }
        }
        return nil
    }

    /// The words that make the prompt time-sensitive, or `nil`.
    private func timeSensitiveTrigger(in reading: PolicyReading) -> String? {
        let excluded = reading.matches.filter { $0.list == .exception }.map(\.range)
        let found = reading.matches.first { match in
            match.list == .timeSensitive && !excluded.contains { $0.overlaps(match.range) }
        }
        if let found { return reading.words(found.range) }
        return detectsDatesAndTimes ? reading.firstDateOrTime() : nil
    }

    private mutating func compile() {
        lexicon = PolicyLexicon(
            possessives: possessives, personalNouns: personalNouns, personalPhrases: personalPhrases,
            howToOpenings: howToOpenings, timeSensitivePhrases: timeSensitivePhrases,
            exceptions: timeSensitiveExceptions)
    }
}
