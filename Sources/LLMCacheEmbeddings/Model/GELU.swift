#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// BERT's activation, the exact GELU: `x · Φ(x) = x/2 · (1 + erf(x/√2))`,
/// applied in place. Not the tanh approximation, which moves the outputs
/// further from the reference than the tests allow.
func applyGELU(_ values: UnsafeMutablePointer<Float>, count: Int) {
    let inverseSquareRootOfTwo: Float = 0.707_106_781_186_547_524_4
    for index in 0..<count {
        let x = values[index]
        values[index] = 0.5 * x * (1 + erff(x * inverseSquareRootOfTwo))
    }
}
