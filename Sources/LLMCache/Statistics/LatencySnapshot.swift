import Synchronization

extension LatencyHistogram {
    /// The counts of a ``LatencyHistogram`` at one moment, bucket by bucket.
    ///
    /// Why a value of its own: percentiles cannot be added or subtracted, but
    /// bucket counts can. Publishers subtract two snapshots to ship only what
    /// changed, and readers add the buckets of several processes to get
    /// percentiles of the whole fleet. Bucket `i` holds samples up to
    /// ``upperBound(ofBucket:)``; the layout (16 sub-buckets per power of two
    /// of nanoseconds) is fixed, so buckets written by one
    /// build read the same in another.
    public struct Snapshot: Sendable, Hashable {
        /// Bucket index → samples; empty buckets are absent.
        public private(set) var buckets: [Int: Int]

        /// A snapshot with these counts; buckets outside the layout and
        /// counts that are not positive are dropped, so counts read from
        /// elsewhere (Redis) cannot make a snapshot invalid.
        public init(buckets: [Int: Int] = [:]) {
            self.buckets = buckets.filter { LatencyHistogram.bucketRange.contains($0.key) && $0.value > 0 }
        }

        /// How many samples the snapshot holds.
        public var count: Int { buckets.values.reduce(0, +) }

        /// The upper bound of the bucket holding the q-quantile (0...1); zero when empty.
        public func percentile(_ q: Double) -> Duration {
            let total = count
            guard total > 0 else { return .zero }
            let target = max(1, Int((q * Double(total)).rounded(.up)))
            var seen = 0
            for bucket in buckets.keys.sorted() {
                seen += buckets[bucket, default: 0]
                if seen >= target { return LatencyHistogram.upperBound(ofBucket: bucket) }
            }
            return LatencyHistogram.upperBound(ofBucket: buckets.keys.max() ?? 0)
        }

        /// Both snapshots' samples together (two processes, say).
        public func adding(_ other: Snapshot) -> Snapshot {
            Snapshot(buckets: buckets.merging(other.buckets, uniquingKeysWith: +))
        }

        /// The samples recorded since `earlier`, a snapshot of the same
        /// histogram taken before this one; buckets that did not grow are absent.
        public func subtracting(_ earlier: Snapshot) -> Snapshot {
            var remaining: [Int: Int] = [:]
            for (bucket, count) in buckets {
                let difference = count - earlier.buckets[bucket, default: 0]
                if difference > 0 { remaining[bucket] = difference }
            }
            return Snapshot(buckets: remaining)
        }
    }

    /// Bucket indices a duration can land in (the highest holds `UInt64.max` ns).
    static let bucketRange = 0...bucket(for: UInt64.max)

    /// The largest duration bucket `bucket` holds (indices outside the layout are clamped).
    public static func upperBound(ofBucket bucket: Int) -> Duration {
        .nanoseconds(Int64(clamping: upperBound(of: min(max(bucket, bucketRange.lowerBound), bucketRange.upperBound))))
    }

    /// The counts now, for deltas and for adding up several histograms.
    public func snapshot() -> Snapshot {
        let counts = self.counts.withLock { $0 }
        var buckets: [Int: Int] = [:]
        for (bucket, count) in counts.enumerated() where count > 0 { buckets[bucket] = count }
        return Snapshot(buckets: buckets)
    }
}
