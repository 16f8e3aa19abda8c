/// Lets identical misses in different processes share one model call.
///
/// Why: single-flight inside a ``CacheStack`` coalesces identical concurrent
/// misses of one process, but N replicas behind a load balancer that miss
/// the same question at the same moment would still call the model N
/// times. A coordinator gives one process a short-lived *lease* on the key;
/// the others wait until it is released (or expires) and then read the
/// answer from a tier every process shares (the Redis exact tier).
///
/// The stack asks it only after its own single-flight elected a leader, so
/// each process makes at most one claim per key at a time. Any error thrown
/// here makes the stack call the model itself (fail-open): a coordinator
/// never turns a miss into an error or a hang. LLMCacheRedis implements it
/// (`RedisMissCoordinator`).
public protocol MissCoordinator: Sendable {
    /// How long a process waits, in all, for other processes' calls before
    /// calling the model itself.
    var waitBudget: Duration { get }

    /// Tries to become the one process that calls the model for `key` in
    /// namespace version `version`.
    func claim(_ key: CacheKey, version: UInt64) async throws -> MissClaim

    /// Waits until the lease on `key` is released or has expired (`true`),
    /// or until `deadline` (`false`). Returning early is allowed: the stack
    /// looks again and claims again.
    func waitForRelease(of key: CacheKey, version: UInt64, until deadline: ContinuousClock.Instant) async throws
        -> Bool
}

/// What a ``MissCoordinator/claim(_:version:)`` found.
public enum MissClaim: Sendable {
    /// This process holds the lease: it calls the model, stores the answer
    /// in the shared tiers, then releases the lease.
    case granted(any MissLease)
    /// Another process holds the lease: wait for it.
    case heldElsewhere
    /// The shared tier already has an answer (stored since this process
    /// looked): read it instead of calling the model.
    case answered
}

/// A lease on one key, held by the process calling the model for it.
public protocol MissLease: Sendable {
    /// Gives the lease up and wakes the processes waiting for it. Called
    /// once the answer is stored in the shared tiers (or was not stored, or
    /// the call failed); errors are the coordinator's to log, since the
    /// lease expires on its own.
    func release() async
}
