import Foundation

/// Fits σ(w · x + b) to weighted labelled samples by Newton's method with a
/// small ridge penalty: deterministic (no random start, no shuffling), so
/// the same samples always give the same weights.
struct LogisticRegression {
    var weights: [Double]
    var bias: Double

    /// - Parameters:
    ///   - samples: standardised feature rows, all of one length.
    ///   - ridge: the L2 penalty on the weights (not the bias).
    static func fit(
        _ samples: [[Double]], labels: [Bool], sampleWeights: [Double], ridge: Double = 1e-3, iterations: Int = 30
    ) -> LogisticRegression {
        let width = samples.first?.count ?? 0
        let size = width + 1
        var theta = [Double](repeating: 0, count: size)
        let total = sampleWeights.reduce(0, +)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: size)
            var hessian = [Double](repeating: 0, count: size * size)
            for (index, row) in samples.enumerated() {
                let x = row + [1]
                var logit = 0.0
                for k in 0..<size { logit += theta[k] * x[k] }
                let p = 1 / (1 + (-logit).exp)
                let weight = sampleWeights[index] / total
                let error = (p - (labels[index] ? 1 : 0)) * weight
                let curvature = max(p * (1 - p), 1e-9) * weight
                for i in 0..<size {
                    gradient[i] += error * x[i]
                    for j in i..<size { hessian[i * size + j] += curvature * x[i] * x[j] }
                }
            }
            for i in 0..<size {
                for j in 0..<i { hessian[i * size + j] = hessian[j * size + i] }
            }
            for i in 0..<width {
                gradient[i] += ridge * theta[i]
                hessian[i * size + i] += ridge
            }
            guard let step = solve(hessian, gradient, size: size) else { break }
            var change = 0.0
            for k in 0..<size {
                theta[k] -= step[k]
                change = max(change, abs(step[k]))
            }
            if change < 1e-9 { break }
        }
        return LogisticRegression(weights: Array(theta[0..<width]), bias: theta[width])
    }

    /// Solves `matrix · x = vector` by Gaussian elimination with partial pivoting.
    private static func solve(_ matrix: [Double], _ vector: [Double], size: Int) -> [Double]? {
        var a = matrix
        var b = vector
        for column in 0..<size {
            var pivot = column
            for row in column..<size where abs(a[row * size + column]) > abs(a[pivot * size + column]) { pivot = row }
            guard abs(a[pivot * size + column]) > 1e-15 else { return nil }
            if pivot != column {
                for k in 0..<size { a.swapAt(column * size + k, pivot * size + k) }
                b.swapAt(column, pivot)
            }
            for row in (column + 1)..<size {
                let factor = a[row * size + column] / a[column * size + column]
                guard factor != 0 else { continue }
                for k in column..<size { a[row * size + k] -= factor * a[column * size + k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<size { sum -= a[row * size + k] * x[k] }
            x[row] = sum / a[row * size + row]
        }
        return x
    }
}

extension Double {
    fileprivate var exp: Double { Foundation.exp(self) }
}
