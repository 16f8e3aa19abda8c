import Logging
import Synchronization

extension CacheStack {
    /// The streamed answer to `request`: replayed from the fastest tier that
    /// has it, else streamed from `compute` as it arrives while the stack
    /// records it.
    ///
    /// - A miss forwards every chunk as soon as the upstream yields it. The
    ///   recording is stored in every selected tier only when the upstream
    ///   completes without error; a failed stream is never stored and its
    ///   error reaches the consumer after the chunks that preceded it.
    /// - Identical requests arriving while a miss streams join it (one model
    ///   call): each receives every chunk from the first, then the live ones.
    ///   A consumer that cancels, or drops its stream, leaves without
    ///   disturbing the others; when the *last* one leaves before the end,
    ///   the upstream is cancelled (the model call aborted) and nothing is
    ///   stored. While at least one consumer stays, the stream runs to its
    ///   end and is stored.
    /// - A hit replays the stored chunks, paced as `caching.pacing` says;
    ///   hits are promoted to faster tiers as for ``response(for:options:compute:)``,
    ///   and semantic tiers match streamed answers too.
    ///
    /// Streamed and complete answers to the same request are stored under
    /// different keys. The result's `latency` is the time until the stream
    /// was ready (tiers asked), not the time to its last chunk.
    public func streamResponse<Request: CacheableRequest, Chunk: CacheValue, Upstream: AsyncSequence & SendableMetatype>(
        for request: Request,
        options: CacheOptions = CacheOptions.current,
        caching: StreamCaching = StreamCaching(),
        compute: @escaping @Sendable (Request) async throws -> Upstream
    ) async -> CacheResult<AsyncThrowingStream<Chunk, any Error>> where Upstream.Element == Chunk {
        let opened = await openStream(for: request, options: options, caching: caching, compute: compute)
        return CacheResult(
            value: AsyncThrowingStream(unfolding: opened.next), source: opened.source, latency: opened.latency,
            cacheability: opened.decision, age: opened.age)
    }

    /// `body`, a function that streams its answer (such as
    /// `OpenAIChatClient.stream`), with this cache in front of it and the
    /// same signature; see ``streamResponse(for:options:caching:compute:)``.
    ///
    /// The returned stream asks the tiers when it is first iterated, with the
    /// ``CacheOptions`` in force where the wrapped function was *called*.
    public func wrapStream<Request: CacheableRequest, Chunk: CacheValue, Upstream: AsyncSequence & SendableMetatype>(
        caching: StreamCaching = StreamCaching(),
        _ body: @escaping @Sendable (Request) async throws -> Upstream
    ) -> @Sendable (Request) -> AsyncThrowingStream<Chunk, any Error> where Upstream.Element == Chunk {
        { request in
            let options = CacheOptions.current
            let deferred = DeferredStreamSource<Chunk> {
                await self.openStream(for: request, options: options, caching: caching, compute: body).next
            }
            return AsyncThrowingStream(unfolding: deferred.next)
        }
    }

    typealias StreamSource<Chunk: Sendable> = CacheResult<AsyncThrowingStream<Chunk, any Error>>.Source

    /// A stream ready to be read: where its chunks come from, and how to pull them.
    struct OpenedStream<Chunk: Sendable>: Sendable {
        let next: @Sendable () async throws -> Chunk?
        let source: StreamSource<Chunk>
        let latency: Duration
        var decision: CacheabilityDecision = .cache
        var age: Duration?
    }

    /// Asks the tiers, then replays a hit or joins (or starts) the stream.
    func openStream<Request: CacheableRequest, Chunk: CacheValue, Upstream: AsyncSequence & SendableMetatype>(
        for request: Request, options: CacheOptions, caching: StreamCaching,
        compute: @escaping @Sendable (Request) async throws -> Upstream
    ) async -> OpenedStream<Chunk> where Upstream.Element == Chunk {
        let call = await begin(StreamedRequest(base: request), options: options, original: request)
        let (start, query, selected, options) = (call.start, call.query, call.selected, call.options)
        var failed: Set<String> = []
        var lookupMarks: [String: InvalidationMark?] = [:]
        // A streamed answer arrives in pieces: an exploration is not compared.
        var declined: DeclinedMatch<RecordedStream<Chunk>>?
        if !options.bypassLookup,
            let (recording, hit, layer) = await lookup(
                query, in: selected, as: RecordedStream<Chunk>.self, failed: &failed, marks: &lookupMarks,
                declined: &declined)
        {
            let replay = StreamReplaySource(
                chunks: recording.chunks, pauses: caching.pauses(replaying: recording), clock: caching.clock)
            return OpenedStream(
                next: replay.next,
                source: .tier(name: layer.tier.name, similarity: hit.similarity, matchedText: hit.entry.sourceText),
                latency: ContinuousClock.now - start, decision: call.decision,
                age: hit.entry.createdAt.duration(to: clock.now))
        }

        let broadcast: StreamBroadcast<Chunk>
        let subscription: StreamSubscription<Chunk>
        if options.bypassLookup {
            // A refresh neither waits for nor shares a running stream.
            broadcast = StreamBroadcast()
            subscription = broadcast.subscribe()!
        } else {
            let key = FlightKey(key: query.key, version: query.namespaceVersion, policy: options.storePolicy)
            switch streamFlights.join(key, as: Chunk.self) {
            case .follower(let joined):
                counters.coalesced.add(1, ordering: .relaxed)
                return OpenedStream(
                    next: joined.next, source: .coalesced, latency: ContinuousClock.now - start, decision: call.decision)
            case .leader(let started, let first):
                broadcast = started
                subscription = first
            }
        }
        counters.computed.add(1, ordering: .relaxed)
        // Taken before the model is called, as for complete answers.
        let marks =
            options.skipStore ? [:] : await invalidationMarks(of: selected, skipping: failed, reusing: lookupMarks)
        broadcast.start {
            await self.produce(
                request, into: broadcast, query: query, options: options, selected: selected, marks: marks,
                caching: caching, compute: compute)
        }
        return OpenedStream(
            next: subscription.next, source: .computed, latency: ContinuousClock.now - start, decision: call.decision)
    }

    /// Runs in the broadcast's production task: consumes the upstream,
    /// records it, and stores it if it completed cleanly.
    private func produce<Request: CacheableRequest, Chunk: CacheValue, Upstream: AsyncSequence & SendableMetatype>(
        _ request: Request, into broadcast: StreamBroadcast<Chunk>, query: CacheQuery, options: CacheOptions,
        selected: [Layer], marks: [String: InvalidationMark?], caching: StreamCaching,
        compute: @Sendable (Request) async throws -> Upstream
    ) async where Upstream.Element == Chunk {
        var recorder: StreamRecorder<Chunk>? =
            options.skipStore ? nil : StreamRecorder(startedAt: .now, maxBytes: caching.maxRecordedBytes)
        do {
            for try await chunk in try await compute(request) {
                do {
                    try recorder?.record(chunk, at: .now)
                } catch {
                    // Keep streaming to the listeners; just stop keeping the chunks.
                    recorder = nil
                    broadcast.close()
                    logger.info("streamed answer will not be cached", metadata: ["reason": "\(error)"])
                }
                // False once every listener left: the task is cancelled, stop here.
                guard broadcast.publish(chunk) else { return }
            }
            // A cancelled upstream may end as if it had completed.
            try Task.checkCancellation()
        } catch {
            guard !broadcast.isAbandoned else { return }
            counters.computeFailures.add(1, ordering: .relaxed)
            broadcast.finish(.failed(error))
            broadcast.close()
            return
        }
        guard !broadcast.isAbandoned else { return }
        // Stored (in-process tiers) or handed to the background (the others)
        // before the listeners hear the end, and still joinable until every
        // write is done: requests arriving meanwhile replay this broadcast
        // instead of missing the not-yet-written entry.
        let release = FlightRelease { broadcast.close() }
        if let recorder {
            await storeComputed(
                recorder.recording, for: query, options: options, in: selected, marks: marks, release: release)
        }
        _ = broadcast.finish(.finished)
        if recorder == nil { release.release() }
    }
}
