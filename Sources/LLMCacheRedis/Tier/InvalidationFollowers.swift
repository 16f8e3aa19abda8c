import LLMCache
import Synchronization

/// The tiers of this process that follow invalidations announced on a
/// namespace's channel (see ``RedisNamespace/propagateInvalidations(to:)``).
///
/// The memory tiers are told at once, on the subscriber's thread (they only
/// take a lock). Any other tier gets the events in the order they arrived,
/// from a task of its own, so a slow tier (a user's log-backed tier, say)
/// delays nobody else and the subscriber's thread never waits for it.
final class InvalidationFollowers: Sendable {
    enum Event: Sendable {
        case tags(Set<String>)
        case cleared
        case entries([EntryReference])
    }

    private enum Follower: Sendable {
        case immediate(@Sendable (Event) -> Void)
        case queued(AsyncStream<Event>.Continuation, Task<Void, Never>)
    }

    private let followers = CacheLock<[Follower]>([])

    init() {}

    /// Starts delivering events to `tier`: tags are invalidated, a clear
    /// empties it, removed entries are removed.
    func add(_ tier: any CacheTier) {
        if let memory = tier as? MemoryTier {
            return append(.immediate { event in
                switch event {
                case .tags(let tags): memory.invalidate(tags: tags)
                case .cleared: memory.removeAll()
                case .entries(let entries): for entry in entries { memory.remove(entry) }
                }
            })
        }
        if let memory = tier as? MemorySemanticTier {
            return append(.immediate { event in
                switch event {
                case .tags(let tags): memory.invalidate(tags: tags)
                case .cleared: memory.removeAll()
                case .entries(let entries): for entry in entries { memory.remove(entry) }
                }
            })
        }
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let task = Task {
            for await event in events {
                switch event {
                case .tags(let tags): _ = try? await tier.invalidate(tags: tags)
                case .cleared: try? await tier.removeAll()
                case .entries(let entries): for entry in entries { _ = try? await tier.remove(entry) }
                }
            }
        }
        append(.queued(continuation, task))
    }

    private func append(_ follower: Follower) {
        followers.withLock { $0.append(follower) }
    }

    func deliver(_ event: Event) {
        for follower in followers.withLock({ $0 }) {
            switch follower {
            case .immediate(let apply): apply(event)
            case .queued(let events, _): events.yield(event)
            }
        }
    }

    /// Stops delivering; returns once every event already delivered was applied.
    func finish() async {
        let all = followers.withLock { followers in
            defer { followers = [] }
            return followers
        }
        for case .queued(let events, _) in all { events.finish() }
        for case .queued(_, let task) in all { await task.value }
    }

    deinit {
        for case .queued(let events, _) in followers.withLock({ $0 }) { events.finish() }
    }
}
