import LLMCache
import Synchronization

/// A stand-in embedder for tests and offline demos: NOT a language model.
///
/// It hashes each lower-cased word (minus a few stop words, with a plural
/// "s" dropped) into a signed bucket, so texts with the same content words get
/// the same vector whatever their order, and texts sharing most words score
/// high. It knows nothing of synonyms. Deterministic across runs and machines,
/// and it counts its calls so tests can check that embedding happens once.
public final class DeterministicTestEmbedder: Embedder {
    public let dimensions: Int
    public var identifier: String { "deterministic-test-embedder-\(dimensions)" }
    private let calls = Atomic<Int>(0)

    private static let stopWords: Set<Substring> = [
        "a", "an", "the", "is", "are", "was", "of", "to", "in", "on", "for", "and", "or", "me", "please",
        "what", "what's", "whats", "tell", "give", "can", "you", "i", "do", "does", "my", "your", "it",
    ]

    public init(dimensions: Int = 256) {
        precondition(dimensions > 0)
        self.dimensions = dimensions
    }

    /// How many times ``embed(_:)`` has been called.
    public var callCount: Int { calls.load(ordering: .relaxed) }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        calls.add(1, ordering: .relaxed)
        return texts.map(vector(for:))
    }

    /// The vector of one text; a text with no content words gets a fixed
    /// vector of its own rather than zero.
    public func vector(for text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "'") }
        var any = false
        for word in words where !Self.stopWords.contains(word) {
            let stem = word.count > 3 && word.hasSuffix("s") ? word.dropLast() : word
            let hash = Self.fnv1a(stem)
            vector[Int(hash % UInt64(dimensions))] += (hash >> 63) == 0 ? 1 : -1
            any = true
        }
        if !any { vector[0] = 1 }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    private static func fnv1a(_ word: Substring) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
