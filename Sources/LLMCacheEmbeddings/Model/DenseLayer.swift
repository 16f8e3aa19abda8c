internal import CBLAS

/// A fully connected layer, `y = x · Wᵀ + b`, with `W` stored `[outputs, inputs]`
/// as PyTorch stores `nn.Linear` weights.
///
/// The product is one `cblas_sgemm` over every token of the batch, which is
/// where nearly all of the encoder's time goes.
struct DenseLayer {
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    let inputs: Int
    let outputs: Int

    /// Reads `<prefix>.weight` `[outputs, inputs]` and `<prefix>.bias` `[outputs]`.
    init(_ file: SafeTensorsFile, _ prefix: String, inputs: Int, outputs: Int) throws(EmbeddingError) {
        weight = try file.floats("\(prefix).weight", shape: [outputs, inputs]).baseAddress!
        bias = try file.floats("\(prefix).bias", shape: [outputs]).baseAddress!
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Writes `input · Wᵀ + b` (`rows × outputs`) to `output`, or adds it to
    /// what `output` holds when `accumulate` is set (residual connections
    /// accumulate straight into the hidden state).
    func apply(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        for row in 0..<rows {
            let destination = output + row * outputs
            if accumulate {
                cblas_saxpy(blasint(outputs), 1, bias, 1, destination, 1)
            } else {
                destination.update(from: bias, count: outputs)
            }
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            blasint(rows), blasint(outputs), blasint(inputs),
            1, input, blasint(inputs), weight, blasint(inputs),
            1, output, blasint(outputs))
    }
}
