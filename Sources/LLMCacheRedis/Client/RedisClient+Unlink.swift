extension RedisClient {
    /// Deletes `keys` with `UNLINK` (the memory is freed off the server's
    /// main thread); returns how many existed.
    ///
    /// Why not one `UNLINK` on a cluster: a command may only name keys of
    /// one slot, so the keys go as one command per slot, sent at once.
    @discardableResult
    public func unlink(_ keys: [[UInt8]]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        guard router != nil else { return Int(try await execute(.unlink(keys))) }
        let bySlot = Dictionary(grouping: keys) { HashSlot(key: $0) }
        return try await withThrowingTaskGroup(of: Int.self) { tasks in
            for batch in bySlot.values {
                tasks.addTask { Int(try await self.execute(.unlink(batch))) }
            }
            return try await tasks.reduce(0, +)
        }
    }
}
