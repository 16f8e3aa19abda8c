/// How well two texts' content tokens align, from their contextual vectors.
///
/// Each token is matched to its most similar token on the other side
/// (greedy MaxSim, as ColBERT and BERTScore do). Averages say how much of
/// each text the other covers; the order of the matches sees swapped roles,
/// which a mean-pooled sentence vector cannot.
///
/// The worst-matched token on each side is not a feature: it falls with a
/// text's length (a minimum over more tokens), so a model that weighs it
/// refuses long paraphrases (see README, "Verifying semantic candidates").
struct TokenAlignment {
    /// Mean best match of the query's tokens (how much of it the candidate covers).
    var precision: Float
    /// Mean best match of the candidate's tokens.
    var recall: Float
    /// The share of query token pairs whose matches come in the opposite order.
    var orderSwaps: Float

    /// `nil` when either side has no content tokens or the dimensions differ.
    init?(query: TokenVectors, candidate: TokenVectors) {
        let rows = query.count
        let columns = candidate.count
        guard rows > 0, columns > 0, query.dimensions == candidate.dimensions else { return nil }
        let similarity = query.similarities(to: candidate)
        var bestInRow = [Float](repeating: -.infinity, count: rows)
        var matchOfRow = [Int](repeating: 0, count: rows)
        var bestInColumn = [Float](repeating: -.infinity, count: columns)
        for row in 0..<rows {
            for column in 0..<columns {
                let value = similarity[row * columns + column]
                if value > bestInRow[row] {
                    bestInRow[row] = value
                    matchOfRow[row] = column
                }
                bestInColumn[column] = max(bestInColumn[column], value)
            }
        }
        precision = bestInRow.reduce(0, +) / Float(rows)
        recall = bestInColumn.reduce(0, +) / Float(columns)
        orderSwaps = LexicalComparison.discordance(matchOfRow)
    }
}
