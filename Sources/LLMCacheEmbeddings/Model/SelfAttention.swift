#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CBLAS

/// One layer's multi-head self-attention block, with its output projection,
/// residual connection and layer normalisation (BERT's `attention` module).
///
/// Sequences are packed without padding, and each one attends only to its own
/// tokens. That is exactly what BERT's additive attention mask computes for
/// the real tokens of a padded batch (a padded key gets a score of the most
/// negative float, hence a weight of exactly 0), minus the work on padding:
/// a text's vector cannot depend on what else is in its batch.
struct SelfAttention {
    let query: DenseLayer
    let key: DenseLayer
    let value: DenseLayer
    let output: DenseLayer
    let norm: LayerNorm
    let heads: Int
    let headSize: Int

    init(_ file: SafeTensorsFile, layer: Int, _ configuration: BertConfiguration) throws(EmbeddingError) {
        let width = configuration.hiddenSize
        let prefix = "encoder.layer.\(layer).attention"
        query = try DenseLayer(file, "\(prefix).self.query", inputs: width, outputs: width)
        key = try DenseLayer(file, "\(prefix).self.key", inputs: width, outputs: width)
        value = try DenseLayer(file, "\(prefix).self.value", inputs: width, outputs: width)
        output = try DenseLayer(file, "\(prefix).output.dense", inputs: width, outputs: width)
        norm = try LayerNorm(
            file, "\(prefix).output.LayerNorm", width: width, epsilon: configuration.layerNormEps)
        heads = configuration.numAttentionHeads
        headSize = configuration.headSize
    }

    /// `hidden ← LayerNorm(hidden + Attention(hidden) · Woᵀ + bo)`, in place.
    func apply(_ hidden: UnsafeMutablePointer<Float>, sequences: [Range<Int>], scratch: EncoderScratch) {
        let rows = scratch.rows
        let width = heads * headSize
        query.apply(hidden, rows: rows, into: scratch.queries, accumulate: false)
        key.apply(hidden, rows: rows, into: scratch.keys, accumulate: false)
        value.apply(hidden, rows: rows, into: scratch.values, accumulate: false)
        let scale = 1 / Float(headSize).squareRoot()
        let scores = scratch.scores
        for sequence in sequences {
            let count = sequence.count
            let offset = sequence.lowerBound * width
            for head in 0..<heads {
                let column = offset + head * headSize
                // scores = Q·Kᵀ/√d over this sequence's tokens: count × count.
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans,
                    blasint(count), blasint(count), blasint(headSize),
                    scale, scratch.queries + column, blasint(width), scratch.keys + column, blasint(width),
                    0, scores, blasint(count))
                Self.softmaxRows(scores, rows: count, columns: count)
                // context = softmax(scores) · V, into this head's columns.
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    blasint(count), blasint(headSize), blasint(count),
                    1, scores, blasint(count), scratch.values + column, blasint(width),
                    0, scratch.context + column, blasint(width))
            }
        }
        output.apply(scratch.context, rows: rows, into: hidden, accumulate: true)
        norm.apply(hidden, rows: rows)
    }

    /// Softmax of each row in place, shifted by the row's maximum so `exp`
    /// cannot overflow.
    static func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let x = values + row * columns
            var maximum = -Float.infinity
            for column in 0..<columns where x[column] > maximum { maximum = x[column] }
            var sum: Float = 0
            for column in 0..<columns {
                let e = expf(x[column] - maximum)
                x[column] = e
                sum += e
            }
            let inverse = 1 / sum
            for column in 0..<columns { x[column] *= inverse }
        }
    }
}
