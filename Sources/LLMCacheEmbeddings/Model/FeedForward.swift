/// One layer's position-wise feed-forward block (BERT's `intermediate` and
/// `output` modules): `hidden ← LayerNorm(hidden + GELU(hidden · W1ᵀ + b1) · W2ᵀ + b2)`.
///
/// GELU is the exact one, `x · Φ(x)`, not the tanh approximation, which
/// moves the vectors further from the reference than the tests allow; it is
/// applied as the first product writes its output.
struct FeedForward {
    let intermediate: DenseLayer
    let output: DenseLayer
    let norm: LayerNorm

    init(
        _ file: SafeTensorsFile, layer: Int, _ configuration: BertConfiguration, kernels: KernelSet
    ) throws(EmbeddingError) {
        let width = configuration.hiddenSize
        let inner = configuration.intermediateSize
        intermediate = try DenseLayer(
            file, ["encoder.layer.\(layer).intermediate.dense"], inputs: width, outputs: inner, kernels: kernels)
        output = try DenseLayer(
            file, ["encoder.layer.\(layer).output.dense"], inputs: inner, outputs: width, kernels: kernels)
        norm = try LayerNorm(
            file, "encoder.layer.\(layer).output.LayerNorm", width: width, epsilon: configuration.layerNormEps,
            kernels: kernels)
    }

    /// Applies the block to the workspace's rows of `hidden`, in place.
    func apply(_ workspace: EncoderWorkspace) {
        let rows = workspace.rows
        let width = output.outputs
        let inner = intermediate.outputs
        intermediate.apply(
            workspace.hidden, inputStride: width, rows: rows, into: workspace.intermediate, outputStride: inner,
            .gelu, team: workspace.team)
        output.apply(
            workspace.intermediate, inputStride: inner, rows: rows, into: workspace.hidden, outputStride: width,
            .accumulate, team: workspace.team)
        norm.apply(workspace.hidden, rows: rows, team: workspace.team)
    }
}
