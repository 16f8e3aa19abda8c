/// One labelled semantic match: how confident the cache was, and whether the
/// stored answer turned out right for the request.
///
/// Observations come from three places: a request the error budget sent to
/// the model although it had a candidate (the two answers are compared), a
/// sampled background verification of a served hit, and a user's report
/// (``CacheStack/reportWrongAnswer(for:)``).
public struct MatchObservation: Sendable, Hashable {
    /// The match score: the guard's confidence, else the cosine similarity.
    public var score: Float
    /// Whether the stored answer was right for the request.
    public var correct: Bool

    public init(score: Float, correct: Bool) {
        self.score = score
        self.correct = correct
    }

    /// `"0.9312:1"`: how stores that keep strings (Redis lists) write it.
    public var encoded: String { "\(score):\(correct ? 1 : 0)" }

    /// Parses ``encoded``; `nil` for anything else.
    public init?(encoded: some StringProtocol) {
        let parts = encoded.split(separator: ":")
        guard parts.count == 2, let score = Float(parts[0]), score.isFinite, parts[1] == "0" || parts[1] == "1"
        else { return nil }
        self.init(score: score, correct: parts[1] == "1")
    }
}

/// What one stored answer has been observed to do.
public struct EntryObservations: Sendable, Hashable {
    /// Its own labelled matches, newest first.
    public var observations: [MatchObservation]

    public init(_ observations: [MatchObservation] = []) {
        self.observations = observations
    }

    /// The highest score at which the entry was wrong: a request matching it
    /// at this score or lower is never served it again, which is how a wrong
    /// report stops the same pairing (same score) from recurring.
    public var refusalScore: Float? {
        observations.filter { !$0.correct }.map(\.score).max()
    }
}
