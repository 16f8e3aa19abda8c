import Foundation
import LLMCache
internal import CBLAS

/// The all-MiniLM-L6-v2 forward pass: token ids in, L2-normalised sentence
/// vectors out, as sentence-transformers computes them (BERT encoder, mean
/// pooling over the attention mask, then normalisation).
///
/// A batch is packed: every token of every sequence is one row of the
/// `tokens × hidden` activations, so each dense layer is one product for the
/// whole batch and no work goes into padding; attention stays within each
/// sequence (see ``SelfAttention``). Each step is split over the threads of
/// the caller's ``EncoderWorkspace``.
///
/// `@unchecked Sendable`: after `init` nothing is written; the weights are
/// read-only copies (``DenseLayer``) or a read-only mapping owned by `file`.
/// All per-pass state lives in the workspace passed to ``encode(_:workspace:)``.
final class BertEncoder: @unchecked Sendable {
    let configuration: ModelConfiguration
    /// The implementation of the inner loops the weights were laid out for.
    let kernels: KernelSet
    /// Keeps the mapping that the embeddings and normalisation parameters
    /// point into alive.
    private let file: SafeTensorsFile
    private let embeddings: BertEmbeddings
    private let layers: [(attention: SelfAttention, feedForward: FeedForward)]

    /// The width of the output vectors (hidden size, 384).
    var dimensions: Int { configuration.bert.hiddenSize }

    /// Reads the configuration files and maps `model.safetensors` from
    /// `modelFolder`, checking every tensor the forward pass uses and copying
    /// the dense layers' weights into the layout `kernels` wants, one layer
    /// per chunk of `team` (copying 42 MB is most of the load time).
    init(modelFolder: URL, kernels: KernelSet = .best, team: ComputeTeam) throws(EmbeddingError) {
        configuration = try ModelConfiguration(modelFolder: modelFolder)
        file = try SafeTensorsFile(contentsOf: modelFolder.appendingPathComponent("model.safetensors"))
        self.kernels = kernels
        if kernels == .portable { KernelSet.singleThreadedBLAS }
        let bert = configuration.bert
        embeddings = try BertEmbeddings(file, bert, kernels: kernels)
        typealias Layer = (attention: SelfAttention, feedForward: FeedForward)
        var built = [Result<Layer, EmbeddingError>?](repeating: nil, count: bert.numHiddenLayers)
        let file = file
        built.withUnsafeMutableBufferPointer { slots in
            team.forEach(slots.count) { layer, _ in
                slots[layer] = Result { () throws(EmbeddingError) -> Layer in
                    (
                        try SelfAttention(file, layer: layer, bert, kernels: kernels),
                        try FeedForward(file, layer: layer, bert, kernels: kernels)
                    )
                }
            }
        }
        layers = try built.map { slot throws(EmbeddingError) in try slot!.get() }
        // The dense weights now live in their copies; let the kernel drop the
        // mapped pages read so far (they come back from the file if touched).
        file.releaseResidentPages()
    }

    /// A workspace for passes of this model computed by `team`.
    func makeWorkspace(team: ComputeTeam) -> EncoderWorkspace {
        let bert = configuration.bert
        return EncoderWorkspace(
            hiddenSize: bert.hiddenSize, intermediateSize: bert.intermediateSize, headSize: bert.headSize, team: team)
    }

    /// One normalised vector per sequence of ids (each non-empty, at most
    /// `maxPositionEmbeddings` ids, every id inside the vocabulary), with the
    /// token vectors of the rows `select` picks from each sequence.
    func encode(
        _ sequences: [[Int32]], workspace: EncoderWorkspace,
        select: (_ ids: [Int32]) -> (positions: [Int], tokens: Int, unknown: Int)
    ) -> [TextEncoding] {
        guard !sequences.isEmpty else { return [] }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(sequences.count)
        var rows = 0
        for ids in sequences {
            precondition(!ids.isEmpty, "a sequence needs at least one id")
            ranges.append(rows..<(rows + ids.count))
            rows += ids.count
        }
        let width = configuration.bert.hiddenSize
        workspace.prepare(rows: rows, longest: sequences.map(\.count).max()!)
        defer { workspace.finish() }
        embeddings.apply(sequences, into: workspace.hidden, team: workspace.team)
        for layer in layers {
            layer.attention.apply(workspace, sequences: ranges)
            layer.feedForward.apply(workspace)
        }
        return zip(sequences, ranges).map { ids, range in
            let chosen = select(ids)
            let hidden = UnsafePointer(workspace.hidden)
            let vectors = chosen.positions.map { position in
                Array(UnsafeBufferPointer(start: hidden + (range.lowerBound + position) * width, count: width))
            }
            return TextEncoding(
                vector: Self.meanPooledAndNormalized(hidden, rows: range, width: width),
                tokens: try? TokenVectors(
                    vectors: vectors, dimensions: width, tokenCount: chosen.tokens, unknownCount: chosen.unknown))
        }
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
