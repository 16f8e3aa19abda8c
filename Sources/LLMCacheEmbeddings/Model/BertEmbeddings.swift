internal import CBLAS

/// The input layer: each token's word embedding plus its position's
/// embedding plus the embedding of token type 0 (sentence-transformers feeds
/// one segment), then layer normalisation.
struct BertEmbeddings {
    let words: UnsafePointer<Float>
    let positions: UnsafePointer<Float>
    let tokenTypeZero: UnsafePointer<Float>
    let norm: LayerNorm
    let vocabularySize: Int
    let maxPositions: Int
    let width: Int

    init(_ file: SafeTensorsFile, _ configuration: BertConfiguration, kernels: KernelSet) throws(EmbeddingError) {
        let width = configuration.hiddenSize
        words = try file.floats(
            "embeddings.word_embeddings.weight", shape: [configuration.vocabSize, width]
        ).baseAddress!
        positions = try file.floats(
            "embeddings.position_embeddings.weight", shape: [configuration.maxPositionEmbeddings, width]
        ).baseAddress!
        tokenTypeZero = try file.floats(
            "embeddings.token_type_embeddings.weight", shape: [configuration.typeVocabSize, width]
        ).baseAddress!
        norm = try LayerNorm(
            file, "embeddings.LayerNorm", width: width, epsilon: configuration.layerNormEps, kernels: kernels)
        vocabularySize = configuration.vocabSize
        maxPositions = configuration.maxPositionEmbeddings
        self.width = width
    }

    /// Fills `hidden` (one row of `width` per token, the sequences packed one
    /// after another) from the sequences' ids; positions restart at 0 with
    /// every sequence.
    func apply(_ sequences: [[Int32]], into hidden: UnsafeMutablePointer<Float>, team: ComputeTeam) {
        var row = 0
        for ids in sequences {
            precondition(ids.count <= maxPositions, "a sequence is longer than the model's positions")
            for (position, id) in ids.enumerated() {
                precondition(id >= 0 && Int(id) < vocabularySize, "token id \(id) is outside the vocabulary")
                let destination = hidden + row * width
                destination.update(from: words + Int(id) * width, count: width)
                cblas_saxpy(blasint(width), 1, positions + position * width, 1, destination, 1)
                cblas_saxpy(blasint(width), 1, tokenTypeZero, 1, destination, 1)
                row += 1
            }
        }
        norm.apply(hidden, rows: row, team: team)
    }
}
