import LLMCache
import Logging

/// Retiring answers in Redis: by tag, by flushing the namespace, by moving
/// to a new version. Each tells every process, and each moves the fences
/// that keep answers computed before it from being stored after it (see
/// ``InvalidationMark``).
extension RedisNamespace {
    /// Moves every process to a new version (`INCR`) and tells them in the
    /// same step. On a cluster, each group's copy of the version (which
    /// stores compare with) is raised right after.
    public func bump() async throws -> UInt64 {
        let (prefix, suffix) = InvalidationEvent.versionMessageAround
        let reply = try await client.run(
            RedisScripts.bumpVersion, keys: [keyspace.versionKey], arguments: [keyspace.channel, prefix, suffix])
        guard let next = reply.int else { throw RedisError(.protocolError, "version bump did not return an integer") }
        let newVersion = UInt64(max(0, next))
        version.advance(to: newVersion)
        if keyspace.layout == .cluster {
            try await raise(\.versionKey, to: newVersion)
        }
        return newVersion
    }

    /// Raises one counter of every group to `value` (never lowers it).
    private func raise(_ counter: KeyPath<RedisKeyGroup, [UInt8]>, to value: UInt64) async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for key in keyspace.groups.map({ $0[keyPath: counter] }) {
                tasks.addTask { _ = try await self.client.run(RedisScripts.raise, keys: [key], arguments: [value.redisBytes]) }
            }
            try await tasks.waitForAll()
        }
    }

    /// Runs `body` for each group at once (they may live on different
    /// primaries); returns the sum of what it returned.
    private func inEachGroup(
        _ groups: some Sequence<RedisKeyGroup>, _ body: @escaping @Sendable (RedisKeyGroup) async throws -> Int
    ) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { tasks in
            for group in groups { tasks.addTask { try await body(group) } }
            return try await tasks.reduce(0, +)
        }
    }

    /// Moves the invalidation counter on: its new value fences every store
    /// of an answer whose mark is older.
    private func nextEpoch() async throws -> UInt64 {
        let epoch = try await client.execute(.incr(keyspace.fenceKey))
        guard epoch > 0 else {
            throw RedisError(.protocolError, "the invalidation counter did not return a positive integer")
        }
        return UInt64(epoch)
    }

    /// The namespace's invalidation counter now, as a mark for a
    /// computation about to start (see ``InvalidationMark``).
    func invalidationMark() async throws -> InvalidationMark {
        let stored = try await client.execute(.get(keyspace.fenceKey))
        return InvalidationMark(epoch: stored.flatMap { UInt64(String(decoding: $0, as: UTF8.self)) } ?? 0)
    }

    /// Whether a store with `mark` can still be checked: Redis forgets a
    /// tag's invalidation after ``fenceWindow``, so an older mark is refused.
    func accepts(_ mark: InvalidationMark?) -> Bool {
        guard let mark else { return true }
        guard mark.takenAt.duration(to: .now) < fenceWindow else {
            logger.info("not storing an answer whose computation outlasted the fence window")
            return false
        }
        return true
    }

    /// Removes every entry carrying any of `tags`, in every Redis tier of the
    /// namespace (tag sets are shared), and tells every process.
    ///
    /// The invalidation counter moves first; then each group, atomically,
    /// fences the tags at that value and removes their members. On a
    /// cluster the groups are visited at once but for one, visited last,
    /// whose script publishes: a process that hears of the invalidation
    /// finds no group still holding an answer it retired.
    func invalidate(tags: Set<String>) async throws -> Int {
        guard !tags.isEmpty else { return 0 }
        let sorted = tags.sorted()
        let event = InvalidationEvent.tags(sorted)
        return try await announcing(event) {
            let epoch = try await nextEpoch()
            let groups = keyspace.groups
            var removed = try await inEachGroup(groups.dropLast()) { group in
                try await self.invalidate(sorted, in: group, epoch: epoch, publishing: nil)
            }
            removed += try await invalidate(sorted, in: groups[groups.count - 1], epoch: epoch, publishing: event)
            return removed
        }
    }

    /// Invalidates `tags` in one group. Stores with these tags are held and
    /// the members read first, so that the script can declare every key it
    /// touches; it refuses (-1) if a set gained a member meanwhile (only a
    /// store made without a mark can), and the group is read again.
    private func invalidate(
        _ tags: [String], in group: RedisKeyGroup, epoch: UInt64, publishing event: InvalidationEvent?
    ) async throws -> Int {
        let tagSets = tags.map(group.tagKey)
        let tagFences = tags.map(group.tagFenceKey)
        for _ in 0..<Self.invalidationAttempts {
            let held = try await client.run(
                RedisScripts.holdTags, keys: tagFences + tagSets, arguments: [Self.holdTime.redisBytes])
            let members = (held.array ?? []).flatMap { $0.array ?? [] }.compactMap(\.bytes)
            let removal = EntryRemoval(members: Array(Set(members)), keyspace: keyspace)
            let reply = try await client.run(
                RedisScripts.invalidateTags,
                keys: [group.semanticExpiryKey] + tagSets + tagFences + removal.keys,
                arguments: [
                    keyspace.channel, event?.encoded ?? [], RedisTTL.expiry(fenceWindow).redisBytes,
                    tags.count.redisBytes, removal.count.redisBytes, epoch.redisBytes,
                ] + removal.arguments)
            guard let removed = reply.int else { throw RedisError(.protocolError, "unexpected invalidation reply") }
            if removed >= 0 { return Int(removed) }
        }
        throw RedisError(
            .serverError, "tags \(tags) kept gaining members during \(Self.invalidationAttempts) invalidation attempts")
    }

    /// Removes `keys` (one entry's keys in this namespace: its answer,
    /// document or vector) and tells every process that `entry` is gone, so
    /// that their memory tiers drop their copies too; returns how many keys
    /// were removed.
    func remove(_ entry: EntryReference, keys: [[UInt8]]) async throws -> Int {
        let event = InvalidationEvent.entries([entry.description])
        return try await announcing(event) {
            let removed = try await client.unlink(keys)
            try await client.execute(.publish(event.encoded, to: keyspace.channel))
            return removed
        }
    }

    /// Removes the answer `entry` names from every Redis tier of the
    /// namespace — the exact answer and any semantic one, whatever the
    /// backend and embedder — and tells every process; returns how many keys
    /// it removed. Finds the semantic copies with `SCAN`, so it walks the
    /// namespace once: for an operator (`llmcache feedback`), not for the
    /// request path (tiers remove their own entries directly).
    @discardableResult
    public func removeEntry(_ entry: EntryReference) async throws -> Int {
        var keys = [keyspace.entryKey(entry.key, version: entry.namespaceVersion)]
        try await client.scan(matching: Array("\(keyspace.prefix)*\(entry.key.hex)".utf8)) { found in
            for key in found {
                switch keyspace.kind(of: key) {
                case .semanticAnswer(let version, _, _), .searchDocument(_, let version, _):
                    if version == entry.namespaceVersion { keys.append(key) }
                default: break
                }
            }
        }
        return try await remove(entry, keys: keys)
    }

    /// How often an invalidation reads its tag sets again when unfenced
    /// stores keep adding members between the read and the script.
    static let invalidationAttempts = 8
    /// How long stores of a tag being invalidated are held (ms) if the
    /// invalidation does not complete.
    static let holdTime: Int64 = 30_000

    /// Removes every key of the namespace but its version counter and shared
    /// settings, with `SCAN` and `UNLINK` (never `KEYS`, which blocks the
    /// server), and tells every process; returns how many keys it deleted.
    ///
    /// A large namespace takes a while, so `progress` hears the running
    /// total after each batch (about a thousand keys) and a command-line tool
    /// can show that the deletion is moving.
    ///
    /// - Parameter includingSettings: also delete the version counter and the
    ///   shared settings (the LSH seed), leaving nothing of the namespace: for
    ///   a namespace that is being thrown away (a benchmark's, a test's).
    ///   Processes still using it would start over at version 0.
    @discardableResult
    public func removeAllEntries(includingSettings: Bool = false, progress: (Int) -> Void = { _ in }) async throws -> Int {
        // First, so that answers computed before the flush are not stored
        // after it; one stored before its group's fence moved is deleted below.
        try await raise(\.flushFenceKey, to: try await nextEpoch())
        return try await announcing(.cleared) {
            try await deleteKeys(includingSettings: includingSettings, progress: progress)
        }
    }

    private func deleteKeys(includingSettings: Bool, progress: (Int) -> Void) async throws -> Int {
        var deleted = 0
        try await client.scan(matching: keyspace.pattern) { keys in
            let doomed = keys.filter { includingSettings || !keyspace.survivesRemoveAll($0) }
            guard !doomed.isEmpty else { return }
            // Keys that expired between SCAN and UNLINK are not counted.
            deleted += try await client.unlink(doomed)
            progress(deleted)
        }
        try await client.execute(.publish(InvalidationEvent.cleared.encoded, to: keyspace.channel))
        return deleted
    }
}
