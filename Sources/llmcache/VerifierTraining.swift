import LLMCache

/// The data behind `llmcache train-verifier`: labelled pairs embedded with
/// token vectors, turned into ``VerifierFeatures`` samples, plus meaning
/// flips of the positives as extra hard negatives.
struct VerifierTraining {
    struct Sample {
        var aligned: VerifierFeatures
        var positive: Bool
        /// Made by ``MeaningFlips`` rather than read from the file.
        var synthetic: Bool
        /// For real pairs: the pair's index, so evaluation counts each pair once.
        var pair: Int?

        /// The same comparison as the lexical model sees it.
        var lexical: VerifierFeatures { aligned.withoutAlignment }
    }

    var samples: [Sample] = []
    var positives = 0
    var negatives = 0
    var flips = 0

    /// Embeds every text of `pairs` (and the flips of the positives' `a`)
    /// and keeps the comparisons at or above `floor`, both ways round.
    init(
        pairs: [Calibration.Pair], embedder: some TokenEmbedder, floor: Float, flip: Bool,
        progress: ProgressReporter
    ) async throws {
        var flipped: [(pair: Int, text: String)] = []
        if flip {
            for (index, pair) in pairs.enumerated() where pair.positive {
                if let result = MeaningFlips.flip(pair.a, offset: index) { flipped.append((index, result.text)) }
            }
        }
        var texts: [String] = []
        var position: [String: Int] = [:]
        for text in pairs.flatMap({ [$0.a, $0.b] }) + flipped.map(\.text) where position[text] == nil {
            position[text] = texts.count
            texts.append(text)
        }
        var encodings: [TextEncoding] = []
        encodings.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: 256) {
            encodings += try await embedder.encode(Array(texts[start..<min(start + 256, texts.count)]))
            progress.update("encoded \(encodings.count) of \(texts.count) texts")
        }
        func add(_ query: String, _ candidate: String, positive: Bool, synthetic: Bool, pair: Int?) {
            let (q, c) = (encodings[position[query]!], encodings[position[candidate]!])
            let similarity = zip(q.vector, c.vector).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            guard similarity >= floor else { return }
            let aligned = VerifierFeatures(
                SemanticComparison(
                    query: query, candidate: candidate, similarity: similarity, queryTokens: q.tokens,
                    candidateTokens: c.tokens))
            samples.append(Sample(aligned: aligned, positive: positive, synthetic: synthetic, pair: pair))
        }
        for (index, pair) in pairs.enumerated() {
            if pair.positive { positives += 1 } else { negatives += 1 }
            add(pair.b, pair.a, positive: pair.positive, synthetic: false, pair: index)
            add(pair.a, pair.b, positive: pair.positive, synthetic: false, pair: nil)
        }
        for (index, text) in flipped {
            flips += 1
            add(text, pairs[index].a, positive: false, synthetic: true, pair: nil)
            add(pairs[index].b, text, positive: false, synthetic: true, pair: nil)
        }
        progress.finish("encoded \(texts.count) texts; \(samples.count) comparisons at or above \(floor)")
    }

    /// What one fitted model does on the training pairs.
    struct Fit: Encodable {
        var weights: VerifierModel.Weights
        /// Of all positive pairs, the share served (one direction: `b` asks, `a` is stored).
        var hitRate: Double
        /// Of all negative pairs, the share served.
        var falsePositiveRate: Double
        /// Of the meaning flips compared, the share served.
        var flipsServed: Double
        /// The real pairs served, by sentence similarity: how many, and the
        /// share that are duplicates (where to put the tiers' threshold).
        var servedBySimilarity: [Band]
    }

    struct Band: Encodable {
        var from: Float
        var served: Int
        var precision: Double?
    }

    /// Fits the model over `names` (the alignment or the lexical features)
    /// and picks the lowest probability whose false-positive rate on the
    /// file's negatives stays at or under `target`.
    func fit(alignment: Bool, target: Double, syntheticWeight: Double) -> Fit? {
        let usable = samples.filter { sample in
            let features = alignment ? sample.aligned : sample.lexical
            return alignment == features.hasAlignment && !features.numbersDiffer && features.unknownShare <= 0.5
        }
        guard let names = usable.first.map({ (alignment ? $0.aligned : $0.lexical).names }) else { return nil }
        let rows = usable.map { (alignment ? $0.aligned : $0.lexical).values.map(Double.init) }
        let count = Double(rows.count)
        let means = names.indices.map { column in rows.reduce(0) { $0 + $1[column] } / count }
        let scales = names.indices.map { column in
            let variance = rows.reduce(0) { $0 + ($1[column] - means[column]) * ($1[column] - means[column]) } / count
            return variance > 1e-12 ? variance.squareRoot() : 1
        }
        let standardised = rows.map { row in names.indices.map { (row[$0] - means[$0]) / scales[$0] } }
        let regression = LogisticRegression.fit(
            standardised, labels: usable.map(\.positive),
            sampleWeights: usable.map { $0.synthetic ? syntheticWeight : 1 })
        var weights = VerifierModel.Weights(
            features: names, means: means.map(Float.init), scales: scales.map(Float.init),
            weights: regression.weights.map(Float.init), bias: Float(regression.bias), minimumProbability: 1)
        // Real pairs, one direction, as a cache meets them.
        let scored = usable.filter { $0.pair != nil }.map {
            (
                positive: $0.positive, probability: weights.probability(alignment ? $0.aligned : $0.lexical) ?? 0,
                similarity: $0.aligned.values[0]
            )
        }
        let allowed = Int(target * Double(negatives))
        let negativeScores = scored.filter { !$0.positive }.map(\.probability).sorted(by: >)
        // Above the (allowed + 1)-th best negative, at most `allowed` negatives pass.
        let cut = negativeScores.count > allowed ? negativeScores[allowed] : 0
        weights.minimumProbability = min(1, cut.nextUp)
        let served = scored.filter { $0.probability >= weights.minimumProbability }
        let edges: [Float] = [0.8, 0.85, 0.9, 0.93, 0.96]
        let bands = edges.indices.map { index in
            let upper = index + 1 < edges.count ? edges[index + 1] : .infinity
            let inBand = served.filter { $0.similarity >= edges[index] && $0.similarity < upper }
            return Band(
                from: edges[index], served: inBand.count,
                precision: inBand.isEmpty ? nil : Double(inBand.filter(\.positive).count) / Double(inBand.count))
        }
        let flipScores = usable.filter(\.synthetic).map {
            weights.probability(alignment ? $0.aligned : $0.lexical) ?? 0
        }
        return Fit(
            weights: weights, hitRate: Double(served.filter(\.positive).count) / Double(max(1, positives)),
            falsePositiveRate: Double(served.filter { !$0.positive }.count) / Double(max(1, negatives)),
            flipsServed: Double(flipScores.filter { $0 >= weights.minimumProbability }.count)
                / Double(max(1, flipScores.count)), servedBySimilarity: bands)
    }
}
