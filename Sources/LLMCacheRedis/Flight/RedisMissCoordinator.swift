import LLMCache
import Logging

/// Shares misses among every process of a namespace: of N processes that
/// miss the same key at once, one calls the model and the others read its
/// answer from the Redis exact tier.
///
/// The process whose claim wins holds a lease in Redis
/// (``RedisKeyspace/leaseKey(_:version:)``, `SET NX PX`) until its answer
/// is in the exact tier, then releases it (compare-and-delete by token)
/// and, if anyone waited, publishes on the namespace's channel. A waiting
/// process wakes on that message, or on its own look at the lease (`PTTL`,
/// with back-off from 10 to 250 ms and never past the lease's expiry), and
/// asks the exact tier. Expired or released without an answer (the holder
/// died, its call failed, its answer was not storable): one waiter claims
/// the lease and calls the model. Past ``waitBudget`` a waiter calls the
/// model itself; a Redis error makes it call the model at once.
///
/// Leases are not renewed: a call that outlasts ``leaseDuration`` lets the
/// next waiting process call the model too. Set it above your slowest
/// calls, and ``waitBudget`` at least as long (a shorter budget sends every
/// waiter to the model before a dead holder's lease expires).
public final class RedisMissCoordinator: MissCoordinator {
    /// Where the leases live and whose channel wakes the waiters.
    public let namespace: RedisNamespace
    /// How long a lease lasts unless released: how long a dead holder
    /// keeps others waiting.
    public let leaseDuration: Duration
    /// How long a process waits, in all, for other processes' calls.
    public let waitBudget: Duration
    /// 30 s: above most model calls, short enough that a dead holder
    /// does not keep a popular request waiting for long.
    public static let defaultLeaseDuration: Duration = .seconds(30)
    /// As long as the default lease, so a dead holder's lease expires
    /// before its waiters give up.
    public static let defaultWaitBudget: Duration = .seconds(30)
    private let logger: Logger

    /// The longest pause between two looks at a lease while waiting (the
    /// channel's message usually comes first).
    static let longestPause: Duration = .milliseconds(250)
    static let firstPause: Duration = .milliseconds(10)
    /// Tokens are this many hex digits, all alike in length, so that the
    /// release script can tell a token from the waiters' marks behind it.
    static let tokenLength = 32

    public init(
        namespace: RedisNamespace, leaseDuration: Duration = defaultLeaseDuration,
        waitBudget: Duration = defaultWaitBudget,
        logger: Logger = Logger(label: "llmcache.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.namespace = namespace
        self.leaseDuration = max(.milliseconds(1), leaseDuration)
        self.waitBudget = max(.zero, waitBudget)
        self.logger = logger
    }

    private var client: RedisClient { namespace.client }
    private var keyspace: RedisKeyspace { namespace.keyspace }

    public func claim(_ key: CacheKey, version: UInt64) async throws -> MissClaim {
        let lease = keyspace.leaseKey(key, version: version)
        let token = Self.newToken()
        let reply = try await client.run(
            LeaseScripts.claim, keys: [lease, keyspace.entryKey(key, version: version)],
            arguments: [token, RedisTTL.expiry(leaseDuration).redisBytes])
        switch reply.int {
        case 1: return .granted(Lease(coordinator: self, key: lease, token: token))
        case 0: return .heldElsewhere
        case 2: return .answered
        default: throw RedisError(.protocolError, "unexpected reply to a lease claim: \(reply)")
        }
    }

    public func waitForRelease(of key: CacheKey, version: UInt64, until deadline: ContinuousClock.Instant)
        async throws -> Bool
    {
        let lease = keyspace.leaseKey(key, version: version)
        // Listening first: a release between the claim and now is seen by the first look.
        let (id, signal) = namespace.leaseWaiters.add(lease)
        defer { namespace.leaseWaiters.remove(lease, id: id) }
        var pause = Self.firstPause
        while true {
            let left = try await client.execute(.pttl(lease))
            if left == -2 { return true }  // released or expired
            let now = ContinuousClock.now
            guard now < deadline else { return false }
            var nap = min(pause, now.duration(to: deadline))
            if left >= 0 { nap = min(nap, .milliseconds(left + 1)) }
            if try await signal.wait(upTo: nap) { return true }
            pause = min(pause * 2, Self.longestPause)
        }
    }

    /// 128 random bits in hex.
    static func newToken() -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        var generator = SystemRandomNumberGenerator()
        return (0..<tokenLength).map { _ in digits[Int(generator.next() & 0xF)] }
    }

    /// One granted claim.
    private struct Lease: MissLease {
        let coordinator: RedisMissCoordinator
        let key: [UInt8]
        let token: [UInt8]

        func release() async {
            let namespace = coordinator.namespace
            let message = InvalidationEvent.leaseReleased(String(decoding: key, as: UTF8.self)).encoded
            do {
                _ = try await namespace.client.run(
                    LeaseScripts.release, keys: [key], arguments: [token, namespace.keyspace.channel, message])
            } catch {
                coordinator.logger.warning(
                    "could not release a flight lease; it expires by itself",
                    metadata: ["lease": "\(String(decoding: key, as: UTF8.self))", "error": "\(error)"])
            }
        }
    }
}
