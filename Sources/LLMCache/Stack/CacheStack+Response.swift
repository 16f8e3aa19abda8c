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
        let start = ContinuousClock.now
        counters.requests.add(1, ordering: .relaxed)
        let version = await observeVersion()
        let query = CacheQuery(
            request: request, partition: options.partition, namespaceVersion: version, semantic: hasSemanticTier)
        let selected = options.tierNames.map { names in layers.filter { names.contains($0.tier.name) } } ?? layers

        if !options.bypassLookup, let (value, hit, layer) = await lookup(query, in: selected, as: Response.self) {
            return CacheResult(
                value: value,
                source: .tier(name: layer.tier.name, similarity: hit.similarity, matchedText: hit.entry.sourceText),
                latency: ContinuousClock.now - start)
        }

        func computeAndCount() async throws -> Response {
            counters.computed.add(1, ordering: .relaxed)
            do {
                return try await compute(request)
            } catch {
                counters.computeFailures.add(1, ordering: .relaxed)
                throw error
            }
        }
        func store(_ response: Response) async {
            guard !options.skipStore else { return }
            await storeComputed(response, for: query, options: options, in: selected)
        }
        if options.bypassLookup {
            let value = try await computeAndCount()
            await store(value)
            return CacheResult(value: value, source: .computed, latency: ContinuousClock.now - start)
        }
        let flightKey = FlightKey(key: query.key, version: version)
        let (value, joined) = try await flights.run(key: flightKey, operation: computeAndCount, afterPublish: store)
        if joined { counters.coalesced.add(1, ordering: .relaxed) }
        return CacheResult(value: value, source: joined ? .coalesced : .computed, latency: ContinuousClock.now - start)
    }

    /// Walks the tiers top-down; on a hit, decodes it and promotes it upwards.
    func lookup<Response: CacheValue>(
        _ query: CacheQuery, in selected: [Layer], as: Response.Type
    ) async -> (Response, CacheHit, Layer)? {
        for (position, layer) in selected.enumerated() {
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
                if !(error is CancellationError) { layer.breaker.recordFailure() }
                layer.recorder.recordError()
                logger.warning(
                    "cache tier lookup failed; treating as a miss",
                    metadata: ["tier": "\(layer.tier.name)", "error": "\(error)"])
                continue
            }
            layer.recorder.recordLookup(nanoseconds: (ContinuousClock.now - started).nanosecondsClamped)
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
            let tokens = hit.entry.usage?.totalTokens ?? 0
            let cost = hit.entry.usage.map { configuration.priceTable.cost(of: $0, model: hit.entry.model) } ?? 0
            layer.recorder.recordHit(tokens: tokens, cost: cost)
            await promote(hit, to: selected[..<position], for: query)
            return (value, hit, layer)
        }
        return nil
    }

    /// Copies a hit into faster tiers with its remaining lifetime. A semantic
    /// hit goes to exact tiers only, under the new request's key: writing it
    /// into another semantic tier under a paraphrase would let matches drift.
    private func promote(_ hit: CacheHit, to upper: ArraySlice<Layer>, for query: CacheQuery) async {
        guard !upper.isEmpty, !hit.entry.isExpired(at: clock.now) else { return }
        for layer in upper where hit.similarity == nil || layer.tier.matching == .exact {
            guard layer.breaker.allowsRequest() else { continue }
            if await write(hit.entry, to: layer, for: query) { layer.recorder.recordPromotion() }
        }
    }

    /// Writes a freshly computed answer to every selected tier.
    func storeComputed<Response: CacheValue>(
        _ response: Response, for query: CacheQuery, options: CacheOptions, in selected: [Layer]
    ) async {
        let bytes: [UInt8]
        do {
            bytes = try response.cacheEncoded()
        } catch {
            logger.warning("answer could not be encoded; not cached", metadata: ["error": "\(error)"])
            return
        }
        let now = clock.now
        let ttl = options.ttl ?? configuration.defaultTTL
        let entry = CacheEntry(
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
        for layer in selected where layer.breaker.allowsRequest() {
            _ = await write(entry, to: layer, for: query)
        }
    }

    /// Stores into one tier, feeding its breaker and counters; true on success.
    private func write(_ entry: CacheEntry, to layer: Layer, for query: CacheQuery) async -> Bool {
        do {
            try await layer.tier.store(entry, for: query)
            layer.breaker.recordSuccess()
            layer.recorder.recordStore(succeeded: true)
            return true
        } catch {
            if !(error is CancellationError) { layer.breaker.recordFailure() }
            layer.recorder.recordStore(succeeded: false)
            logger.warning(
                "cache tier store failed", metadata: ["tier": "\(layer.tier.name)", "error": "\(error)"])
            return false
        }
    }
}

/// Identical requests share a flight only within one namespace version.
struct FlightKey: Hashable, Sendable {
    var key: CacheKey
    var version: UInt64
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
