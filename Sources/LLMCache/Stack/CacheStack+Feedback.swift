import Logging
import Synchronization

extension CacheStack {
    /// Tells the cache that `result`'s answer was wrong for its request.
    ///
    /// A semantic hit records a wrong observation against the matched
    /// answer (that pairing is never served again, and an error budget
    /// learns from it) and removes the copies made under this request's own
    /// key. Any other answer — an exact hit, or one the model just gave — is
    /// removed from every tier (and, through Redis, from other processes'
    /// memory tiers), so the next identical request asks the model again.
    public func reportWrongAnswer<Value>(for result: CacheResult<Value>) async throws {
        feedbackGate.counters.wrongReports.add(1, ordering: .relaxed)
        if let match = result.match {
            try await feedbackGate.record(MatchObservation(score: match.score, correct: false), for: match.entry)
            if let own = result.entry { try await removeEntry(own, fromExactTiersOnly: true) }
        } else if let own = result.entry {
            try await removeEntry(own)
        }
    }

    /// Tells the cache that `result`'s answer was right: for a semantic hit,
    /// a right observation that an error budget learns from.
    public func reportRightAnswer<Value>(for result: CacheResult<Value>) async throws {
        feedbackGate.counters.rightReports.add(1, ordering: .relaxed)
        guard let match = result.match else { return }
        try await feedbackGate.record(MatchObservation(score: match.score, correct: true), for: match.entry)
    }

    /// Removes the answer `entry` names from every tier (or only the exact
    /// ones); returns how many tiers held it. A tier that fails, or cannot
    /// remove single entries, is logged and skipped, and the first error is
    /// rethrown once every tier was tried.
    @discardableResult
    public func removeEntry(_ entry: EntryReference, fromExactTiersOnly: Bool = false) async throws -> Int {
        var removed = 0
        try await forEachTier(operation: "remove") { tier in
            guard !fromExactTiersOnly || tier.matching == .exact else { return }
            if try await tier.remove(entry) { removed += 1 }
        }
        return removed
    }

    /// Compares, off the response path, the answer a declined candidate
    /// offered with the model's, and records the observation.
    func learnInBackground<Value: CacheValue>(from declined: DeclinedMatch<Value>, fresh: Value) {
        let gate = feedbackGate
        let submitted = writeBehind.submit {
            _ = await gate.learn(stored: declined.value, fresh: fresh, score: declined.match.score, entry: declined.match.entry)
        }
        if !submitted { logger.debug("too much background work; not comparing an explored answer") }
    }

    /// If sampled, asks `verifier` for a fresh answer to a request a semantic
    /// hit served, off the response path; a different answer is a wrong
    /// observation and retracts the copies made under the request's key.
    func verifyInBackground<Request: CacheableRequest, Value: CacheValue>(
        _ served: Value, match: SemanticMatch, own: EntryReference, request: Request,
        using verifier: @escaping @Sendable (Request) async throws -> Value
    ) {
        let gate = feedbackGate
        guard gate.beginVerification() else { return }
        let submitted = writeBehind.submit { [self] in
            var correct: Bool?
            do {
                let fresh = try await verifier(request)
                correct = await gate.learn(stored: served, fresh: fresh, score: match.score, entry: match.entry)
                if correct == false { try await removeEntry(own, fromExactTiersOnly: true) }
            } catch {
                logger.warning("background verification of a semantic hit failed", metadata: ["error": "\(error)"])
            }
            gate.endVerification(correct: correct)
        }
        if !submitted { gate.endVerification(correct: nil) }
    }
}
