/// The vectors of one semantic scope, stored contiguously so a brute-force
/// scan streams through memory, with one record per row.
struct VectorPartition {
    struct Record {
        var key: CacheKey
        var entry: CacheEntry
        var deadline: CacheTime?
        var lastUsed: UInt64
    }

    let dimensions: Int
    private(set) var vectors: [Float] = []
    private(set) var records: [Record] = []

    init(dimensions: Int) { self.dimensions = dimensions }

    var count: Int { records.count }

    /// Appends a row; returns its index.
    mutating func append(_ vector: [Float], record: Record) -> Int {
        vectors.append(contentsOf: vector)
        records.append(record)
        return records.count - 1
    }

    /// Replaces row `row` in place.
    mutating func replace(row: Int, vector: [Float], record: Record) {
        vectors.replaceSubrange(row * dimensions..<(row + 1) * dimensions, with: vector)
        records[row] = record
    }

    /// Removes row `row` by moving the last row into its place; returns the
    /// key of the moved row (whose index is now `row`), if any.
    mutating func swapRemove(row: Int) -> CacheKey? {
        let last = records.count - 1
        var moved: CacheKey?
        if row != last {
            for component in 0..<dimensions {
                vectors[row * dimensions + component] = vectors[last * dimensions + component]
            }
            records[row] = records[last]
            moved = records[row].key
        }
        records.removeLast()
        vectors.removeLast(dimensions)
        return moved
    }

    mutating func markUsed(row: Int, tick: UInt64, entry: CacheEntry) {
        records[row].lastUsed = tick
        records[row].entry = entry
    }

    /// Up to `count` rows most similar to `query`, most similar first, with
    /// their cosine similarity (vectors are normalised).
    func nearest(to query: [Float], count: Int) -> [(row: Int, similarity: Float)] {
        guard !records.isEmpty, count > 0 else { return [] }
        var best: [(row: Int, similarity: Float)] = []
        best.reserveCapacity(count + 1)
        query.withUnsafeBufferPointer { query in
            vectors.withUnsafeBufferPointer { matrix in
                guard let q = query.baseAddress, let base = matrix.baseAddress else { return }
                for row in 0..<records.count {
                    let score = dotProduct(q, base + row * dimensions, count: dimensions)
                    guard best.count < count || score > best[best.count - 1].similarity else { continue }
                    let position = best.firstIndex { $0.similarity < score } ?? best.count
                    best.insert((row, score), at: position)
                    if best.count > count { best.removeLast() }
                }
            }
        }
        return best.map { ($0.row, min(1, max(-1, $0.similarity))) }
    }
}
