import LLMCacheTesting
import Testing

@testable import LLMCache

/// The verifier's features and rules on hand-made inputs: no model needed.
@Suite("Verifier features")
struct VerifierFeatureTests {
    @Test func lexicalEvidenceSeesTheOneWordThatChanged() {
        func compare(_ a: String, _ b: String) -> LexicalComparison { LexicalComparison(query: a, candidate: b) }
        #expect(compare("upgrade from 1GB to 2GB", "upgrade from 2GB to 1GB").numbersDiffer)
        #expect(!compare("convert 1,000 km", "convert 1000 km").numbersDiffer)
        #expect(compare("is it safe to swim", "isn't it safe to swim").negationDiffers)
        #expect(!compare("why can't I sleep", "why cannot I sleep").negationDiffers)
        #expect(compare("how to grow long hair", "how to grow short hair").antonymPair)
        #expect(!compare("pros and cons of rust", "cons and pros of rust").antonymPair)
        #expect(compare("a cat jumping onto a table", "a cat jumping off a table").oppositeRelation)
        #expect(compare("how long is episode 5", "how long is season 5").unitsDiffer)
        #expect(compare("does alice follow bob", "does bob follow alice").orderSwaps == 1)
        #expect(compare("does alice follow bob", "does alice follow bob on twitter").orderSwaps == 0)
        let overlap = compare("best pizza in Rome", "where to eat pizza in Rome")
        #expect(overlap.overlap > 0.3 && overlap.overlap < 1)
    }

    @Test func tokenVectorsQuantizeWithinAHundredth() throws {
        var random = SeededRandomNumberGenerator(seed: 7)
        let vectors = (0..<6).map { _ in (0..<48).map { _ in Float.random(in: -1...1, using: &random) } }
        let tokens = try TokenVectors(vectors: vectors, dimensions: 48, tokenCount: 8, unknownCount: 1)
        let similarities = tokens.similarities(to: tokens)
        for i in 0..<6 {
            for j in 0..<6 {
                let exact = cosine(vectors[i], vectors[j])
                #expect(abs(similarities[i * 6 + j] - exact) < 0.01)
            }
        }
        #expect(tokens.unknownShare == 1.0 / 8)

        var writer = ByteWriter()
        tokens.serialized(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try TokenVectors(from: &reader) == tokens)
        // Every truncation is an error, never a crash or a short read.
        for length in 0..<writer.bytes.count {
            var short = ByteReader(Array(writer.bytes.prefix(length)))
            #expect(throws: CacheError.self) { try TokenVectors(from: &short) }
        }
    }

    @Test func alignmentSeesSwappedRoles() throws {
        // Three orthogonal "words"; the candidate holds them in another order.
        let words: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        let query = try TokenVectors(vectors: words, dimensions: 3, tokenCount: 3, unknownCount: 0)
        let swapped = try TokenVectors(vectors: [words[2], words[1], words[0]], dimensions: 3, tokenCount: 3, unknownCount: 0)
        let same = try #require(TokenAlignment(query: query, candidate: query))
        let reversed = try #require(TokenAlignment(query: query, candidate: swapped))
        #expect(same.orderSwaps == 0 && reversed.orderSwaps == 1)
        #expect(abs(reversed.precision - 1) < 0.01 && abs(reversed.recall - 1) < 0.01)
        let partial = try TokenVectors(vectors: [words[0], words[1]], dimensions: 3, tokenCount: 2, unknownCount: 0)
        let missing = try #require(TokenAlignment(query: query, candidate: partial))
        #expect(abs(missing.precision - 2.0 / 3) < 0.01 && abs(missing.recall - 1) < 0.01)
        let empty = try TokenVectors(vectors: [], dimensions: 3, tokenCount: 0, unknownCount: 0)
        #expect(TokenAlignment(query: query, candidate: empty) == nil)
        #expect(throws: CacheError.self) { try TokenVectors(vectors: [[1, 0]], dimensions: 3, tokenCount: 1, unknownCount: 0) }
    }

    @Test func theVerifierNeverServesOtherNumbersOrUnknownText() async throws {
        let verifier = LearnedVerifier()
        #expect(await !verifier.allows(query: "what is 15% of 80", candidate: "what is 25% of 80", similarity: 1))
        let unknown = try TokenVectors(vectors: [[1, 0]], dimensions: 2, tokenCount: 4, unknownCount: 3)
        let comparison = SemanticComparison(
            query: "😀😀😀 ok", candidate: "😀😀😀 ok", similarity: 1, queryTokens: unknown, candidateTokens: unknown)
        #expect(await !verifier.allows(comparison))
        #expect(verifier.probability(comparison) == 0)
        #expect(await verifier.allows(query: "how do I reset my password", candidate: "how do I reset my password", similarity: 1))
    }

    @Test func modelsRoundTripThroughJSONAndRejectMismatchedWeights() throws {
        let model = VerifierModel.shipped
        #expect(try VerifierModel(json: try model.json()) == model)
        var broken = model
        broken.lexical.weights.removeLast()
        #expect(throws: CacheError.self) { try VerifierModel(json: try broken.json()) }
        #expect(throws: CacheError.self) { try VerifierModel(json: Array("{}".utf8)) }
    }

    @Test func entriesKeepTheirTokenVectorsAndOldEntriesStillDecode() throws {
        let tokens = try TokenVectors(vectors: [[0.6, 0.8], [1, 0]], dimensions: 2, tokenCount: 3, unknownCount: 0)
        let entry = CacheEntry(
            value: Array("answer".utf8), createdAt: CacheTime(millisecondsSince1970: 5), sourceText: "question",
            sourceTokens: tokens)
        #expect(try CacheEntry(serialized: entry.serialized()) == entry)

        // Layout 1, as written before token vectors existed.
        var writer = ByteWriter()
        writer.write(UInt8(1))
        writer.write(Int64(5))
        writer.write(Int64.min)
        writer.write(Int64(-1))
        writer.write(UInt64(0))
        writer.write(UInt8(0))
        writer.write(optional: nil)
        writer.write(optional: "question")
        writer.write(UInt32(0))
        writer.write(bytes: Array("answer".utf8))
        var old = entry
        old.sourceTokens = nil
        #expect(try CacheEntry(serialized: writer.bytes) == old)
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        return dot / norms
    }
}
