import LLMCache

/// Random hyperplanes for locality-sensitive hashing: two vectors land in
/// the same bucket with a probability that grows with their cosine similarity.
///
/// The planes are a pure function of the seed (integer arithmetic and
/// float additions only, no libm), so every process and every restart that
/// reads the same stored seed hashes alike.
struct Hyperplanes: Sendable {
    let count: Int
    let dimensions: Int
    private let normals: [Float]

    init(count: Int, dimensions: Int, seed: UInt64) {
        precondition(count > 0 && count <= 32, "between 1 and 32 hyperplanes")
        self.count = count
        self.dimensions = dimensions
        var generator = SplitMix64(seed: seed)
        // Each component is a sum of four uniforms on [-1, 1]: close enough
        // to Gaussian that the plane directions are spread evenly.
        normals = (0..<count * dimensions).map { _ in
            var sum: Float = 0
            for _ in 0..<4 { sum += Float(generator.next() >> 40) / Float(1 << 23) - 1 }
            return sum
        }
    }

    /// Which side of each plane `vector` lies on (bit i set: positive side of
    /// plane i), and how far from each plane, for multi-probing.
    func project(_ vector: [Float]) -> (bucket: UInt64, margins: [Float]) {
        var bucket: UInt64 = 0
        var margins = [Float](repeating: 0, count: count)
        vector.withUnsafeBufferPointer { vector in
            normals.withUnsafeBufferPointer { normals in
                for plane in 0..<count {
                    let side = dotProduct(vector.baseAddress!, normals.baseAddress! + plane * dimensions, count: dimensions)
                    if side > 0 { bucket |= 1 << UInt64(plane) }
                    margins[plane] = abs(side)
                }
            }
        }
        return (bucket, margins)
    }

    /// The `probes` buckets most likely to hold `vector`'s near neighbours:
    /// its own, then those reached by flipping the sets of bits whose summed
    /// margins are smallest (a neighbour across a plane is most likely across
    /// a plane the vector is close to).
    func probeSequence(for vector: [Float], probes: Int) -> [UInt64] {
        if count < 63, probes >= 1 << count { return (0..<UInt64(1) << UInt64(count)).map { $0 } }  // every bucket
        let (bucket, margins) = project(vector)
        let order = margins.indices.sorted { margins[$0] < margins[$1] }
        // Flip sets are positions into `order`, ascending; each set spawns
        // "shift the last position up" and "add the next position", which
        // enumerates every set exactly once in order of summed margin.
        var frontier: [(cost: Float, positions: [Int])] = [(margins[order[0]], [0])]
        var result: [UInt64] = [bucket]
        while result.count < probes, !frontier.isEmpty {
            let cheapest = frontier.indices.min { frontier[$0].cost < frontier[$1].cost }!
            let (cost, positions) = frontier.remove(at: cheapest)
            result.append(positions.reduce(bucket) { $0 ^ (1 << UInt64(order[$1])) })
            let last = positions[positions.count - 1]
            if last + 1 < count {
                let shifted = positions.dropLast() + [last + 1]
                frontier.append((cost - margins[order[last]] + margins[order[last + 1]], Array(shifted)))
                frontier.append((cost + margins[order[last + 1]], positions + [last + 1]))
            }
        }
        return result
    }
}
