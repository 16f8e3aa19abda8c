import LLMCache
import Testing

@Suite("Values behind llmcache stats and inspect")
struct StatisticsValueTests {
    @Test func latencySnapshotsSubtractAddAndGiveTheHistogramsPercentiles() {
        let histogram = LatencyHistogram()
        for value in [100, 200, 300, 5_000, 80_000] { histogram.record(nanoseconds: UInt64(value)) }
        let earlier = histogram.snapshot()
        for value in [120, 7_000, 7_100, 1_000_000] { histogram.record(nanoseconds: UInt64(value)) }
        let now = histogram.snapshot()
        #expect(now.count == 9 && earlier.count == 5)
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] { #expect(now.percentile(q) == histogram.percentile(q)) }

        let delta = now.subtracting(earlier)
        #expect(delta.count == 4)
        #expect(earlier.adding(delta) == now, "a reader adding deltas gets the publisher's histogram")
        #expect(now.subtracting(now).buckets.isEmpty)
        #expect(LatencyHistogram.Snapshot().percentile(0.5) == .zero)
        #expect(LatencyHistogram.Snapshot(buckets: [-1: 3, 5_000: 2, 7: 0, 20: 4]).buckets == [20: 4], "invalid buckets dropped")
        #expect(LatencyHistogram.upperBound(ofBucket: 1_000_000) > .seconds(1), "out-of-range buckets clamp")
    }

    @Test func statisticsCarryTheLatencyBuckets() async throws {
        let stack = CacheStack(tiers: [MemoryTier(maxEntries: 10)])
        for _ in 0..<3 { _ = try await stack.response(for: "q", compute: { (_: String) in "a" }) }
        let tier = stack.statistics.tiers[0]
        #expect(tier.lookupLatency.count == 3)
        #expect(tier.lookupLatency.percentile(0.5) == tier.lookupP50)
    }

    @Test func frameInfoReadsSizesAndCompressionWithoutDecoding() throws {
        let codec = PayloadCodec()
        let long = Array(String(repeating: "cache answers compress well. ", count: 40).utf8)
        let compressed = try codec.encode(long)
        let info = try PayloadCodec.frameInfo(compressed)
        #expect(info.isCompressed && info.dictionaryID == nil)
        #expect(info.uncompressedSize == long.count && info.frameSize == compressed.count)
        #expect(info.headerSize + info.storedBodySize == compressed.count)
        #expect(info.compressionRatio > 5)

        let short = try PayloadCodec.frameInfo(try codec.encode(Array("short".utf8)))
        #expect(!short.isCompressed && short.storedBodySize == 5 && short.compressionRatio == 1)
        #expect(throws: CacheError.self) { try PayloadCodec.frameInfo([0x00, 0x01]) }
        #expect(throws: CacheError.self) { try PayloadCodec.frameInfo([]) }
    }

    @Test func cacheKeysReadTheirHexBack() {
        let key = CacheKey(request: "hello")
        #expect(CacheKey(hex: key.hex) == key)
        #expect(CacheKey(hex: key.hex.uppercased()) == key)
        #expect(CacheKey(hex: String(key.hex.dropLast())) == nil)
        #expect(CacheKey(hex: String(key.hex.dropLast()) + "g") == nil)
        #expect(CacheKey(hex: "") == nil)
    }
}
