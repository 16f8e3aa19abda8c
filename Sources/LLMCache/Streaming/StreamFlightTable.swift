import Synchronization

/// The streams being produced right now, by request, so that an identical
/// request joins the running stream instead of calling the model again.
final class StreamFlightTable: Sendable {
    /// How a caller takes part in a streamed miss.
    enum Role<Chunk: Sendable> {
        /// Nobody was producing this stream: start `broadcast`, read from `subscription`.
        case leader(StreamBroadcast<Chunk>, StreamSubscription<Chunk>)
        /// Someone is: read from the start of their stream.
        case follower(StreamSubscription<Chunk>)
    }

    private let flights = CacheLock<[FlightKey: any StreamFlight]>([:])

    init() {}

    /// Joins the running stream for `key`, or registers a new one. A running
    /// stream of another chunk type under the same key is left alone and the
    /// new one is not registered (both are produced; neither is shared).
    func join<Chunk: Sendable>(_ key: FlightKey, as: Chunk.Type = Chunk.self) -> Role<Chunk> {
        flights.withLock { flights in
            let existing = flights[key]
            if let running = existing as? StreamBroadcast<Chunk>, let subscription = running.subscribe() {
                return .follower(subscription)
            }
            let shareable = existing.map { !$0.isJoinable } ?? true
            let broadcast = StreamBroadcast<Chunk>(onClose: { [weak self] id in self?.remove(key, id) })
            // A fresh broadcast always accepts its first subscriber.
            let subscription = broadcast.subscribe()!
            if shareable { flights[key] = broadcast }
            return .leader(broadcast, subscription)
        }
    }

    /// Forgets the stream `id` under `key`, unless another replaced it.
    private func remove(_ key: FlightKey, _ id: ObjectIdentifier) {
        flights.withLock { flights in
            if let current = flights[key], ObjectIdentifier(current) == id { flights[key] = nil }
        }
    }

    /// How many streams are registered (for tests).
    var count: Int { flights.withLock { $0.count } }
}
