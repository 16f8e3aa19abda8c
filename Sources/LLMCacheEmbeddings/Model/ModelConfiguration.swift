import Foundation

/// The architecture numbers of a BERT model, from its `config.json`.
///
/// Read rather than hard-coded so a file from another model fails loudly at
/// load time instead of producing wrong vectors.
struct BertConfiguration: Decodable, Sendable {
    let hiddenSize: Int
    let numHiddenLayers: Int
    let numAttentionHeads: Int
    let intermediateSize: Int
    let layerNormEps: Double
    let maxPositionEmbeddings: Int
    let vocabSize: Int
    let typeVocabSize: Int
    let hiddenAct: String
    /// Only absolute positions are implemented; absent means absolute.
    let positionEmbeddingType: String?

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case layerNormEps = "layer_norm_eps"
        case maxPositionEmbeddings = "max_position_embeddings"
        case vocabSize = "vocab_size"
        case typeVocabSize = "type_vocab_size"
        case hiddenAct = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// The width of one attention head.
    var headSize: Int { hiddenSize / numAttentionHeads }
}

/// sentence-transformers' `sentence_bert_config.json`: the sequence length it
/// truncates to (256 for this model, below the 512 positions BERT allows).
struct SentenceBertConfiguration: Decodable, Sendable {
    let maxSeqLength: Int

    enum CodingKeys: String, CodingKey {
        case maxSeqLength = "max_seq_length"
    }
}

/// sentence-transformers' `1_Pooling/config.json`: how token vectors become
/// one sentence vector. Only mean pooling is implemented.
struct PoolingConfiguration: Decodable, Sendable {
    let wordEmbeddingDimension: Int
    let poolingModeClsToken: Bool
    let poolingModeMeanTokens: Bool
    let poolingModeMaxTokens: Bool
    let poolingModeMeanSqrtLenTokens: Bool

    enum CodingKeys: String, CodingKey {
        case wordEmbeddingDimension = "word_embedding_dimension"
        case poolingModeClsToken = "pooling_mode_cls_token"
        case poolingModeMeanTokens = "pooling_mode_mean_tokens"
        case poolingModeMaxTokens = "pooling_mode_max_tokens"
        case poolingModeMeanSqrtLenTokens = "pooling_mode_mean_sqrt_len_tokens"
    }
}

/// The three configuration files of a sentence-transformers model folder,
/// read and checked against what ``BertEncoder`` implements.
struct ModelConfiguration: Sendable {
    let bert: BertConfiguration
    let sentenceBert: SentenceBertConfiguration
    let pooling: PoolingConfiguration

    /// The number of ids fed to the model per text, `[CLS]` and `[SEP]` included.
    var maxSequenceLength: Int { min(sentenceBert.maxSeqLength, bert.maxPositionEmbeddings) }

    init(modelFolder: URL) throws(EmbeddingError) {
        bert = try Self.decode(BertConfiguration.self, modelFolder.appendingPathComponent("config.json"))
        sentenceBert = try Self.decode(
            SentenceBertConfiguration.self, modelFolder.appendingPathComponent("sentence_bert_config.json"))
        let poolingFile = modelFolder.appendingPathComponent("1_Pooling/config.json")
        pooling = try Self.decode(PoolingConfiguration.self, poolingFile)

        let configFile = modelFolder.appendingPathComponent("config.json").path
        func check(_ condition: Bool, _ file: String, _ problem: String) throws(EmbeddingError) {
            guard condition else { throw Self.malformed(file, problem) }
        }
        try check(
            bert.hiddenSize > 0 && bert.numAttentionHeads > 0 && bert.hiddenSize % bert.numAttentionHeads == 0,
            configFile, "hidden_size \(bert.hiddenSize) is not a multiple of num_attention_heads \(bert.numAttentionHeads)")
        try check(
            bert.numHiddenLayers > 0 && bert.intermediateSize > 0 && bert.vocabSize > 0 && bert.typeVocabSize > 0,
            configFile, "a layer count or size is not positive")
        try check(bert.layerNormEps > 0, configFile, "layer_norm_eps \(bert.layerNormEps) is not positive")
        try check(bert.hiddenAct == "gelu", configFile, "hidden_act is \(bert.hiddenAct), only exact gelu is implemented")
        try check(
            bert.positionEmbeddingType == nil || bert.positionEmbeddingType == "absolute", configFile,
            "position_embedding_type \(bert.positionEmbeddingType ?? "") is not absolute")
        try check(
            sentenceBert.maxSeqLength >= 2,
            modelFolder.appendingPathComponent("sentence_bert_config.json").path,
            "max_seq_length \(sentenceBert.maxSeqLength) leaves no room for [CLS] and [SEP]")
        try check(
            pooling.poolingModeMeanTokens && !pooling.poolingModeClsToken && !pooling.poolingModeMaxTokens
                && !pooling.poolingModeMeanSqrtLenTokens,
            poolingFile.path, "only mean pooling is implemented")
        try check(
            pooling.wordEmbeddingDimension == bert.hiddenSize, poolingFile.path,
            "word_embedding_dimension \(pooling.wordEmbeddingDimension) differs from hidden_size \(bert.hiddenSize)")
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, _ url: URL) throws(EmbeddingError) -> Value {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EmbeddingError(
                .modelFileMissing, "cannot read the model configuration \(url.path): \(EmbeddingError.fetchHint)",
                underlying: error)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw EmbeddingError(
                .malformedModelFile,
                "the model configuration \(url.path) is not usable (\(error)): \(EmbeddingError.fetchHint)",
                underlying: error)
        }
    }

    private static func malformed(_ path: String, _ problem: String) -> EmbeddingError {
        EmbeddingError(
            .malformedModelFile,
            "the model configuration \(path) is not usable: \(problem); \(EmbeddingError.fetchHint)")
    }
}
