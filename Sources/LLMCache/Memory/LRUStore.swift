/// A least-recently-used map from ``CacheKey`` to ``CacheEntry``, bounded by
/// entry count and by bytes, with a tag index.
///
/// Nodes live in one array and link to each other by index, so every
/// operation is O(1) and nothing is allocated per hit. Not thread-safe: the
/// owning tier keeps it behind a lock.
struct LRUStore {
    private struct Node {
        var key: CacheKey
        var entry: CacheEntry
        /// The tier's own deadline (its TTL cap), which may be earlier than the entry's.
        var deadline: CacheTime?
        var cost: Int
        /// The tags this key is filed under: the entry's own, plus those of
        /// entries it replaced (as Redis tag sets keep a rewritten key), so
        /// that invalidating any tag ever given to the key removes it.
        var tags: Set<String>
        var newer: Int = -1
        var older: Int = -1
    }

    let maxEntries: Int
    let maxBytes: Int
    private var nodes: [Node?] = []
    private var freeSlots: [Int] = []
    private var index: [CacheKey: Int] = [:]
    private var tagIndex: [String: Set<CacheKey>] = [:]
    private var newest = -1
    private var oldest = -1
    private(set) var byteCount = 0
    /// Entries pushed out to respect the bounds, for statistics.
    private(set) var evictionCount = 0

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    var count: Int { index.count }

    /// The live entry for `key`, marked most recently used. An entry that is
    /// expired or of another namespace version is removed and reported absent.
    mutating func entry(for key: CacheKey, now: CacheTime, version: UInt64) -> CacheEntry? {
        guard let slot = index[key], let node = nodes[slot] else { return nil }
        if node.entry.namespaceVersion != version || node.entry.isExpired(at: now)
            || node.deadline.map({ now >= $0 }) == true
        {
            remove(slot: slot)
            return nil
        }
        let touched = node.entry.touched(at: now)
        if case .sliding = touched.expiration { nodes[slot]!.entry = touched }
        moveToNewest(slot)
        return touched
    }

    /// Inserts or replaces; returns false (storing nothing) when the entry alone
    /// exceeds the byte bound.
    @discardableResult
    mutating func insert(_ entry: CacheEntry, for key: CacheKey, deadline: CacheTime?) -> Bool {
        let cost = entry.approximateByteCount
        guard cost <= maxBytes else { return false }
        var tags = entry.tags
        if let slot = index[key] {
            tags.formUnion(nodes[slot]?.tags ?? [])
            remove(slot: slot)
        }
        var node = Node(key: key, entry: entry, deadline: deadline, cost: cost, tags: tags)
        node.older = newest
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            nodes[slot] = node
        } else {
            slot = nodes.count
            nodes.append(node)
        }
        if newest >= 0 { nodes[newest]!.newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
        index[key] = slot
        for tag in tags { tagIndex[tag, default: []].insert(key) }
        byteCount += cost
        while index.count > maxEntries || byteCount > maxBytes, oldest >= 0, oldest != slot {
            remove(slot: oldest)
            evictionCount += 1
        }
        return true
    }

    /// Removes every entry carrying any of `tags`; returns how many.
    mutating func remove(tags: Set<String>) -> Int {
        var removed = 0
        for tag in tags {
            guard let keys = tagIndex[tag] else { continue }
            for key in keys {
                if let slot = index[key] {
                    remove(slot: slot)
                    removed += 1
                }
            }
        }
        return removed
    }

    /// Removes `key`'s entry; returns whether there was one.
    mutating func remove(key: CacheKey) -> Bool {
        guard let slot = index[key] else { return false }
        remove(slot: slot)
        return true
    }

    /// Removes every entry whose namespace version differs from `version`.
    mutating func remove(versionsOtherThan version: UInt64) {
        var slot = oldest
        while slot >= 0, let node = nodes[slot] {
            let next = node.newer
            if node.entry.namespaceVersion != version { remove(slot: slot) }
            slot = next
        }
    }

    mutating func removeAll() {
        let evictions = evictionCount
        self = LRUStore(maxEntries: maxEntries, maxBytes: maxBytes)
        evictionCount = evictions
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        nodes[slot]!.older = newest
        nodes[slot]!.newer = -1
        if newest >= 0 { nodes[newest]!.newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let node = nodes[slot]!
        if node.older >= 0 { nodes[node.older]!.newer = node.newer } else { oldest = node.newer }
        if node.newer >= 0 { nodes[node.newer]!.older = node.older } else { newest = node.older }
    }

    private mutating func remove(slot: Int) {
        guard let node = nodes[slot] else { return }
        unlink(slot)
        index[node.key] = nil
        for tag in node.tags {
            tagIndex[tag]?.remove(node.key)
            if tagIndex[tag]?.isEmpty == true { tagIndex[tag] = nil }
        }
        byteCount -= node.cost
        nodes[slot] = nil
        freeSlots.append(slot)
    }
}
