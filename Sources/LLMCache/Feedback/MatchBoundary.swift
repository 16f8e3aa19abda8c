import Foundation

/// Where matches start being right, learned from labelled observations, and
/// how sure the cache is of it: the core of ``ErrorBudget``.
///
/// Models the chance that a match at score *s* is right as a logistic curve
/// σ(γ·(s − t)) fitted to the observations (maximum likelihood with a small
/// ridge on γ and a weak prior, so that cleanly separated data still gives
/// a finite curve).
/// The fit is uncertain; the covariance of its two parameters comes from its
/// curvature, and decisions read the curve at a pessimistic confidence bound
/// — after the sigmoid-with-uncertainty model of vCache (Schroeder et al.,
/// "vCache: Verified Semantic Prompt Caching"), written anew here.
public struct MatchBoundary: Sendable {
    /// The estimated boundary: where a match is as likely right as wrong.
    public let threshold: Double
    /// The curve's steepness (> 0).
    public let steepness: Double
    /// The fit's intercept and slope in P(right) = σ(a + b·s), and their
    /// covariance (inverse curvature): the uncertainty of a prediction.
    let intercept: Double
    let slope: Double
    let covariance: (aa: Double, ab: Double, bb: Double)

    /// Fits the curve; `nil` without observations or when the fit does not
    /// converge (the caller then serves nothing).
    ///
    /// Half a right and half a wrong observation at the mean score are
    /// added, as a weak prior: observations that are all right still leave
    /// a small chance of a wrong match (about ½ in *n*), and cleanly
    /// separated ones give a finite curve.
    ///
    /// - Parameter observations: observations with their weights (an
    ///   entry's own count more than the pool's).
    public init?(fitting observations: [(observation: MatchObservation, weight: Double)], ridge: Double = 0.01) {
        let total = observations.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        let mean = Float(observations.reduce(0) { $0 + Double($1.observation.score) * $1.weight } / total)
        let weighted = observations + [
            (MatchObservation(score: mean, correct: true), 0.5), (MatchObservation(score: mean, correct: false), 0.5),
        ]
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
        let determinant = hessian.aa * hessian.bb - hessian.ab * hessian.ab
        guard determinant > 0 else { return nil }
        self.intercept = a
        self.slope = b
        self.covariance = (hessian.bb / determinant, -hessian.ab / determinant, hessian.aa / determinant)
        self.steepness = max(b, 1e-6)
        self.threshold = min(1, max(0, -a / steepness))
    }

    /// The chance that a match at `score` is wrong, erring high: the
    /// curve's log-odds at `score` lowered by `deviations` standard errors of
    /// the prediction, so that little evidence means caution.
    public func pessimisticErrorProbability(score: Float, deviations: Double) -> Double {
        let s = Double(score)
        let variance = covariance.aa + 2 * covariance.ab * s + covariance.bb * s * s
        return 1 - Self.sigmoid(intercept + slope * s - deviations * max(0, variance).squareRoot())
    }

    /// The lowest score the cache may serve so that, over `requests`
    /// recent requests whose best candidates scored `scores`, the expected
    /// share served a wrong answer (each read pessimistically) stays within
    /// `maximumErrorRate`; `nil` if not even the best candidate may be served.
    ///
    /// Why a share of requests rather than a bound per request: a bound per
    /// request must hold at every score, so where matches are right 95% of
    /// the time it could serve one in five and explore the rest; spending
    /// the budget on the most confident matches first serves far more for
    /// the same share of wrong answers.
    public func servingThreshold(
        scores: [Float], requests: Int, maximumErrorRate: Double, deviations: Double
    ) -> Float? {
        let allowance = maximumErrorRate * Double(max(requests, scores.count))
        var expectedWrong = 0.0
        var threshold: Float?
        for score in scores.sorted(by: >) {
            expectedWrong += pessimisticErrorProbability(score: score, deviations: deviations)
            guard expectedWrong <= allowance else { break }
            threshold = score
        }
        return threshold
    }

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
