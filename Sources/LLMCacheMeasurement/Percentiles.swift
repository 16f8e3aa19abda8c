import Dispatch

/// Order statistics over a sample of measurements.
public struct Percentiles: Sendable {
    public let sorted: [Double]

    public init(_ samples: [Double]) { sorted = samples.sorted() }

    /// The q-quantile (0...1) by nearest rank; 0 for an empty sample.
    public func value(at q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    public var median: Double { value(at: 0.5) }
}

/// Median of several runs' figures: the number the README quotes.
public func median(_ values: [Double]) -> Double { Percentiles(values).median }

/// Nanoseconds elapsed while `body` runs, measured on the monotonic clock.
@inline(__always)
public func nanoseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start)
}
