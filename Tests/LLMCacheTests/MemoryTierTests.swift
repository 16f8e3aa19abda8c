import LLMCache
import LLMCacheTesting
import Testing

@Suite("MemoryTier")
struct MemoryTierTests {
    let clock = ManualCacheClock()

    @Test func evictsLeastRecentlyUsedByCount() {
        let tier = MemoryTier(maxEntries: 3, clock: clock)
        for name in ["a", "b", "c"] { tier.store(entry(name, clock: clock), for: query(name)) }
        _ = tier.lookup(query("a"))  // a is now the most recently used
        tier.store(entry("d", clock: clock), for: query("d"))
        #expect(tier.lookup(query("b")) == nil, "b was least recently used")
        #expect(tier.lookup(query("a")) != nil)
        #expect(tier.lookup(query("c")) != nil)
        #expect(tier.lookup(query("d")) != nil)
        #expect(tier.count == 3)
        #expect(tier.evictionCount == 1)
    }

    @Test func evictsByBytes() {
        let big = String(repeating: "x", count: 1000)
        let probe = entry(big, clock: clock).approximateByteCount
        let tier = MemoryTier(maxEntries: 100, maxBytes: probe * 2 + 10, clock: clock)
        tier.store(entry(big, clock: clock), for: query("1"))
        tier.store(entry(big, clock: clock), for: query("2"))
        #expect(tier.count == 2)
        tier.store(entry(big, clock: clock), for: query("3"))
        #expect(tier.count == 2)
        #expect(tier.byteCount <= probe * 2 + 10)
        #expect(tier.lookup(query("1")) == nil)
        #expect(tier.lookup(query("3")) != nil)
    }

    @Test func refusesAnEntryLargerThanTheWholeTier() {
        let tier = MemoryTier(maxEntries: 10, maxBytes: 500, clock: clock)
        tier.store(entry("small", clock: clock), for: query("small"))
        tier.store(entry(String(repeating: "x", count: 1000), clock: clock), for: query("huge"))
        #expect(tier.lookup(query("huge")) == nil)
        #expect(tier.lookup(query("small")) != nil, "a refused entry must not evict others")
    }

    @Test func replacingAKeyKeepsAccountingExact() {
        let tier = MemoryTier(maxEntries: 10, clock: clock)
        tier.store(entry("one", clock: clock), for: query("k"))
        tier.store(entry("two", clock: clock), for: query("k"))
        #expect(tier.count == 1)
        #expect(tier.byteCount == entry("two", clock: clock).approximateByteCount)
        #expect(tier.lookup(query("k"))?.entry.value == Array("two".utf8))
    }

    @Test func expiresByEntryTTLAndByTierTTL() {
        let tier = MemoryTier(maxEntries: 10, ttl: .seconds(30), clock: clock)
        tier.store(entry("short", clock: clock, ttl: .seconds(10)), for: query("short"))
        tier.store(entry("long", clock: clock, ttl: .seconds(3600)), for: query("long"))
        clock.advance(by: .seconds(9))
        #expect(tier.lookup(query("short")) != nil)
        clock.advance(by: .seconds(1))
        #expect(tier.lookup(query("short")) == nil, "entry TTL reached")
        clock.advance(by: .seconds(19))
        #expect(tier.lookup(query("long")) != nil)
        clock.advance(by: .seconds(1))
        #expect(tier.lookup(query("long")) == nil, "the tier keeps nothing longer than its own TTL")
        #expect(tier.count == 0)
    }

    @Test func slidingEntriesLiveWhileTheyAreRead() throws {
        let tier = MemoryTier(maxEntries: 10, ttl: nil, clock: clock)
        var sliding = entry("s", clock: clock, ttl: .seconds(10))
        sliding.expiration = .sliding(ttl: .seconds(10))
        tier.store(sliding, for: query("s"))
        for _ in 0..<5 {
            clock.advance(by: .seconds(8))
            let hit = try #require(tier.lookup(query("s")))
            #expect(hit.entry.remainingTTL(at: clock.now) == .seconds(10))
        }
        clock.advance(by: .seconds(10))
        #expect(tier.lookup(query("s")) == nil)
    }

    @Test func invalidatesByTag() {
        let tier = MemoryTier(maxEntries: 10, clock: clock)
        tier.store(entry("a", clock: clock, tags: ["docs", "en"]), for: query("a"))
        tier.store(entry("b", clock: clock, tags: ["docs"]), for: query("b"))
        tier.store(entry("c", clock: clock, tags: ["faq"]), for: query("c"))
        #expect(tier.invalidate(tags: ["docs"]) == 2)
        #expect(tier.lookup(query("a")) == nil)
        #expect(tier.lookup(query("b")) == nil)
        #expect(tier.lookup(query("c")) != nil)
        #expect(tier.invalidate(tags: ["en", "docs"]) == 0, "tag index cleaned up with the entries")
    }

    @Test func neverServesAnotherNamespaceVersion() {
        let tier = MemoryTier(maxEntries: 10, clock: clock)
        tier.store(entry("a", clock: clock, version: 1), for: query("a", version: 1))
        #expect(tier.lookup(query("a", version: 2)) == nil)
        #expect(tier.lookup(query("a", version: 1)) == nil, "a stale entry is dropped when seen")
        tier.store(entry("b", clock: clock, version: 1), for: query("b", version: 1))
        tier.store(entry("c", clock: clock, version: 2), for: query("c", version: 2))
        tier.namespaceVersionDidChange(to: 2)
        #expect(tier.count == 1)
        #expect(tier.lookup(query("c", version: 2)) != nil)
    }

    @Test func removeAllEmptiesTheTier() {
        let tier = MemoryTier(maxEntries: 10, clock: clock)
        for name in ["a", "b"] { tier.store(entry(name, clock: clock, tags: ["t"]), for: query(name)) }
        tier.removeAll()
        #expect(tier.count == 0 && tier.byteCount == 0)
        #expect(tier.invalidate(tags: ["t"]) == 0)
        tier.store(entry("a", clock: clock), for: query("a"))
        #expect(tier.lookup(query("a")) != nil, "usable after removeAll")
    }

    @Test func survivesChurnWithConsistentAccounting() {
        let tier = MemoryTier(maxEntries: 50, maxBytes: 20_000, clock: clock)
        var random = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            let name = "k\(Int.random(in: 0..<200, using: &random))"
            switch step % 4 {
            case 0, 1: tier.store(entry(String(repeating: "v", count: Int.random(in: 0..<600, using: &random)), clock: clock, tags: ["t\(step % 7)"]), for: query(name))
            case 2: _ = tier.lookup(query(name))
            default: if step % 100 == 3 { tier.invalidate(tags: ["t\(step % 7)"]) }
            }
            #expect(tier.count <= 50)
            #expect(tier.byteCount <= 20_000)
        }
    }
}

@Suite("MemoryTier under concurrency")
struct MemoryTierConcurrencyTests {
    /// Eight tasks reading and writing one tier at once; run under
    /// ThreadSanitizer by scripts/tsan.sh to show the tier is race-free.
    @Test func eightTasksShareOneTier() async {
        let clock = ManualCacheClock()
        let tier = MemoryTier(maxEntries: 500, maxBytes: 1 << 20, clock: clock)
        let queries = (0..<1_000).map { query("key \($0)") }
        let hits = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var hits = 0
                    for step in 0..<20_000 {
                        let index = (step &* 31 &+ task &* 7) % queries.count
                        if step % 4 == 0 {
                            tier.store(entry("value \(index)", clock: clock, tags: ["t\(index % 5)"]), for: queries[index])
                        } else if let hit = tier.lookup(queries[index]) {
                            #expect(hit.entry.value == Array("value \(index)".utf8))
                            hits += 1
                        }
                        if step % 5_000 == 0 { tier.invalidate(tags: ["t\(task % 5)"]) }
                    }
                    return hits
                }
            }
            return await group.reduce(0, +)
        }
        #expect(hits > 0)
        #expect(tier.count <= 500)
    }
}
