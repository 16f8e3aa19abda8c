// SemanticFAQ: a help desk that answers paraphrases of its FAQ from a
// semantic tier, with the native all-MiniLM-L6-v2 embedder (no Python, no API).
//
//   LLMCACHE_MINILM_PATH=$(scripts/model.sh | tail -n 1) swift run SemanticFAQ [--threshold 0.90]
//
// Every FAQ answer is stored once; each user question is then looked up and
// printed as a hit (with the similarity and the FAQ question it matched) or a
// miss (which would go to the model). The tier's default verifier refuses
// matches that ask something else (another number, a negation, an opposite).
import Foundation
import LLMCache
import LLMCacheEmbeddings

let faq: [(question: String, answer: String)] = [
    ("How do I reset my password?", "Open Settings → Account → Reset password and follow the e-mail link."),
    ("How can I cancel my subscription?", "Go to Billing → Plan → Cancel; you keep access until the period ends."),
    ("Which payment methods do you accept?", "Visa, Mastercard, American Express and bank transfer."),
    ("Can I change the e-mail address of my account?", "Yes: Settings → Account → E-mail, then confirm the new address."),
    ("Is my data encrypted at rest?", "Yes, with AES-256; keys are rotated every 90 days."),
    ("How do I export my data?", "Settings → Privacy → Export creates a ZIP file you can download."),
    ("What is the refund policy for annual plans?", "Annual plans are refunded pro rata within 30 days."),
    ("Do you offer a discount for 10 seats?", "Yes: 10 seats or more get 15% off."),
]

let userQuestions = [
    "I forgot my password, how do I reset it?",
    "how to cancel subscription",
    "What payment methods are accepted?",
    "Can I export all of my data?",
    "Is my data not encrypted at rest?",
    "Do you offer a discount for 50 seats?",
    "What's the weather in Paris?",
    "Refund policy for a yearly plan?",
]

let threshold = CommandLine.arguments.firstIndex(of: "--threshold").flatMap { index in
    CommandLine.arguments.indices.contains(index + 1) ? Float(CommandLine.arguments[index + 1]) : nil
} ?? LearnedVerifier.defaultThreshold

let embedder: CachingEmbedder
do {
    embedder = CachingEmbedder(try await MiniLMEmbedder.load())
} catch {
    FileHandle.standardError.write(Data("SemanticFAQ: \(error.message)\n".utf8))
    exit(1)
}
let semantic = MemorySemanticTier(embedder: embedder, threshold: threshold)
let stack = CacheStack(tiers: [semantic])

for entry in faq {
    _ = try await stack.response(for: entry.question) { _ in entry.answer }
}
print("Stored \(faq.count) FAQ answers; threshold \(threshold) (cosine similarity), verifier: LearnedVerifier.\n")

var hits = 0
for question in userQuestions {
    let result = try await stack.response(for: question, options: CacheOptions(skipStore: true)) { _ in
        "(no FAQ match: this would go to the model)"
    }
    if case .tier(_, let similarity, let matched) = result.source {
        hits += 1
        print("HIT  \(question)\n     similarity \(String(format: "%.3f", similarity ?? 0)) to \"\(matched ?? "")\"\n     → \(result.value)\n")
    } else {
        print("MISS \(question)\n     \(result.value)\n")
    }
}
print("\(hits) of \(userQuestions.count) questions answered from the FAQ; \(embedder.missCount) texts embedded.")
