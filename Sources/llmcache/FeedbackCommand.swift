import ArgumentParser
import LLMCache
import LLMCacheRedis

/// `llmcache feedback ENTRY --wrong|--right [--score S]`: what
/// `CacheStack.reportWrongAnswer` does, from a shell, for answers a person
/// found wrong (or right) after the fact.
struct FeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Report a cached answer wrong (or right).",
        discussion: """
            ENTRY is an entry reference as a result shows it (CacheResult.entry, or match.entry for a \
            semantic hit): v{version}.{scope}.{key}. With --score (the semantic match's score, \
            CacheResult.match.score), an observation is recorded against that entry: a wrong one stops \
            matches at that score or lower from being served it, in every process, and an error budget \
            learns from both. Without --score, --wrong removes the answer from every Redis tier and every \
            process's memory tier.
            """)

    @Argument(help: "The entry reference: v{version}.{scope hex}.{key hex}.")
    var entry: String

    @Flag(help: "The answer was wrong.")
    var wrong = false

    @Flag(help: "The answer was right (needs --score).")
    var right = false

    @Option(help: "The semantic match's score, to record an observation instead of removing the answer.")
    var score: Float?

    @OptionGroup var redis: RedisOptions

    func validate() throws {
        guard wrong != right else { throw ValidationError("say --wrong or --right") }
        guard EntryReference(entry) != nil else {
            throw ValidationError("'\(entry)' is not an entry reference (v{version}.{scope hex}.{key hex})")
        }
        if let score, !(score.isFinite && (-1...1).contains(score)) {
            throw ValidationError("--score must be a number in [-1, 1]")
        }
        if right, score == nil { throw ValidationError("--right records an observation: give the match's --score") }
    }

    func run() async throws {
        let entry = EntryReference(entry)!
        if let score {
            try await redis.withNamespace { namespace, _ in
                try await RedisObservationStore(namespace: namespace).record(
                    MatchObservation(score: score, correct: right), for: entry)
            }
            try redis.report([
                "namespace": redis.namespace, "entry": entry.description, "recorded": right ? "right" : "wrong",
                "score": Double(score),
            ])
        } else {
            let removed = try await redis.withNamespace { namespace, _ in try await namespace.removeEntry(entry) }
            try redis.report(["namespace": redis.namespace, "entry": entry.description, "removed_keys": removed])
        }
    }
}
