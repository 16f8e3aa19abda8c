import Logging
import Synchronization

extension CacheStack {
    /// How this process's leader of a miss goes on once other processes
    /// were asked (see ``MissCoordinator``).
    enum SharedMiss<Response: Sendable> {
        /// Call the model; with a lease, release it once the answer is
        /// stored. `waited`: time passed since the lookup, so invalidation
        /// marks must be taken afresh.
        case compute(lease: (any MissLease)?, waited: Bool)
        /// Another process's call answered it; read from `tier`.
        case answered(Response, CacheHit, tier: String)
    }

    /// The coordinator to share `call`'s miss through, or `nil` to call the
    /// model at once: without one, for an answer that will not be stored,
    /// or when no shared exact tier could hand over another process's
    /// answer (none selected, its lookup just failed, its breaker is open:
    /// Redis is in trouble, and waiting on it would only add timeouts).
    func missCoordinator(for call: Call, failed: Set<String>) -> (any MissCoordinator)? {
        guard let coordinator = configuration.missCoordinator, !call.options.skipStore else { return nil }
        let sharedExact = call.selected.contains { layer in
            !layer.tier.isInProcess && layer.tier.matching == .exact && !failed.contains(layer.tier.name)
                && layer.breaker.state != .open
        }
        return sharedExact ? coordinator : nil
    }

    /// Claims `call`'s key for this process, or waits for the process that
    /// holds it and reads its answer from the exact tiers. Every way out
    /// that is not an answer is a call of the model: the coordinator
    /// failing (fail-open), the wait budget running out, an answer that was
    /// announced but cannot be read. A lease released without an answer
    /// (that call failed, or its answer was not storable) or expired (its
    /// holder died) is claimed again, so one of the waiting processes calls
    /// the model next. Only cancellation is thrown.
    func shareMiss<Response: CacheValue>(
        _ call: Call, through coordinator: any MissCoordinator, as type: Response.Type
    ) async throws -> SharedMiss<Response> {
        let key = call.query.key
        let version = call.query.namespaceVersion
        let deadline = ContinuousClock.now + coordinator.waitBudget
        let flights = counters.sharedFlights
        var waited = false
        func fallBack(_ error: any Error) throws -> SharedMiss<Response> {
            if error is CancellationError { throw error }
            flights.failures.add(1, ordering: .relaxed)
            logger.warning("could not share a miss with other processes; calling the model", metadata: ["error": "\(error)"])
            return .compute(lease: nil, waited: waited)
        }
        while true {
            let claim: MissClaim
            do {
                claim = try await coordinator.claim(key, version: version)
            } catch {
                return try fallBack(error)
            }
            switch claim {
            case .granted(let lease):
                flights.leases.add(1, ordering: .relaxed)
                return .compute(lease: lease, waited: waited)
            case .answered:
                if let answer = await lookAgain(call, as: type) { return answer }
                // Announced but not readable here (expired meanwhile, undecodable): no wait.
                return .compute(lease: nil, waited: true)
            case .heldElsewhere:
                waited = true
                let released: Bool
                do {
                    released = try await coordinator.waitForRelease(of: key, version: version, until: deadline)
                } catch {
                    return try fallBack(error)
                }
                if released, let answer = await lookAgain(call, as: type) { return answer }
                if !released || ContinuousClock.now >= deadline {
                    flights.waitTimeouts.add(1, ordering: .relaxed)
                    logger.info("waited the whole budget for another process's model call; calling the model")
                    return .compute(lease: nil, waited: true)
                }
            }
        }
    }

    /// The exact tiers asked again for an answer another process stored
    /// (promoted into faster tiers like any hit); `nil` if none has it.
    private func lookAgain<Response: CacheValue>(_ call: Call, as type: Response.Type) async -> SharedMiss<Response>? {
        var failed: Set<String> = []
        var marks: [String: InvalidationMark?] = [:]
        var declined: DeclinedMatch<Response>?
        let exact = call.selected.filter { $0.tier.matching == .exact }
        guard
            let (value, hit, layer) = await lookup(
                call.query, in: exact, as: type, failed: &failed, marks: &marks, declined: &declined)
        else { return nil }
        counters.sharedFlights.answeredElsewhere.add(1, ordering: .relaxed)
        return .answered(value, hit, tier: layer.tier.name)
    }
}

extension MissLease {
    /// ``release()`` in a task of its own, so that a cancelled caller
    /// (whose Redis commands would be cancelled too) still gives the lease
    /// up at once instead of leaving the waiting processes to its expiry.
    func releaseEvenIfCancelled() async {
        await Task { await self.release() }.value
    }
}
