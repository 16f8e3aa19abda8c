internal import CLLMCacheKernels

/// One layer's multi-head self-attention block, with its output projection,
/// residual connection and layer normalisation (BERT's `attention` module).
///
/// Sequences are packed without padding, and each one attends only to its own
/// tokens. That is exactly what BERT's additive attention mask computes for
/// the real tokens of a padded batch (a padded key gets a score of the most
/// negative float, hence a weight of exactly 0), minus the work on padding:
/// a text's vector cannot depend on what else is in its batch.
struct SelfAttention {
    /// Query, key and value projections as one product: each row of its
    /// output holds the token's query, then key, then value (3 × width).
    let projection: DenseLayer
    let output: DenseLayer
    let norm: LayerNorm
    let heads: Int
    let headSize: Int
    let kernels: KernelSet

    init(
        _ file: SafeTensorsFile, layer: Int, _ configuration: BertConfiguration, kernels: KernelSet
    ) throws(EmbeddingError) {
        let width = configuration.hiddenSize
        let prefix = "encoder.layer.\(layer).attention"
        projection = try DenseLayer(
            file, ["\(prefix).self.query", "\(prefix).self.key", "\(prefix).self.value"],
            inputs: width, outputs: width, kernels: kernels)
        output = try DenseLayer(file, ["\(prefix).output.dense"], inputs: width, outputs: width, kernels: kernels)
        norm = try LayerNorm(
            file, "\(prefix).output.LayerNorm", width: width, epsilon: configuration.layerNormEps, kernels: kernels)
        heads = configuration.numAttentionHeads
        headSize = configuration.headSize
        self.kernels = kernels
    }

    /// `hidden ← LayerNorm(hidden + Attention(hidden) · Woᵀ + bo)`, in place.
    /// Every (sequence, head) pair is an independent chunk for the team.
    func apply(_ workspace: EncoderWorkspace, sequences: [Range<Int>]) {
        let rows = workspace.rows
        let width = heads * headSize
        let stride = 3 * width
        let team = workspace.team
        projection.apply(
            workspace.hidden, inputStride: width, rows: rows, into: workspace.projections, outputStride: stride,
            .store, team: team)
        let scale = 1 / Float(headSize).squareRoot()
        let projections = UnsafePointer(workspace.projections)
        let context = workspace.context
        let heads = heads
        let headSize = headSize
        let kernels = kernels
        team.forEach(sequences.count * heads) { chunk, worker in
            let sequence = sequences[chunk / heads]
            let column = (chunk % heads) * headSize
            let queries = projections + sequence.lowerBound * stride + column
            let output = context + sequence.lowerBound * width + column
            let scratch = workspace.attentionScratch(worker: worker)
            switch kernels {
            case .avx512, .avx512BF16:
                llmk_attention_head_avx512(
                    queries, queries + width, queries + 2 * width, stride, Int32(sequence.count), Int32(headSize),
                    scale, output, width, scratch)
            case .portable:
                Self.portableHead(
                    queries, stride: stride, tokens: sequence.count, headSize: headSize, scale: scale,
                    into: output, outputStride: width, scores: scratch)
            }
        }
        output.apply(
            workspace.context, inputStride: width, rows: rows, into: workspace.hidden, outputStride: width,
            .accumulate, team: team)
        norm.apply(workspace.hidden, rows: rows, team: team)
    }
}
