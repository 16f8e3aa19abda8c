import Foundation
import Synchronization
import Testing

@testable import LLMCacheEmbeddings

/// The encoder's implementations and thread counts against each other and the
/// reference: the AVX-512 kernels are what ``MiniLMEmbedderTests`` exercise
/// on a machine that has them, so the portable kernels (OpenBLAS products)
/// are checked here on every machine, and the team of threads must never
/// change a vector.
@Suite("MiniLM kernels and threads")
struct MiniLMKernelTests {
    typealias Record = MiniLMEmbedderTests.Record

    static func portableEmbedder(threads: Int = 2) async throws -> MiniLMEmbedder {
        try await MiniLMEmbedder.load(
            modelFolder: ModelFiles.folder, configuration: .init(threads: threads), kernels: .portable)
    }

    @Test func portableKernelsMatchTheReferenceAloneAndInBatchesOf32() async throws {
        let embedder = try await Self.portableEmbedder()
        #expect(embedder.kernels == .portable)
        let records: [Record] = try ModelFiles.referenceRecords()
        try #require(records.count >= 100, "expected the whole reference file, read \(records.count) records")
        var alone: [[Float]] = []
        for record in records {
            alone += try await embedder.embed([record.text])
        }
        _ = MiniLMEmbedderTests.expectMatches(alone, records, batchSize: 1)
        var batched: [[Float]] = []
        for start in stride(from: 0, to: records.count, by: 32) {
            batched += try await embedder.embed(records[start..<min(start + 32, records.count)].map(\.text))
        }
        _ = MiniLMEmbedderTests.expectMatches(batched, records, batchSize: 32)
    }

    @Test func theBestKernelsAreTheDefault() async throws {
        let embedder = try await ModelFiles.embedder()
        #expect(embedder.kernels == KernelSet.best)
    }

    /// One, two and three threads split products, heads and rows
    /// differently; each thread computes whole chunks, so the vectors agree.
    @Test(arguments: [KernelSet.avx512, .avx512BF16, .portable])
    func threadCountsGiveTheSameVectors(kernels: KernelSet) async throws {
        switch kernels {
        case .avx512: guard cpuHasAVX512 else { return }
        case .avx512BF16: guard cpuHasBF16 else { return }
        case .portable: break
        }
        let texts = [
            "How do I reset my password?", "a", "",
            String(repeating: "long text with many tokens for several panels ", count: 20),
        ] + (0..<30).map { "question number \($0) about caching answers" }
        var results: [[[Float]]] = []
        for threads in 1...3 {
            let embedder = try await MiniLMEmbedder.load(
                modelFolder: ModelFiles.folder, configuration: .init(threads: threads), kernels: kernels)
            results.append(try await embedder.embed(texts))
        }
        for result in results.dropFirst() {
            #expect(result.count == texts.count)
            for (a, b) in zip(results[0], result) {
                #expect((zip(a, b).map { abs($0 - $1) }.max() ?? .infinity) <= 1e-5)
            }
        }
    }
}

/// The fork–join team: every chunk runs exactly once per loop, on a valid
/// worker index, loop after loop (helpers spinning or asleep), and after
/// ``ComputeTeam/stop()`` the caller alone still completes loops.
@Suite("Compute team")
struct ComputeTeamTests {
    @Test func everyChunkRunsOnceOnAValidWorker() async throws {
        let team = ComputeTeam(threads: 3, name: "test")
        defer { team.stop() }
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        defer { counts.deallocate() }
        for loop in 0..<2000 {
            let chunks = loop % 64 + 1
            counts.initialize(repeating: 0)
            let badWorkers = Atomic<Int>(0)
            team.forEach(chunks) { chunk, worker in
                counts[chunk] += 1
                if worker < 0 || worker >= 3 { badWorkers.add(1, ordering: .relaxed) }
            }
            #expect(badWorkers.load(ordering: .relaxed) == 0)
            #expect(counts.prefix(chunks).allSatisfy { $0 == 1 }, "loop \(loop)")
            if loop % 500 == 0 {
                // Long enough for the helpers to fall asleep.
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        // More chunks than one loop can count are run in slices.
        let many = 3 << 20
        let ran = Atomic<Int>(0)
        team.forEach(many) { chunk, _ in ran.add(chunk == many - 1 ? 1_000_000_000 : 1, ordering: .relaxed) }
        #expect(ran.load(ordering: .relaxed) == many - 1 + 1_000_000_000)
        team.stop()
        var total = 0
        team.forEach(10) { _, worker in total += worker == 0 ? 1 : 100 }
        #expect(total == 10)
    }
}
