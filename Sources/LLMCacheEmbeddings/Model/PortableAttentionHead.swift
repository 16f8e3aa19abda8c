#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CBLAS

/// Attention for one head and sequence without the AVX-512 kernels, as the
/// encoder computed it before them: OpenBLAS products and a Swift softmax.
extension SelfAttention {
    /// One head over one sequence with two OpenBLAS products:
    /// `scores = Q·Kᵀ·scale` (`tokens²`, in `scores`), a softmax per row,
    /// then `context = scores · V`. Keys and values follow the queries at
    /// one and two hidden widths.
    static func portableHead(
        _ queries: UnsafePointer<Float>, stride: Int, tokens: Int, headSize: Int, scale: Float,
        into context: UnsafeMutablePointer<Float>, outputStride: Int, scores: UnsafeMutablePointer<Float>
    ) {
        let width = stride / 3
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            blasint(tokens), blasint(tokens), blasint(headSize),
            scale, queries, blasint(stride), queries + width, blasint(stride),
            0, scores, blasint(tokens))
        softmaxRows(scores, rows: tokens, columns: tokens)
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans,
            blasint(tokens), blasint(headSize), blasint(tokens),
            1, scores, blasint(tokens), queries + 2 * width, blasint(stride),
            0, context, blasint(outputStride))
    }

    /// Softmax of each row in place, shifted by the row's maximum so `exp`
    /// cannot overflow.
    static func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let x = values + row * columns
            var maximum = -Float.infinity
            for column in 0..<columns where x[column] > maximum { maximum = x[column] }
            var sum: Float = 0
            for column in 0..<columns {
                let e = expf(x[column] - maximum)
                x[column] = e
                sum += e
            }
            let inverse = 1 / sum
            for column in 0..<columns { x[column] *= inverse }
        }
    }
}
