/// Dot product of two float vectors of length `count`, 32 lanes at a time.
///
/// With normalised vectors this is the cosine similarity; it is the inner loop
/// of every brute-force scan, so it works on raw pointers and SIMD registers.
@inlinable
package func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var first = SIMD16<Float>()
    var second = SIMD16<Float>()
    var index = 0
    while index + 32 <= count {
        first += loadSIMD16(a + index) * loadSIMD16(b + index)
        second += loadSIMD16(a + index + 16) * loadSIMD16(b + index + 16)
        index += 32
    }
    if index + 16 <= count {
        first += loadSIMD16(a + index) * loadSIMD16(b + index)
        index += 16
    }
    var sum = (first + second).sum()
    while index < count {
        sum += a[index] * b[index]
        index += 1
    }
    return sum
}

@inlinable
func loadSIMD16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

/// Cosine similarity of two vectors of equal length, normalised or not.
/// Returns 0 when either vector is zero.
public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "vectors of different lengths")
    return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
            let dot = dotProduct(pa, pb, count: a.count)
            let norms = (dotProduct(pa, pa, count: a.count) * dotProduct(pb, pb, count: b.count)).squareRoot()
            return norms > 0 ? dot / norms : 0
        }
    }
}
