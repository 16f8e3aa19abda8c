import Logging
import Synchronization

extension CacheStack {
    /// The answer to `request`: from the fastest tier that has it, else from
    /// `compute`, which then runs once for all identical concurrent requests.
    ///
    /// Errors thrown by `compute` reach every caller sharing that call and are
    /// never cached. Tier failures are never thrown.
    public func response<Request: CacheableRequest, Response: CacheValue>(
        for request: Request,
        options: CacheOptions = CacheOptions.current,
        compute: (Request) async throws -> Response
    ) async throws -> CacheResult<Response> {
        try await response(for: request, options: options, verifier: nil, compute: compute)
    }

    /// ``response(for:options:compute:)``, with `verifier` to call in the
    /// background when a served semantic hit is sampled for verification
    /// (``SemanticFeedback/verificationRate``); usually the same function
    /// as `compute`, which cannot escape this call.
    public func response<Request: CacheableRequest, Response: CacheValue>(
        for request: Request,
        options: CacheOptions = CacheOptions.current,
        verifier: (@Sendable (Request) async throws -> Response)?,
        compute: (Request) async throws -> Response
    ) async throws -> CacheResult<Response> {
        let call = await begin(request, options: options)
        let options = call.options
        let ownEntry = options.bypassLookup && options.skipStore ? nil : call.query.entryReference
        var failed: Set<String> = []
        var lookupMarks: [String: InvalidationMark?] = [:]
        var declined: DeclinedMatch<Response>?
        if !options.bypassLookup,
            let (value, hit, layer) = await lookup(
                call.query, in: call.selected, as: Response.self, failed: &failed, marks: &lookupMarks,
                declined: &declined)
        {
            let match = SemanticMatch(hit: hit, query: call.query)
            if let match, let ownEntry, let verifier {
                verifyInBackground(value, match: match, own: ownEntry, request: request, using: verifier)
            }
            return CacheResult(
                value: value,
                source: .tier(name: layer.tier.name, similarity: hit.similarity, matchedText: hit.entry.sourceText),
                latency: ContinuousClock.now - call.start, cacheability: call.decision,
                entry: ownEntry, match: match, age: hit.entry.createdAt.duration(to: clock.now))
        }

        // Marks are taken before the model is called: an invalidation that
        // lands while it runs then keeps its answer out of every tier. After
        // waiting for another process they are taken afresh, or an
        // invalidation made during the wait would refuse this answer too.
        var marks: [String: InvalidationMark?] = [:]
        func computeAndCount(afterWaiting: Bool = false) async throws -> Response {
            if !options.skipStore {
                marks = await invalidationMarks(
                    of: call.selected, skipping: failed, reusing: afterWaiting ? [:] : lookupMarks)
            }
            counters.computed.add(1, ordering: .relaxed)
            do {
                return try await compute(request)
            } catch {
                counters.computeFailures.add(1, ordering: .relaxed)
                throw error
            }
        }
        // Held from a granted claim until the answer is stored, so that
        // waiting processes read it from the shared tier.
        var lease: (any MissLease)?
        func lead() async throws -> MissOutcome<Response> {
            guard let coordinator = missCoordinator(for: call, failed: failed) else {
                return .computed(try await computeAndCount())
            }
            switch try await shareMiss(call, through: coordinator, as: Response.self) {
            case .answered(let value, let hit, let tier):
                return .answered(value, hit, tier: tier)
            case .compute(let granted, let waited):
                lease = granted
                do {
                    return .computed(try await computeAndCount(afterWaiting: waited))
                } catch {
                    // Waiting processes call the model now rather than at the lease's expiry.
                    await granted?.releaseEvenIfCancelled()
                    throw error
                }
            }
        }
        func store(_ outcome: MissOutcome<Response>, release: FlightRelease) async {
            guard case .computed(let value) = outcome, !options.skipStore else { return release.release() }
            await storeComputed(
                value, for: call.query, options: options, in: call.selected, marks: marks, lease: lease,
                release: release)
        }
        if options.bypassLookup {
            let value = try await computeAndCount()
            await store(.computed(value), release: FlightRelease {})
            return CacheResult(
                value: value, source: .computed, latency: ContinuousClock.now - call.start, cacheability: call.decision,
                entry: ownEntry)
        }
        let flightKey = FlightKey(key: call.query.key, version: call.query.namespaceVersion, policy: options.storePolicy)
        let (outcome, joined) = try await flights.run(key: flightKey, operation: lead, afterPublish: store)
        if joined { counters.coalesced.add(1, ordering: .relaxed) }
        switch outcome {
        case .computed(let value):
            if let declined, !joined { learnInBackground(from: declined, fresh: value) }
            return CacheResult(
                value: value, source: joined ? .coalesced : .computed, latency: ContinuousClock.now - call.start,
                cacheability: call.decision, entry: ownEntry)
        case .answered(let value, let hit, let tier):
            // Another process called the model; to this one it is a hit.
            return CacheResult(
                value: value, source: .tier(name: tier, similarity: nil, matchedText: hit.entry.sourceText),
                latency: ContinuousClock.now - call.start, cacheability: call.decision, entry: ownEntry,
                age: hit.entry.createdAt.duration(to: clock.now))
        }
    }

    /// What every request, streamed or not, starts with.
    struct Call: Sendable {
        let start: ContinuousClock.Instant
        let query: CacheQuery
        let selected: [Layer]
        /// What the cacheability policy or the call decided.
        let decision: CacheabilityDecision
        /// The call's options with that decision applied.
        let options: CacheOptions
    }

    /// Counts the request, applies the cacheability decision (taken on
    /// `original`, the caller's request, when `request` wraps it), reads the
    /// namespace version and builds its query.
    func begin(
        _ request: some CacheableRequest, options: CacheOptions, original: (any CacheableRequest)? = nil
    ) async -> Call {
        let start = ContinuousClock.now
        counters.requests.add(1, ordering: .relaxed)
        let decision = cacheabilityDecision(for: original ?? request, options: options)
        let options = applying(decision, to: options)
        let version = await observeVersion()
        let query = CacheQuery(
            request: request, partition: options.partition, namespaceVersion: version, semantic: hasSemanticTier)
        let selected = options.tierNames.map { names in layers.filter { names.contains($0.tier.name) } } ?? layers
        return Call(start: start, query: query, selected: selected, decision: decision, options: options)
    }

    /// Each selected tier's invalidation mark, by tier name. A tier whose
    /// lookup just failed, or whose breaker is open, is left out (and so is
    /// not written): asking a stalled server again would cost the caller a
    /// second timeout. Marks the lookup already took are reused: taken
    /// earlier, they refuse at least as much.
    func invalidationMarks(
        of selected: [Layer], skipping failed: Set<String>, reusing earlier: [String: InvalidationMark?] = [:]
    ) async -> [String: InvalidationMark?] {
        var marks = earlier.filter { !failed.contains($0.key) }
        for layer in selected where marks[layer.tier.name] == nil && !failed.contains(layer.tier.name) {
            guard let fenced = layer.tier as? any FencedCacheTier else {
                marks[layer.tier.name] = .some(nil)  // written without a fence
                continue
            }
            guard layer.breaker.allowsRequest() else { continue }
            do {
                marks[layer.tier.name] = try await fenced.invalidationMark()
                layer.breaker.recordSuccess()
            } catch {
                layer.breaker.recordFailure(error)
                logger.warning(
                    "could not read a tier's invalidation mark; not storing this answer there",
                    metadata: ["tier": "\(layer.tier.name)", "error": "\(error)"])
            }
        }
        return marks
    }

    /// Walks the tiers top-down; on a hit, decodes it and promotes it upwards.
    ///
    /// - Parameters:
    ///   - failed: receives the names of tiers whose lookup threw.
    ///   - marks: receives the invalidation marks of the tiers above the one
    ///     being asked, taken before asking it, so that a hit is promoted
    ///     only where nothing invalidated it since it was read (and a miss
    ///     reuses them before calling the model).
    ///   - declined: receives a semantic candidate the error budget sent to
    ///     the model instead (see ``SemanticFeedback``), to compare answers.
    func lookup<Response: CacheValue>(
        _ query: CacheQuery, in selected: [Layer], as: Response.Type, failed: inout Set<String>,
        marks: inout [String: InvalidationMark?], declined: inout DeclinedMatch<Response>?
    ) async -> (Response, CacheHit, Layer)? {
        var askedSemantic = false
        for (position, layer) in selected.enumerated() {
            if position > 0 {
                marks.merge(
                    await invalidationMarks(of: [selected[position - 1]], skipping: failed), uniquingKeysWith: { $1 })
            }
            guard layer.breaker.allowsRequest() else {
                layer.recorder.recordSkip()
                continue
            }
            let started = ContinuousClock.now
            let hit: CacheHit?
            do {
                hit = try await layer.tier.lookup(query)
                layer.breaker.recordSuccess()
            } catch {
                // A cancelled caller says nothing about the tier's health.
                layer.breaker.recordFailure(error)
                layer.recorder.recordError()
                failed.insert(layer.tier.name)
                logger.warning(
                    "cache tier lookup failed; treating as a miss",
                    metadata: ["tier": "\(layer.tier.name)", "error": "\(error)"])
                continue
            }
            layer.recorder.recordLookup(nanoseconds: (ContinuousClock.now - started).nanosecondsClamped)
            if layer.tier.matching == .semantic, !askedSemantic {
                askedSemantic = true
                feedbackGate.noteSemanticLookup(score: hit?.matchScore)
            }
            guard let hit else {
                layer.recorder.recordMiss()
                continue
            }
            let value: Response
            do {
                value = try Response(cacheEncoded: hit.entry.value)
            } catch {
                layer.recorder.recordDecodeFailure()
                layer.recorder.recordMiss()
                logger.warning(
                    "stored answer did not decode; treating as a miss",
                    metadata: ["tier": "\(layer.tier.name)", "error": "\(error)"])
                continue
            }
            if let match = SemanticMatch(hit: hit, query: query) {
                let verdict = await feedbackGate.verdict(score: match.score, entry: match.entry)
                guard verdict == .serve else {
                    if verdict.learns { declined = DeclinedMatch(value: value, match: match) }
                    layer.recorder.recordMiss()
                    continue
                }
            }
            let tokens = hit.entry.usage?.totalTokens ?? 0
            let cost = hit.entry.usage.map { configuration.priceTable.cost(of: $0, model: hit.entry.model) } ?? 0
            layer.recorder.recordHit(tokens: tokens, cost: cost)
            await promote(hit, to: selected[..<position], for: query, marks: marks)
            return (value, hit, layer)
        }
        return nil
    }

    /// Copies a hit into faster tiers with its remaining lifetime. A semantic
    /// hit goes to exact tiers only, under the new request's key: writing it
    /// into another semantic tier under a paraphrase would let matches drift.
    private func promote(
        _ hit: CacheHit, to upper: ArraySlice<Layer>, for query: CacheQuery, marks: [String: InvalidationMark?]
    ) async {
        guard !upper.isEmpty, !hit.entry.isExpired(at: clock.now) else { return }
        for layer in upper where hit.similarity == nil || layer.tier.matching == .exact {
            guard layer.breaker.allowsRequest(), let mark = marks[layer.tier.name] else { continue }
            if await write(hit.entry, to: layer, for: query, mark: mark) == .stored { layer.recorder.recordPromotion() }
        }
    }

    /// Writes a freshly computed answer to the selected tiers that gave a
    /// mark: in-process tiers now, the others in the background (see
    /// ``Configuration/maxPendingStores``), slowest first, stopping at the
    /// first tier that reports the answer invalidated meanwhile. `release`
    /// ends the request's flight once every write is done; `lease` (other
    /// processes waiting for this answer) is released just before, so that
    /// they find the answer in the shared tiers when they are told.
    func storeComputed<Response: CacheValue>(
        _ response: Response, for query: CacheQuery, options: CacheOptions, in selected: [Layer],
        marks: [String: InvalidationMark?], lease: (any MissLease)? = nil, release: FlightRelease
    ) async {
        @Sendable func done() async {
            await lease?.releaseEvenIfCancelled()
            release.release()
        }
        guard let entry = entry(for: response, query: query, options: options) else { return await done() }
        let targets = selected.filter { marks[$0.tier.name] != nil }
        for layer in targets where layer.tier.isInProcess {
            if await write(entry, to: layer, for: query, mark: marks[layer.tier.name] ?? nil) == .invalidatedMeanwhile {
                return await done()
            }
        }
        let local = targets.filter(\.tier.isInProcess)
        let remote = targets.filter { !$0.tier.isInProcess }.reversed()
        guard !remote.isEmpty else { return await done() }
        let submitted = writeBehind.submit { [self] in
            for layer in remote where layer.breaker.allowsRequest() {
                if await write(entry, to: layer, for: query, mark: marks[layer.tier.name] ?? nil) == .invalidatedMeanwhile {
                    // Another process invalidated a tag of this answer while it was
                    // computed; its message may not have arrived yet: retract the
                    // copies this process already holds.
                    if !entry.tags.isEmpty {
                        for layer in local { _ = try? await layer.tier.invalidate(tags: entry.tags) }
                    }
                    break
                }
            }
            await done()
        }
        if !submitted {
            counters.droppedStores.add(1, ordering: .relaxed)
            logger.warning(
                "too many stores in progress; not storing this answer in the slower tiers",
                metadata: ["limit": "\(writeBehind.limit)"])
            await done()
        }
    }

    /// The entry to store for a computed answer, or `nil` if it must not be
    /// stored (unfinished, or not encodable).
    private func entry<Response: CacheValue>(
        for response: Response, query: CacheQuery, options: CacheOptions
    ) -> CacheEntry? {
        if !options.storeIncompleteAnswers, let reason = response.incompleteReason {
            counters.incompleteAnswers.add(1, ordering: .relaxed)
            logger.debug("not caching an unfinished answer", metadata: ["reason": "\(reason)"])
            return nil
        }
        let bytes: [UInt8]
        do {
            bytes = try response.cacheEncoded()
        } catch {
            logger.warning("answer could not be encoded; not cached", metadata: ["error": "\(error)"])
            return nil
        }
        let now = clock.now
        let ttl = options.ttl ?? configuration.defaultTTL
        return CacheEntry(
            value: bytes,
            createdAt: now,
            expiresAt: ttl.map { now.advanced(by: $0) },
            expiration: options.expiration == .sliding ? ttl.map { .sliding(ttl: $0) } ?? .fixed : .fixed,
            tags: options.tags,
            usage: response.tokenUsage,
            model: response.producingModel,
            sourceText: query.semanticText,
            namespaceVersion: query.namespaceVersion
        )
    }

    /// Stores into one tier, feeding its breaker and counters; `nil` if it threw.
    private func write(
        _ entry: CacheEntry, to layer: Layer, for query: CacheQuery, mark: InvalidationMark?
    ) async -> StoreOutcome? {
        do {
            let outcome: StoreOutcome
            if let fenced = layer.tier as? any FencedCacheTier {
                outcome = try await fenced.store(entry, for: query, unlessInvalidatedSince: mark)
            } else {
                try await layer.tier.store(entry, for: query)
                outcome = .stored
            }
            layer.breaker.recordSuccess()
            layer.recorder.recordStore(succeeded: true)
            if outcome == .invalidatedMeanwhile {
                logger.debug(
                    "answer invalidated while it was computed; not stored", metadata: ["tier": "\(layer.tier.name)"])
            }
            return outcome
        } catch {
            layer.breaker.recordFailure(error)
            layer.recorder.recordStore(succeeded: false)
            logger.warning(
                "cache tier store failed", metadata: ["tier": "\(layer.tier.name)", "error": "\(error)"])
            return nil
        }
    }
}

/// What the leader of a miss found: an answer it computed (stored by the
/// flight), or one another process computed and stored (a hit to share).
enum MissOutcome<Response: Sendable>: Sendable {
    case computed(Response)
    case answered(Response, CacheHit, tier: String)
}

/// Identical requests share a flight only within one namespace version,
/// and only when they would store the answer alike (same tags, lifetime…):
/// a caller never has its answer stored under another caller's options.
struct FlightKey: Hashable, Sendable {
    var key: CacheKey
    var version: UInt64
    var policy: StorePolicy
}

extension Duration {
    var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (scaled, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (total, carry) = scaled.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow || carry ? .max : total
    }
}
