internal import CLLMCacheKernels

/// Layer normalisation over each row: `(x − mean) / √(variance + ε) · γ + β`,
/// with the biased variance, as `torch.nn.LayerNorm` computes it. Sums are
/// taken in `Double` (see `layer_norm.c`).
struct LayerNorm {
    let gamma: UnsafePointer<Float>
    let beta: UnsafePointer<Float>
    let width: Int
    let epsilon: Double
    let kernels: KernelSet

    /// Rows per chunk when a team shares the work: enough that claiming a
    /// chunk costs little next to normalising it.
    private static let rowsPerChunk = 16

    /// Reads `<prefix>.weight` (γ) and `<prefix>.bias` (β), both `[width]`.
    init(
        _ file: SafeTensorsFile, _ prefix: String, width: Int, epsilon: Double, kernels: KernelSet
    ) throws(EmbeddingError) {
        gamma = try file.floats("\(prefix).weight", shape: [width]).baseAddress!
        beta = try file.floats("\(prefix).bias", shape: [width]).baseAddress!
        self.width = width
        self.epsilon = epsilon
        self.kernels = kernels
    }

    /// Normalises `rows` rows of `width` floats in place.
    func apply(_ values: UnsafeMutablePointer<Float>, rows: Int, team: ComputeTeam) {
        let chunks = (rows + Self.rowsPerChunk - 1) / Self.rowsPerChunk
        team.forEach(chunks) { chunk, _ in
            let first = chunk * Self.rowsPerChunk
            llmk_layer_norm(
                values + first * width, Int32(min(Self.rowsPerChunk, rows - first)), Int32(width), width,
                gamma, beta, epsilon, kernels.usesAVX512)
        }
    }
}
