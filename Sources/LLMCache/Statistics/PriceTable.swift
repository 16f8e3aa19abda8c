/// What tokens cost, per model, so that a hit can report the money it saved.
///
/// Prices change and differ by contract; the cache ships none and uses the
/// table its user supplies.
public struct PriceTable: Sendable {
    /// Price of one million tokens, in the currency of the user's choice.
    public struct Price: Sendable, Hashable {
        public var promptPerMillion: Double
        public var completionPerMillion: Double

        public init(promptPerMillion: Double, completionPerMillion: Double) {
            self.promptPerMillion = promptPerMillion
            self.completionPerMillion = completionPerMillion
        }
    }

    public var prices: [String: Price]
    /// Used for models the table does not name; `nil` prices them at zero.
    public var fallback: Price?

    public init(_ prices: [String: Price] = [:], fallback: Price? = nil) {
        self.prices = prices
        self.fallback = fallback
    }

    /// The cost of `usage` on `model`.
    public func cost(of usage: TokenUsage, model: String?) -> Double {
        guard let price = model.flatMap({ prices[$0] }) ?? fallback else { return 0 }
        return (Double(usage.promptTokens) * price.promptPerMillion
            + Double(usage.completionTokens) * price.completionPerMillion) / 1_000_000
    }
}
