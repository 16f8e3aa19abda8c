import Foundation
import LLMCacheEmbeddings
import Testing

/// The tokenizer must give exactly the ids sentence-transformers gave for
/// every text of the reference file: one different id and the embedding no
/// longer matches the model's.
@Suite("Tokenizer against the reference data")
struct ReferenceTokenizationTests {
    struct Record: Decodable {
        let text: String
        let category: String
        let inputIDs: [Int32]

        enum CodingKeys: String, CodingKey {
            case text, category
            case inputIDs = "input_ids"
        }
    }

    static func records() throws -> [Record] { try ModelFiles.referenceRecords() }

    @Test func everyReferenceTextGivesTheReferenceIDs() throws {
        let tokenizer = try ModelFiles.tokenizer()
        let records = try Self.records()
        try #require(records.count >= 100, "expected the whole reference file, read \(records.count) records")

        var mismatches: [String] = []
        for record in records {
            let ids = tokenizer.encode(record.text)
            if ids != record.inputIDs {
                mismatches.append(
                    "[\(record.category)] \(record.text.debugDescription)\n  expected \(record.inputIDs)\n  got      \(ids)")
            }
        }
        #expect(
            mismatches.isEmpty,
            """
            \(mismatches.count) of \(records.count) reference texts tokenise differently; the first:
            \(mismatches.prefix(5).joined(separator: "\n"))
            """)
    }
}
