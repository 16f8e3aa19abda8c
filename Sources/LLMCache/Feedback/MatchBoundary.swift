import Foundation

/// Where matches start being right, learned from labelled observations, and
/// how sure the cache is of it: the core of ``ErrorBudget``.
///
/// Models the chance that a match at score *s* is right as a logistic curve
/// σ(γ·(s − t)) fitted to the observations (maximum likelihood with a small
/// ridge on γ, so that cleanly separated data still gives a finite curve).
/// The boundary *t* is uncertain; its variance comes from the fit's
/// curvature (delta method). A request is then served with a probability
/// chosen so that, even at a pessimistic boundary, the chance of serving a
/// wrong answer stays within δ — the decision rule of vCache (Schroeder et
/// al., "vCache: Verified Semantic Prompt Caching"), written anew here.
public struct MatchBoundary: Sendable, Hashable {
    /// The estimated boundary: where a match is as likely right as wrong.
    public let threshold: Double
    /// The curve's steepness (> 0).
    public let steepness: Double
    /// The variance of ``threshold``.
    public let thresholdVariance: Double
    /// How much evidence the fit rests on (weighted observations).
    public let weight: Double

    /// Fits the curve; `nil` without both a right and a wrong observation,
    /// or when the fit does not converge (the caller then explores).
    ///
    /// - Parameter weighted: observations with their weights (an entry's own
    ///   count more than the pool's).
    public init?(fitting weighted: [(observation: MatchObservation, weight: Double)], ridge: Double = 0.01) {
        guard weighted.contains(where: { $0.observation.correct }), weighted.contains(where: { !$0.observation.correct })
        else { return nil }
        // Newton's method on (a, b) for P(right) = σ(a + b·s).
        var (a, b) = (0.0, 0.0)
        var hessian = (aa: 0.0, ab: 0.0, bb: 0.0)
        for _ in 0..<50 {
            var gradient = (a: 0.0, b: -ridge * b)
            hessian = (aa: 1e-9, ab: 0, bb: ridge)
            for (observation, weight) in weighted {
                let s = Double(observation.score)
                let p = Self.sigmoid(a + b * s)
                let residual = (observation.correct ? 1 : 0) - p
                gradient.a += weight * residual
                gradient.b += weight * residual * s
                let curvature = weight * p * (1 - p)
                hessian.aa += curvature
                hessian.ab += curvature * s
                hessian.bb += curvature * s * s
            }
            let determinant = hessian.aa * hessian.bb - hessian.ab * hessian.ab
            guard determinant > 0 else { return nil }
            let stepA = (hessian.bb * gradient.a - hessian.ab * gradient.b) / determinant
            let stepB = (hessian.aa * gradient.b - hessian.ab * gradient.a) / determinant
            a += stepA
            b += stepB
            if abs(stepA) + abs(stepB) < 1e-9 { break }
        }
        guard a.isFinite, b.isFinite else { return nil }
        let steepness = max(b, 1e-6)
        let determinant = hessian.aa * hessian.bb - hessian.ab * hessian.ab
        guard determinant > 0 else { return nil }
        // t = −a/b; ∇t = (−1/b, a/b²); Var t = ∇tᵀ H⁻¹ ∇t.
        let (da, db) = (-1 / steepness, a / (steepness * steepness))
        let variance = (hessian.bb * da * da - 2 * hessian.ab * da * db + hessian.aa * db * db) / determinant
        self.threshold = min(1, max(0, -a / steepness))
        self.steepness = steepness
        self.thresholdVariance = max(0, variance)
        self.weight = weighted.reduce(0) { $0 + $1.weight }
    }

    /// The probability of sending a request matched at `score` to the model
    /// (exploring) rather than serving the stored answer, so that the chance
    /// of serving a wrong answer is at most `maximumErrorRate`.
    ///
    /// For each confidence level 1 − ε the boundary is moved up to its upper
    /// quantile, the chance of being right there is discounted by ε, and the
    /// serving probability that spends exactly the budget at that pessimistic
    /// point is computed; the least exploration over the levels wins.
    public func explorationProbability(score: Float, maximumErrorRate: Double) -> Double {
        let deviation = thresholdVariance.squareRoot()
        var least = 1.0
        for epsilon in Self.levels {
            let pessimistic = min(1, max(0, threshold + Self.normalQuantile(1 - epsilon) * deviation))
            let right = (1 - epsilon) * Self.sigmoid(steepness * (Double(score) - pessimistic))
            guard right < 1 else { return 0 }
            least = min(least, 1 - maximumErrorRate / (1 - right))
        }
        return min(1, max(0, least))
    }

    /// The values of ε tried: 50, spaced logarithmically from 10⁻⁶ to 0.9,
    /// since the useful ones are small (a level whose ε exceeds the budget
    /// alone can never allow serving).
    static let levels: [Double] = (0..<50).map { pow(10, -6 + Double($0) * (6 + log10(0.9)) / 49) }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// The standard normal quantile (Acklam's rational approximation,
    /// relative error below 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239]
        let b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
        let c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
        let d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
        let p = min(max(p, 1e-12), 1 - 1e-12)
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
