import Synchronization

extension CacheStatistics {
    /// What the ``MissCoordinator`` did for this process's misses, so an
    /// operator can see replicas sharing model calls (all zero without one).
    public struct SharedFlights: Sendable, Hashable {
        /// Misses for which this process took the lease and called the model.
        public var leases = 0
        /// Misses answered by another process's model call: this process
        /// waited, then read the answer from the shared exact tier.
        public var answeredElsewhere = 0
        /// Waits that used up the wait budget; this process then called the model.
        public var waitTimeouts = 0
        /// Misses for which the coordinator failed (Redis down or erroring);
        /// this process called the model, as it would without one.
        public var failures = 0

        /// Counts as given (for tests and for adding up snapshots).
        public init(leases: Int = 0, answeredElsewhere: Int = 0, waitTimeouts: Int = 0, failures: Int = 0) {
            self.leases = leases
            self.answeredElsewhere = answeredElsewhere
            self.waitTimeouts = waitTimeouts
            self.failures = failures
        }

        /// One line for the statistics table, or `nil` if nothing was coordinated.
        var summary: String? {
            guard leases + answeredElsewhere + waitTimeouts + failures > 0 else { return nil }
            return "shared flights: leases \(leases), answered by other processes \(answeredElsewhere), "
                + "wait timeouts \(waitTimeouts), coordinator failures \(failures)"
        }
    }
}

/// The stack's counts behind ``CacheStatistics/SharedFlights``.
final class SharedFlightCounters: Sendable {
    let leases = Atomic<Int>(0)
    let answeredElsewhere = Atomic<Int>(0)
    let waitTimeouts = Atomic<Int>(0)
    let failures = Atomic<Int>(0)

    var snapshot: CacheStatistics.SharedFlights {
        CacheStatistics.SharedFlights(
            leases: leases.load(ordering: .relaxed), answeredElsewhere: answeredElsewhere.load(ordering: .relaxed),
            waitTimeouts: waitTimeouts.load(ordering: .relaxed), failures: failures.load(ordering: .relaxed))
    }
}
