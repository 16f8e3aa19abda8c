/// Vectors and entries of a ``MemorySemanticTier``, partitioned by scope so
/// that a lookup only ever scans (and can only ever match) its own scope.
/// Not thread-safe: the tier keeps it behind a lock.
struct SemanticStore {
    private struct Location: Hashable {
        var scope: CacheKey
        var row: Int
    }

    let dimensions: Int
    let maxEntries: Int
    private var partitions: [CacheKey: VectorPartition] = [:]
    private var locations: [CacheKey: Location] = [:]
    private var tagIndex: [String: Set<CacheKey>] = [:]
    private var tick: UInt64 = 0

    init(dimensions: Int, maxEntries: Int) {
        self.dimensions = dimensions
        self.maxEntries = max(1, maxEntries)
    }

    var count: Int { locations.count }

    /// Up to `count` live entries nearest to `vector` in `scope` at or above
    /// `threshold`, most similar first. Dead rows (expired, other version)
    /// found on the way are removed.
    mutating func nearest(
        to vector: [Float], scope: CacheKey, threshold: Float, now: CacheTime, version: UInt64, count: Int
    ) -> [(key: CacheKey, entry: CacheEntry, similarity: Float)] {
        while let partition = partitions[scope] {
            let rows = partition.nearest(to: vector, count: count).filter { $0.similarity >= threshold }
            let dead = rows.map { partition.records[$0.row] }.filter { record in
                record.entry.namespaceVersion != version || record.entry.isExpired(at: now)
                    || record.deadline.map({ now >= $0 }) == true
            }
            guard dead.isEmpty else {
                for record in dead { remove(key: record.key) }
                continue
            }
            return rows.map { (partition.records[$0.row].key, partition.records[$0.row].entry, $0.similarity) }
        }
        return []
    }

    /// Marks `key`'s entry used at `now` (a sliding one's expiry moves);
    /// returns it as touched, or `nil` if it has gone meanwhile.
    mutating func touch(key: CacheKey, now: CacheTime) -> CacheEntry? {
        guard let location = locations[key] else { return nil }
        tick += 1
        let touched = partitions[location.scope]!.records[location.row].entry.touched(at: now)
        partitions[location.scope]!.markUsed(row: location.row, tick: tick, entry: touched)
        return touched
    }

    /// Stores `entry` under `key` with its vector, replacing an earlier entry
    /// for the same key, evicting the least recently used when full.
    mutating func insert(_ entry: CacheEntry, key: CacheKey, scope: CacheKey, vector: [Float], deadline: CacheTime?) {
        tick += 1
        let record = VectorPartition.Record(key: key, entry: entry, deadline: deadline, lastUsed: tick)
        if let location = locations[key], location.scope == scope {
            untag(partitions[scope]!.records[location.row].entry.tags, key: key)
            partitions[scope]!.replace(row: location.row, vector: vector, record: record)
        } else {
            remove(key: key)
            if locations.count >= maxEntries { evictLeastRecentlyUsed() }
            let row = partitions[scope, default: VectorPartition(dimensions: dimensions)].append(vector, record: record)
            locations[key] = Location(scope: scope, row: row)
        }
        for tag in entry.tags { tagIndex[tag, default: []].insert(key) }
    }

    /// Removes every entry carrying any of `tags`; returns how many.
    mutating func remove(tags: Set<String>) -> Int {
        var removed = 0
        for tag in tags {
            for key in tagIndex[tag] ?? [] where remove(key: key) { removed += 1 }
        }
        return removed
    }

    /// Removes every entry whose namespace version differs from `version`.
    mutating func remove(versionsOtherThan version: UInt64) {
        let stale = partitions.values.flatMap { $0.records.filter { $0.entry.namespaceVersion != version }.map(\.key) }
        for key in stale { remove(key: key) }
    }

    mutating func removeAll() {
        self = SemanticStore(dimensions: dimensions, maxEntries: maxEntries)
    }

    /// Removes `key`'s entry; returns whether there was one.
    @discardableResult
    mutating func remove(key: CacheKey) -> Bool {
        guard let location = locations.removeValue(forKey: key) else { return false }
        untag(partitions[location.scope]!.records[location.row].entry.tags, key: key)
        if let moved = partitions[location.scope]!.swapRemove(row: location.row) {
            locations[moved] = location
        }
        if partitions[location.scope]!.count == 0 { partitions[location.scope] = nil }
        return true
    }

    private mutating func untag(_ tags: Set<String>, key: CacheKey) {
        for tag in tags {
            tagIndex[tag]?.remove(key)
            if tagIndex[tag]?.isEmpty == true { tagIndex[tag] = nil }
        }
    }

    /// O(n) over all rows; runs only when the tier is full.
    private mutating func evictLeastRecentlyUsed() {
        var victim: CacheKey?
        var oldest = UInt64.max
        for partition in partitions.values {
            for record in partition.records where record.lastUsed < oldest {
                oldest = record.lastUsed
                victim = record.key
            }
        }
        if let victim { remove(key: victim) }
    }
}
