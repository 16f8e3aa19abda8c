import LLMCache
import LLMCacheTesting
import Testing

/// Huge TTLs and corrupt stored times clamp instead of trapping (found by
/// `Fuzz/FuzzCacheEntry`: a checksum-valid entry whose expiry was far from the
/// reader's clock crashed `remainingTTL`).
@Suite("Time overflow")
struct TimeOverflowTests {
    let clock = ManualCacheClock()
    let model = CountingModel()

    @Test(arguments: [Duration.seconds(Int64.max / 2), .seconds(Int64.max), .seconds(Int64.max) + .seconds(Int64.max)])
    func aHugeTTLStoresAnEntryThatIsServed(ttl: Duration) async throws {
        let memory = MemoryTier(maxEntries: 10, clock: clock)
        let slow = MemoryTier(name: "slow", configuration: .init(ttl: nil), clock: clock)
        let cache = CacheStack(tiers: [memory, slow], configuration: .init(defaultTTL: nil), clock: clock)
        for expiration in [CacheOptions.ExpirationMode.fixed, .sliding] {
            let prompt = "forever \(expiration)"
            let options = CacheOptions(ttl: ttl, expiration: expiration)
            let first = try await cache.response(for: prompt, options: options, compute: model.answer)
            #expect(first.source == .computed)
            clock.advance(by: .seconds(365 * 24 * 3600))
            #expect(try await cache.response(for: prompt, options: options, compute: model.answer).isCacheHit)
            // Promotion from the lower tier carries the (huge) remaining TTL up.
            memory.removeAll()
            #expect(try await cache.response(for: prompt, compute: model.answer).isCacheHit)
        }
        #expect(model.callCount == 2)
    }

    @Test func advancingSaturatesAtTheEndsOfTime() {
        let now = CacheTime(millisecondsSince1970: 1_700_000_000_000)
        #expect(now.advanced(by: .seconds(Int64.max)) == .distantFuture)
        #expect(CacheTime(millisecondsSince1970: -1).advanced(by: .seconds(Int64.min)) == .distantPast)
        #expect(now.advanced(by: .seconds(Int64.max) * 3) == .distantFuture)
        #expect(CacheTime.distantFuture.advanced(by: .milliseconds(1)) == .distantFuture)
        #expect(CacheTime.distantPast.advanced(by: .milliseconds(-1)) == .distantPast)
        #expect(now.advanced(by: .seconds(1)).millisecondsSince1970 == 1_700_000_001_000)
    }

    @Test func durationBetweenAnyTwoInstantsIsExact() {
        let span = CacheTime.distantPast.duration(to: .distantFuture)
        #expect(span == .milliseconds(Int64.max) + .milliseconds(Int64.max) + .milliseconds(1))
        #expect(CacheTime.distantFuture.duration(to: .distantPast) == .zero - span)
    }

    @Test func wholeMillisecondsSaturates() {
        #expect(Duration.seconds(Int64.max).wholeMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).wholeMilliseconds == .min)
        #expect((Duration.seconds(Int64.max) * 2).wholeMilliseconds == .max)
        #expect((Duration.seconds(Int64.min) * 2).wholeMilliseconds == .min)
        #expect(Duration.milliseconds(-1500).wholeMilliseconds == -1500)
        // Seconds that fit once scaled, with a fraction that would carry past Int64.max.
        let edge = Duration.seconds(Int64.max / 1000) + .milliseconds(999)
        #expect(edge.wholeMilliseconds == .max)
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
    }

    /// The fuzzer's input: an entry expiring about 1.2·10¹⁸ ms after 1970, so
    /// that its remaining TTL seen from the distant past overflowed `Int64`.
    @Test func anEntryWithExtremeTimesReadsWithoutTrapping() throws {
        let entry = CacheEntry(
            value: Array("x".utf8), createdAt: .distantPast, expiresAt: .distantPast,
            expiration: .sliding(ttl: .seconds(Int64.max)))
        let decoded = try CacheEntry(serialized: entry.serialized())
        #expect(decoded.expiresAt != nil, "an expiry at the distant past is not read back as 'never expires'")
        #expect(decoded.isExpired(at: CacheTime(millisecondsSince1970: 0)))
        for now in [CacheTime.distantPast, .distantFuture, CacheTime(millisecondsSince1970: 0)] {
            _ = decoded.isExpired(at: now)
            #expect(decoded.remainingTTL(at: now).map { $0 >= .zero } == true)
            #expect(decoded.touched(at: now).expiresAt == .distantFuture || now == .distantPast)
        }
        let fuzzed: [UInt8] = [
            0x01, 0xe0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x00, 0x00, 0x1e, 0x1f,
            0x11, 0xfb, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        let crashing = try CacheEntry(serialized: fuzzed)
        #expect(crashing.remainingTTL(at: crashing.createdAt).map { $0 > .zero } == true)
        #expect(crashing.remainingTTL(at: .distantPast).map { $0 > .seconds(Int64.max / 1000) } == true)
        #expect(crashing.remainingTTL(at: .distantFuture) == .zero)
    }
}
