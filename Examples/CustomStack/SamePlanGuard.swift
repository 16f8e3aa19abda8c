import Foundation
import LLMCache

/// A guard written for this example: a billing answer about one plan must
/// never answer a question about another, however alike the two sentences
/// look to the embedder ("How much is the Pro plan?" and "How much is the
/// Enterprise plan?" are close vectors with different answers).
///
/// It asks the library's default verifier too (with the token vectors the
/// tier passes along), and tells the example's reader each time it vetoes a
/// match on plans.
struct SamePlanGuard: SemanticGuard {
    static let plans: Set<String> = ["free", "pro", "team", "enterprise"]

    func allows(query: String, candidate: String, similarity: Float) async -> Bool {
        await allows(SemanticComparison(query: query, candidate: candidate, similarity: similarity))
    }

    func allows(_ comparison: SemanticComparison) async -> Bool {
        let queryPlans = Self.plans(in: comparison.query)
        let candidatePlans = Self.plans(in: comparison.candidate)
        guard queryPlans == candidatePlans else {
            print(
                "      guard: vetoed \"\(comparison.candidate)\" (similarity "
                    + "\(String(format: "%.3f", comparison.similarity))): plans "
                    + "\(queryPlans.sorted()) vs \(candidatePlans.sorted())")
            return false
        }
        return await LearnedVerifier().allows(comparison)
    }

    /// The plan names `text` mentions.
    static func plans(in text: String) -> Set<String> {
        Set(text.lowercased().split { !$0.isLetter }.map(String.init)).intersection(plans)
    }
}
