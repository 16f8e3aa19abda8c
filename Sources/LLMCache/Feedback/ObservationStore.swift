import Synchronization

/// Where labelled matches are kept: per entry, and pooled over all entries.
///
/// The pooled observations teach the error budget how scores relate to
/// correctness in general; an entry's own ones move its boundary (an answer
/// that attracts wrong matches becomes stricter). A store shared through
/// Redis (`RedisObservationStore`) lets every process learn from every other;
/// ``MemoryObservationStore`` keeps them in this process.
public protocol ObservationStore: Sendable {
    /// Records `observation` for `entry` and in the pool.
    func record(_ observation: MatchObservation, for entry: EntryReference) async throws

    /// What `entry` has been observed to do.
    func observations(of entry: EntryReference) async throws -> EntryObservations

    /// The most recent observations over all entries, newest first.
    func pooledObservations() async throws -> [MatchObservation]
}

/// Observations in this process's memory, bounded: the pool keeps the most
/// recent ``poolLimit``, each entry its most recent ``entryLimit``, and at most
/// ``entryCount`` entries are remembered (the least recently observed go).
public final class MemoryObservationStore: ObservationStore {
    public let poolLimit: Int
    public let entryLimit: Int
    public let entryCount: Int

    private struct State {
        var pool: [MatchObservation] = []
        var entries: LRUDictionary<CacheKey, [MatchObservation]>
    }
    private let state: CacheLock<State>

    public init(poolLimit: Int = 4096, entryLimit: Int = 64, entryCount: Int = 100_000) {
        self.poolLimit = max(1, poolLimit)
        self.entryLimit = max(1, entryLimit)
        self.entryCount = max(1, entryCount)
        self.state = CacheLock(State(entries: LRUDictionary(capacity: entryCount)))
    }

    public func record(_ observation: MatchObservation, for entry: EntryReference) {
        state.withLock { state in
            state.pool.insert(observation, at: 0)
            if state.pool.count > poolLimit { state.pool.removeLast(state.pool.count - poolLimit) }
            let own = [observation] + (state.entries.value(for: entry.key) ?? [])
            state.entries.set(Array(own.prefix(entryLimit)), for: entry.key)
        }
    }

    public func observations(of entry: EntryReference) -> EntryObservations {
        EntryObservations(state.withLock { $0.entries.value(for: entry.key) } ?? [])
    }

    public func pooledObservations() -> [MatchObservation] {
        state.withLock { $0.pool }
    }
}
