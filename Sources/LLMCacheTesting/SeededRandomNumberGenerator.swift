import LLMCache

/// SplitMix64: a small seeded generator, so "random" test data and benchmark
/// inputs are the same on every run and every machine.
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { generator.next() }
}
