import LLMCache
import Synchronization

/// A clock that only moves when told to, so TTL and circuit-breaker tests
/// run instantly and exactly instead of sleeping.
public final class ManualCacheClock: CacheClock {
    private let current: CacheLock<CacheTime>

    public init(_ start: CacheTime = CacheTime(millisecondsSince1970: 1_700_000_000_000)) {
        current = CacheLock(start)
    }

    public var now: CacheTime { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
