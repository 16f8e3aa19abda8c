#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in wall-clock time with millisecond resolution.
///
/// Entries travel between processes (through Redis), so their creation and
/// expiry times must be wall-clock instants every process agrees on, not a
/// monotonic instant that is meaningful only inside one process.
public struct CacheTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    /// The earliest and latest instants: what ``advanced(by:)`` saturates at.
    public static let distantPast = CacheTime(millisecondsSince1970: .min)
    public static let distantFuture = CacheTime(millisecondsSince1970: .max)

    /// This instant moved by `duration` (rounded down to whole milliseconds),
    /// saturating at ``distantPast`` and ``distantFuture`` instead of trapping
    /// or wrapping: a TTL of `.seconds(.max)` means "practically never".
    public func advanced(by duration: Duration) -> CacheTime {
        let (sum, overflow) = millisecondsSince1970.addingReportingOverflow(duration.wholeMilliseconds)
        guard overflow else { return CacheTime(millisecondsSince1970: sum) }
        return duration < .zero ? .distantPast : .distantFuture
    }

    /// The time from `self` until `other` (negative when `other` is earlier).
    ///
    /// Exact for any two instants, even ones that came from corrupt or hostile
    /// bytes: the difference of two `Int64` millisecond counts can overflow
    /// `Int64`, but not `Duration`, so it is computed in `Duration`.
    public func duration(to other: CacheTime) -> Duration {
        .milliseconds(other.millisecondsSince1970) - .milliseconds(millisecondsSince1970)
    }

    public var description: String { "\(millisecondsSince1970)ms" }
}

extension Duration {
    /// The duration in whole milliseconds (rounded toward zero), saturating
    /// at `Int64.min` and `Int64.max` instead of trapping on overflow.
    ///
    /// The bounds are checked first because `components` itself traps for a
    /// duration beyond `Int64.max` seconds (such as `.seconds(.max) * 2`).
    public var wholeMilliseconds: Int64 {
        if self >= .milliseconds(Int64.max) { return .max }
        if self <= .milliseconds(Int64.min) { return .min }
        // Within ±Int64.max ms the sum below fits: no overflow is possible.
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Where the cache reads the current time.
///
/// Injected into tiers and stacks so tests can move time forward by hand
/// instead of sleeping, which keeps TTL and circuit-breaker tests fast and exact.
public protocol CacheClock: Sendable {
    /// The current wall-clock time.
    var now: CacheTime { get }
}

/// The real wall clock (`CLOCK_REALTIME`).
public struct SystemCacheClock: CacheClock {
    public init() {}

    public var now: CacheTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return CacheTime(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
