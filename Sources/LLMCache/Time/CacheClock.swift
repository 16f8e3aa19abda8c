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

    /// This instant moved by `duration` (rounded down to whole milliseconds).
    public func advanced(by duration: Duration) -> CacheTime {
        CacheTime(millisecondsSince1970: millisecondsSince1970 &+ duration.wholeMilliseconds)
    }

    /// The time from `self` until `other` (negative when `other` is earlier).
    public func duration(to other: CacheTime) -> Duration {
        .milliseconds(other.millisecondsSince1970 - millisecondsSince1970)
    }

    public var description: String { "\(millisecondsSince1970)ms" }
}

extension Duration {
    /// The duration in whole milliseconds, saturating instead of trapping on overflow.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000_000_000
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
