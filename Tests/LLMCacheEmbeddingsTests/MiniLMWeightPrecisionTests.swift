import CLLMCacheKernels
import Foundation
import Testing

@testable import LLMCacheEmbeddings

/// Whether this CPU runs the bfloat16 product.
let cpuHasBF16 = llmk_avx512_bf16_available() != 0

/// ``MiniLMEmbedder/WeightPrecision``: bfloat16 weights keep every reference
/// text at cosine ≥ 0.9999 (or, on a CPU without AVX512-BF16, asking for
/// them fails with the documented error), float32 stays selectable and
/// exact, and the default takes the fastest precision the CPU runs.
@Suite("MiniLM weight precision")
struct MiniLMWeightPrecisionTests {
    typealias Record = MiniLMEmbedderTests.Record

    static func embedder(_ weights: MiniLMEmbedder.WeightPrecision) async throws(EmbeddingError) -> MiniLMEmbedder {
        try await MiniLMEmbedder.load(modelFolder: ModelFiles.folder, configuration: .init(weights: weights))
    }

    /// Every reference text alone and in mixed batches of 32; the worst cosine.
    static func expectEveryReferenceTextMatches(_ embedder: MiniLMEmbedder) async throws -> Double {
        let records: [Record] = try ModelFiles.referenceRecords()
        try #require(records.count >= 100, "expected the whole reference file, read \(records.count) records")
        var alone: [[Float]] = []
        for record in records {
            alone += try await embedder.embed([record.text])
        }
        let worstAlone = MiniLMEmbedderTests.expectMatches(alone, records, batchSize: 1)
        let order = (0..<records.count).sorted { ($0 * 37) % records.count < ($1 * 37) % records.count }
        let mixed = order.map { records[$0] }
        var batched: [[Float]] = []
        for start in stride(from: 0, to: mixed.count, by: 32) {
            batched += try await embedder.embed(mixed[start..<min(start + 32, mixed.count)].map(\.text))
        }
        return min(worstAlone, MiniLMEmbedderTests.expectMatches(batched, mixed, batchSize: 32))
    }

    @Test func bfloat16WeightsMatchTheReferenceOrAreRefused() async throws {
        guard cpuHasBF16 else {
            do {
                _ = try await Self.embedder(.bfloat16)
                Issue.record("expected unsupportedCPU, the embedder loaded bfloat16 weights on a CPU without them")
            } catch {
                #expect(error.code == .unsupportedCPU && error.message.contains("AVX512-BF16"), "\(error)")
            }
            return
        }
        let embedder = try await Self.embedder(.bfloat16)
        #expect(embedder.kernels == .avx512BF16)
        #expect(embedder.weightPrecision == .bfloat16)
        let worst = try await Self.expectEveryReferenceTextMatches(embedder)
        print("MiniLM bfloat16 weights: minimum cosine \(worst)")
    }

    @Test func float32WeightsStaySelectableAndMatchTheReference() async throws {
        let embedder = try await Self.embedder(.float32)
        #expect(embedder.kernels == KernelSet.bestFloat32)
        #expect(embedder.weightPrecision == .float32)
        let worst = try await Self.expectEveryReferenceTextMatches(embedder)
        #expect(worst >= 0.99999, "float32 weights should match to float rounding, worst cosine \(worst)")
        print("MiniLM float32 weights: minimum cosine \(worst)")
    }

    @Test func automaticTakesBFloat16WhereTheCPUHasIt() async throws {
        let embedder = try await ModelFiles.embedder()
        #expect(embedder.configuration.weights == .automatic)
        #expect(embedder.weightPrecision == (cpuHasBF16 ? .bfloat16 : .float32))
        #expect(embedder.kernels == (cpuHasBF16 ? .avx512BF16 : KernelSet.bestFloat32))
    }
}
