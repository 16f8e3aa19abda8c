import Synchronization

/// One model stream shared by every identical request that arrives while it
/// runs (single-flight for streams).
///
/// The upstream is consumed by a production task of its own, not by any one
/// caller, so that callers can come and go: a subscriber that joins late
/// first receives every chunk produced so far, then the live ones; one that
/// leaves (cancelled, or its stream dropped) disturbs nobody else. Only when
/// the *last* subscriber leaves before the end is the production cancelled,
/// which aborts the model call. The chunks are kept in one buffer shared by
/// all subscribers, each reading at its own position (pull-based, so a slow
/// reader never makes the buffer grow per subscriber); once the broadcast is
/// closed to newcomers, chunks every subscriber has read are dropped.
final class StreamBroadcast<Chunk: Sendable>: StreamFlight {
    /// How the production ended.
    enum End {
        case finished
        case failed(any Error)
        /// Every subscriber left before the end; the production was cancelled.
        case abandoned
    }

    private typealias Waiter = CheckedContinuation<Chunk?, any Error>

    private struct Subscriber {
        /// Index (counted from the first chunk ever produced) of the next chunk to hand out.
        var position = 0
        var waiters: [Waiter] = []
    }

    private struct State {
        var chunks: [Chunk] = []
        /// How many chunks were dropped from the front of `chunks`.
        var dropped = 0
        var end: End?
        var joinable = true
        var closeReported = false
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var production: Task<Void, Never>?

        var produced: Int { dropped + chunks.count }

        /// Hands available chunks (or the end) to the waiting readers of
        /// `subscriber`, a value of `subscribers` mutated in place.
        func drain(_ subscriber: inout Subscriber, into resumptions: inout [Resumption]) {
            while !subscriber.waiters.isEmpty, subscriber.position < produced {
                let waiter = subscriber.waiters.removeFirst()
                resumptions.append(.init(waiter, .success(chunks[subscriber.position - dropped])))
                subscriber.position += 1
            }
            if let end, subscriber.position == produced, !subscriber.waiters.isEmpty {
                for waiter in subscriber.waiters { resumptions.append(.init(waiter, end.result)) }
                subscriber.waiters = []
            }
        }

        /// Drains every subscriber, without copying the table.
        mutating func drainAll(into resumptions: inout [Resumption]) {
            var index = subscribers.values.startIndex
            while index != subscribers.values.endIndex {
                if !subscribers.values[index].waiters.isEmpty {
                    var subscriber = subscribers.values[index]
                    subscribers.values[index].waiters = []  // leave the moved-out array uniquely referenced
                    drain(&subscriber, into: &resumptions)
                    subscribers.values[index] = subscriber
                }
                subscribers.values.formIndex(after: &index)
            }
        }

        /// Drops chunks every subscriber has read, once nobody can join at
        /// position zero any more. Amortised: only when half the buffer can go.
        mutating func trim() {
            guard !joinable, chunks.count >= 64 else { return }
            let lowest = subscribers.values.map(\.position).min() ?? produced
            let removable = lowest - dropped
            guard removable >= chunks.count / 2 else { return }
            chunks.removeFirst(removable)
            dropped += removable
        }
    }

    /// A continuation to resume once the lock is released.
    private struct Resumption {
        let continuation: CheckedContinuation<Chunk?, any Error>
        let result: Result<Chunk?, any Error>
        init(_ continuation: CheckedContinuation<Chunk?, any Error>, _ result: Result<Chunk?, any Error>) {
            self.continuation = continuation
            self.result = result
        }
        func resume() { continuation.resume(with: result) }
    }

    private let state = CacheLock(State())
    /// Called once when the broadcast stops accepting subscribers.
    private let onClose: @Sendable (ObjectIdentifier) -> Void

    init(onClose: @escaping @Sendable (ObjectIdentifier) -> Void = { _ in }) {
        self.onClose = onClose
    }

    var isJoinable: Bool { state.withLock { $0.joinable } }

    var isAbandoned: Bool {
        state.withLock { state in
            if case .abandoned = state.end { return true }
            return false
        }
    }

    /// A new subscriber reading from the first chunk, or `nil` once the
    /// broadcast is closed to newcomers.
    func subscribe() -> StreamSubscription<Chunk>? {
        let id: Int? = state.withLock { state in
            guard state.joinable else { return nil }
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = Subscriber()
            return state.nextID
        }
        return id.map { StreamSubscription(broadcast: self, id: $0) }
    }

    /// Starts consuming the upstream in a task of its own (unless every
    /// subscriber already left).
    func start(_ production: @escaping @Sendable () async -> Void) {
        let task = Task { await production() }
        let keep = state.withLock { state in
            guard state.end == nil else { return false }
            state.production = task
            return true
        }
        if !keep { task.cancel() }
    }

    // MARK: Producer side

    /// Hands a chunk to the subscribers; false once they have all left (stop producing).
    func publish(_ chunk: Chunk) -> Bool {
        var resumptions: [Resumption] = []
        let open = state.withLock { state in
            guard state.end == nil else { return false }
            state.chunks.append(chunk)
            state.drainAll(into: &resumptions)
            state.trim()
            return true
        }
        for resumption in resumptions { resumption.resume() }
        return open
    }

    /// Ends the stream for every subscriber (after the chunks they have not
    /// read yet). False if it had already ended, i.e. every subscriber left.
    @discardableResult
    func finish(_ end: End) -> Bool {
        var resumptions: [Resumption] = []
        let applied = state.withLock { state in
            guard state.end == nil else { return false }
            state.end = end
            state.production = nil
            state.drainAll(into: &resumptions)
            return true
        }
        for resumption in resumptions { resumption.resume() }
        return applied
    }

    /// Stops accepting subscribers (those already in keep reading) and lets
    /// the single-flight table forget this broadcast. Idempotent.
    func close() {
        let report = state.withLock { state in
            state.joinable = false
            state.trim()
            defer { state.closeReported = true }
            return !state.closeReported
        }
        if report { onClose(ObjectIdentifier(self)) }
    }

    // MARK: Subscriber side

    /// The next chunk for subscriber `id`: at once if it was produced
    /// already, else when it is. `nil` after the last chunk; the upstream's
    /// error after the chunks that preceded it; `CancellationError` (and the
    /// subscriber leaves) when the consumer's task is cancelled.
    func next(for id: Int) async throws -> Chunk? {
        if Task.isCancelled {
            leave(id)
            throw CancellationError()
        }
        // Fast path: the chunk is there already (a late joiner catching up).
        let ready: Result<Chunk?, any Error>? = state.withLock { state in
            guard var subscriber = state.subscribers[id] else { return .failure(CancellationError()) }
            guard subscriber.waiters.isEmpty else { return nil }
            if subscriber.position < state.produced {
                let chunk = state.chunks[subscriber.position - state.dropped]
                subscriber.position += 1
                state.subscribers[id] = subscriber
                state.trim()
                return .success(chunk)
            }
            return state.end?.result
        }
        if let ready { return try ready.get() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Chunk?, any Error>) in
                var resumptions: [Resumption] = []
                state.withLock { state in
                    // Checked under the lock the cancellation handler takes
                    // too, so a cancellation is never missed.
                    guard !Task.isCancelled, state.subscribers[id] != nil else {
                        resumptions.append(.init(continuation, .failure(CancellationError())))
                        return
                    }
                    var subscriber = state.subscribers.removeValue(forKey: id)!
                    subscriber.waiters.append(continuation)
                    state.drain(&subscriber, into: &resumptions)
                    state.subscribers[id] = subscriber
                    state.trim()
                }
                for resumption in resumptions { resumption.resume() }
            }
        } onCancel: {
            leave(id)
        }
    }

    /// Subscriber `id` stops listening: its waiting readers get
    /// `CancellationError`; if it was the last one before the end, the
    /// production is cancelled and the broadcast closed.
    func leave(_ id: Int) {
        let (waiters, production, abandoned): ([Waiter], Task<Void, Never>?, Bool) = state.withLock { state in
            guard let subscriber = state.subscribers.removeValue(forKey: id) else { return ([], nil, false) }
            var production: Task<Void, Never>?
            var abandoned = false
            if state.subscribers.isEmpty, state.end == nil {
                state.end = .abandoned
                abandoned = true
                production = state.production
                state.production = nil
                state.chunks = []
            }
            state.trim()
            return (subscriber.waiters, production, abandoned)
        }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
        if abandoned {
            production?.cancel()
            close()
        }
    }
}

extension StreamBroadcast.End {
    /// What a reader who has read every chunk gets.
    var result: Result<Chunk?, any Error> {
        switch self {
        case .finished: .success(nil)
        case .failed(let error): .failure(error)
        case .abandoned: .failure(CancellationError())
        }
    }
}

/// One caller's place in a ``StreamBroadcast``. Dropping it (the caller's
/// stream was released) leaves the broadcast, so a caller who stops
/// iterating without being cancelled still stops counting as a listener.
final class StreamSubscription<Chunk: Sendable>: Sendable {
    private let broadcast: StreamBroadcast<Chunk>
    private let id: Int

    init(broadcast: StreamBroadcast<Chunk>, id: Int) {
        self.broadcast = broadcast
        self.id = id
    }

    deinit { broadcast.leave(id) }

    func next() async throws -> Chunk? { try await broadcast.next(for: id) }
}

/// What the single-flight table of streams holds, whatever the chunk type.
protocol StreamFlight: AnyObject, Sendable {
    var isJoinable: Bool { get }
}
