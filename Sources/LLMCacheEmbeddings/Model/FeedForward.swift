/// One layer's position-wise feed-forward block (BERT's `intermediate` and
/// `output` modules): `hidden ← LayerNorm(hidden + GELU(hidden · W1ᵀ + b1) · W2ᵀ + b2)`.
struct FeedForward {
    let intermediate: DenseLayer
    let output: DenseLayer
    let norm: LayerNorm

    init(_ file: SafeTensorsFile, layer: Int, _ configuration: BertConfiguration) throws(EmbeddingError) {
        let width = configuration.hiddenSize
        let inner = configuration.intermediateSize
        intermediate = try DenseLayer(
            file, "encoder.layer.\(layer).intermediate.dense", inputs: width, outputs: inner)
        output = try DenseLayer(file, "encoder.layer.\(layer).output.dense", inputs: inner, outputs: width)
        norm = try LayerNorm(
            file, "encoder.layer.\(layer).output.LayerNorm", width: width, epsilon: configuration.layerNormEps)
    }

    /// Applies the block to `scratch.rows` rows of `hidden`, in place.
    func apply(_ hidden: UnsafeMutablePointer<Float>, scratch: EncoderScratch) {
        let rows = scratch.rows
        intermediate.apply(hidden, rows: rows, into: scratch.intermediate, accumulate: false)
        applyGELU(scratch.intermediate, count: rows * intermediate.outputs)
        output.apply(scratch.intermediate, rows: rows, into: hidden, accumulate: true)
        norm.apply(hidden, rows: rows)
    }
}
