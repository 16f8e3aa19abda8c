/// Layer normalisation over each row: `(x − mean) / √(variance + ε) · γ + β`,
/// with the biased variance, as `torch.nn.LayerNorm` computes it.
struct LayerNorm {
    let gamma: UnsafePointer<Float>
    let beta: UnsafePointer<Float>
    let width: Int
    let epsilon: Double

    /// Reads `<prefix>.weight` (γ) and `<prefix>.bias` (β), both `[width]`.
    init(_ file: SafeTensorsFile, _ prefix: String, width: Int, epsilon: Double) throws(EmbeddingError) {
        gamma = try file.floats("\(prefix).weight", shape: [width]).baseAddress!
        beta = try file.floats("\(prefix).bias", shape: [width]).baseAddress!
        self.width = width
        self.epsilon = epsilon
    }

    /// Normalises `rows` rows of `width` floats in place. Sums are taken in
    /// `Double`, so long rows lose no precision to the order of addition.
    func apply(_ values: UnsafeMutablePointer<Float>, rows: Int) {
        for row in 0..<rows {
            let x = values + row * width
            var sum = 0.0
            for column in 0..<width { sum += Double(x[column]) }
            let mean = sum / Double(width)
            var squares = 0.0
            for column in 0..<width {
                let deviation = Double(x[column]) - mean
                squares += deviation * deviation
            }
            let scale = 1 / (squares / Double(width) + epsilon).squareRoot()
            for column in 0..<width {
                x[column] = Float((Double(x[column]) - mean) * scale) * gamma[column] + beta[column]
            }
        }
    }
}
