import Foundation
internal import CBLAS

/// The all-MiniLM-L6-v2 forward pass: token ids in, L2-normalised sentence
/// vectors out, as sentence-transformers computes them (BERT encoder, mean
/// pooling over the attention mask, then normalisation).
///
/// A batch is packed: every token of every sequence is one row of the
/// `tokens × hidden` activations, so each dense layer is one BLAS product for
/// the whole batch and no work goes into padding; attention stays within each
/// sequence (see ``SelfAttention``).
///
/// `@unchecked Sendable`: after `init` nothing is written; the weights are a
/// read-only mapping owned by `file`, and each ``encode(_:)`` call allocates
/// its own scratch, so calls from several threads would be safe (the embedder
/// makes them from one worker thread).
final class BertEncoder: @unchecked Sendable {
    let configuration: ModelConfiguration
    /// Keeps the mapping that every weight pointer below points into alive.
    private let file: SafeTensorsFile
    private let embeddings: BertEmbeddings
    private let layers: [(attention: SelfAttention, feedForward: FeedForward)]

    /// The width of the output vectors (hidden size, 384).
    var dimensions: Int { configuration.bert.hiddenSize }

    /// Reads the configuration files and maps `model.safetensors` from
    /// `modelFolder`, checking every tensor the forward pass uses.
    init(modelFolder: URL) throws(EmbeddingError) {
        configuration = try ModelConfiguration(modelFolder: modelFolder)
        file = try SafeTensorsFile(contentsOf: modelFolder.appendingPathComponent("model.safetensors"))
        let bert = configuration.bert
        embeddings = try BertEmbeddings(file, bert)
        var layers: [(attention: SelfAttention, feedForward: FeedForward)] = []
        for layer in 0..<bert.numHiddenLayers {
            layers.append(
                (try SelfAttention(file, layer: layer, bert), try FeedForward(file, layer: layer, bert)))
        }
        self.layers = layers
    }

    /// One normalised vector per sequence of ids (each non-empty, at most
    /// `maxPositionEmbeddings` ids, every id inside the vocabulary).
    func encode(_ sequences: [[Int32]]) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(sequences.count)
        var rows = 0
        for ids in sequences {
            precondition(!ids.isEmpty, "a sequence needs at least one id")
            ranges.append(rows..<(rows + ids.count))
            rows += ids.count
        }
        let bert = configuration.bert
        let width = bert.hiddenSize
        let scratch = EncoderScratch(
            rows: rows, width: width, intermediate: bert.intermediateSize,
            longest: sequences.map(\.count).max()!)
        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: rows * width)
        defer { hidden.deallocate() }

        embeddings.apply(sequences, into: hidden)
        for layer in layers {
            layer.attention.apply(hidden, sequences: ranges, scratch: scratch)
            layer.feedForward.apply(hidden, scratch: scratch)
        }
        return ranges.map { Self.meanPooledAndNormalized(hidden, rows: $0, width: width) }
    }

    /// The mean of a sequence's rows (every token is inside the attention
    /// mask, `[CLS]` and `[SEP]` included), scaled to unit length with
    /// sentence-transformers' guard against a zero norm (ε = 1e-12).
    private static func meanPooledAndNormalized(
        _ hidden: UnsafePointer<Float>, rows: Range<Int>, width: Int
    ) -> [Float] {
        var vector = [Float](repeating: 0, count: width)
        vector.withUnsafeMutableBufferPointer { sum in
            for row in rows {
                cblas_saxpy(blasint(width), 1, hidden + row * width, 1, sum.baseAddress!, 1)
            }
            cblas_sscal(blasint(width), 1 / Float(rows.count), sum.baseAddress!, 1)
            let norm = cblas_snrm2(blasint(width), sum.baseAddress!, 1)
            cblas_sscal(blasint(width), 1 / max(norm, 1e-12), sum.baseAddress!, 1)
        }
        return vector
    }
}

/// The activations one batch needs besides the hidden state, allocated once
/// per ``BertEncoder/encode(_:)`` call and shared by all layers.
final class EncoderScratch {
    /// Tokens in the batch: the row count of every matrix below.
    let rows: Int
    let queries: UnsafeMutablePointer<Float>
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    /// The heads' outputs side by side, `rows × width`.
    let context: UnsafeMutablePointer<Float>
    /// `rows × intermediate`.
    let intermediate: UnsafeMutablePointer<Float>
    /// One head's attention scores for the longest sequence, `longest²`.
    let scores: UnsafeMutablePointer<Float>

    init(rows: Int, width: Int, intermediate: Int, longest: Int) {
        self.rows = rows
        queries = .allocate(capacity: rows * width)
        keys = .allocate(capacity: rows * width)
        values = .allocate(capacity: rows * width)
        context = .allocate(capacity: rows * width)
        self.intermediate = .allocate(capacity: rows * intermediate)
        scores = .allocate(capacity: longest * longest)
    }

    deinit {
        for buffer in [queries, keys, values, context, intermediate, scores] { buffer.deallocate() }
    }
}
