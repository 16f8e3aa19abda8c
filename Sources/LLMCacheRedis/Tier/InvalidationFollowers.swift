import LLMCache
import Synchronization

/// The tiers of this process that follow invalidations announced on a
/// namespace's channel (see ``RedisNamespace/propagateInvalidations(to:)``).
///
/// Each follower gets the events in the order they arrived, from a task of
/// its own, so a slow tier (a user's log-backed tier, say) delays nobody
/// else and the subscriber's thread never waits for a tier.
final class InvalidationFollowers: Sendable {
    enum Event: Sendable {
        case tags(Set<String>)
        case cleared
    }

    private struct Follower: Sendable {
        let events: AsyncStream<Event>.Continuation
        let task: Task<Void, Never>
    }

    private let followers = CacheLock<[Follower]>([])

    init() {}

    /// Starts delivering events to `tier`: tags are invalidated, a clear empties it.
    func add(_ tier: any CacheTier) {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let task = Task {
            for await event in events {
                switch event {
                case .tags(let tags): _ = try? await tier.invalidate(tags: tags)
                case .cleared: try? await tier.removeAll()
                }
            }
        }
        followers.withLock { $0.append(Follower(events: continuation, task: task)) }
    }

    func deliver(_ event: Event) {
        for follower in followers.withLock({ $0 }) { follower.events.yield(event) }
    }

    /// Stops delivering; returns once every event already delivered was applied.
    func finish() async {
        let all = followers.withLock { followers in
            defer { followers = [] }
            return followers
        }
        for follower in all { follower.events.finish() }
        for follower in all { await follower.task.value }
    }

    deinit {
        for follower in followers.withLock({ $0 }) { follower.events.finish() }
    }
}
