/// The Lua scripts of flight leases (see ``RedisMissCoordinator``); each
/// runs atomically, so a claim and a release never interleave.
///
/// A lease's value is its holder's token followed by one `+` per claim
/// that found it taken: the release publishes only when someone waits, so
/// an uncontended miss sends no message to the namespace's processes.
enum LeaseScripts {
    /// `KEYS[1]` the lease, `KEYS[2]` the entry's exact-tier key;
    /// `ARGV[1]` a fresh token, `ARGV[2]` the lease's lifetime in ms.
    /// Returns 2 if the entry exists (stored since the caller looked),
    /// 1 if the lease is now the caller's, 0 if another holds it (and marks
    /// it as waited for).
    static let claim = RedisScript(
        """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        redis.call('APPEND', KEYS[1], '+')
        return 0
        """)

    /// `KEYS[1]` the lease; `ARGV[1]` the holder's token, `ARGV[2]` the
    /// namespace's channel, `ARGV[3]` the message telling waiters. Deletes
    /// the lease only if the token still holds it (an expired lease may
    /// have been claimed by another process since), publishing if it was
    /// waited for; returns 1 if it deleted it.
    static let release = RedisScript(
        """
        local held = redis.call('GET', KEYS[1])
        if not held or string.sub(held, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        if #held > #ARGV[1] then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
        return 1
        """)
}
