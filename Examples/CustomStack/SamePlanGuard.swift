import Foundation
import LLMCache

/// A guard written for this example: a billing answer about one plan must
/// never answer a question about another, however alike the two sentences
/// look to the embedder ("How much is the Pro plan?" and "How much is the
/// Enterprise plan?" are close vectors with different answers).
///
/// It runs the library's default guard too (numbers and negation must
/// match), and tells the example's reader each time it vetoes a match.
struct SamePlanGuard: SemanticGuard {
    static let plans: Set<String> = ["free", "pro", "team", "enterprise"]

    func allows(query: String, candidate: String, similarity: Float) async -> Bool {
        let queryPlans = Self.plans(in: query)
        let candidatePlans = Self.plans(in: candidate)
        guard queryPlans == candidatePlans else {
            print(
                "      guard: vetoed \"\(candidate)\" (similarity \(String(format: "%.3f", similarity))): plans "
                    + "\(queryPlans.sorted()) vs \(candidatePlans.sorted())")
            return false
        }
        return await NumberAndNegationGuard().allows(query: query, candidate: candidate, similarity: similarity)
    }

    /// The plan names `text` mentions.
    static func plans(in text: String) -> Set<String> {
        Set(text.lowercased().split { !$0.isLetter }.map(String.init)).intersection(plans)
    }
}
