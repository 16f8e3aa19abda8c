import Synchronization

/// A fixed-size log-linear histogram of durations in nanoseconds.
///
/// 16 sub-buckets per power of two give percentiles within ~6% at any scale,
/// in a constant 8 KB, with one short lock per recorded sample.
public final class LatencyHistogram: Sendable {
    private static let subBucketBits = 4
    static let bucketCount = 64 << subBucketBits

    let counts = CacheLock([Int](repeating: 0, count: LatencyHistogram.bucketCount))

    public init() {}

    public func record(nanoseconds: UInt64) {
        let bucket = Self.bucket(for: nanoseconds)
        counts.withLock { $0[bucket] += 1 }
    }

    /// The upper bound of the bucket holding the q-quantile (0...1); zero when empty.
    public func percentile(_ q: Double) -> Duration {
        let counts = self.counts.withLock { $0 }
        let total = counts.reduce(0, +)
        guard total > 0 else { return .zero }
        let target = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (bucket, count) in counts.enumerated() {
            seen += count
            if seen >= target { return .nanoseconds(Int64(clamping: Self.upperBound(of: bucket))) }
        }
        return .zero
    }

    public var count: Int { counts.withLock { $0.reduce(0, +) } }

    static func bucket(for value: UInt64) -> Int {
        let sub = UInt64(1) << subBucketBits
        if value < sub { return Int(value) }
        let magnitude = UInt64.bitWidth - value.leadingZeroBitCount - 1  // >= subBucketBits
        let shift = magnitude - subBucketBits
        let mantissa = Int((value >> UInt64(shift)) & (sub - 1))
        return (shift + 1) << subBucketBits | mantissa
    }

    static func upperBound(of bucket: Int) -> UInt64 {
        let sub = 1 << subBucketBits
        if bucket < sub { return UInt64(bucket) }
        let shift = (bucket >> subBucketBits) - 1
        let mantissa = UInt64(bucket & (sub - 1)) | UInt64(sub)
        let lower = mantissa << UInt64(shift)
        return lower + ((UInt64(1) << UInt64(shift)) - 1)  // in this order: the top bucket ends at UInt64.max
    }
}
