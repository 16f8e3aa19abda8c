/// The Lua scripts of the Redis tiers; each runs atomically on the server.
enum RedisScripts {
    /// KEYS[1] the entry, KEYS[2..] its tag sets; ARGV[1] the frame, ARGV[2]
    /// the TTL in ms (0: none). Writes the entry and its tag memberships in
    /// one step; a tag set lives as long as its longest-lived member.
    static let storeWithTags = RedisScript(
        """
        local ttl = tonumber(ARGV[2])
        if ttl > 0 then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
        else
          redis.call('SET', KEYS[1], ARGV[1])
        end
        for i = 2, #KEYS do
          local existed = redis.call('EXISTS', KEYS[i])
          redis.call('SADD', KEYS[i], KEYS[1])
          if ttl == 0 then
            redis.call('PERSIST', KEYS[i])
          else
            local left = redis.call('PTTL', KEYS[i])
            if existed == 0 or (left >= 0 and left < ttl) then
              redis.call('PEXPIRE', KEYS[i], ttl)
            end
          end
        end
        return 1
        """)

    /// KEYS: tag sets. Removes every member of each set and the set itself;
    /// returns how many members still existed.
    static let invalidateTags = RedisScript(
        """
        local removed = 0
        for k = 1, #KEYS do
          local members = redis.call('SMEMBERS', KEYS[k])
          for i = 1, #members, 500 do
            removed = removed + redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
          end
          redis.call('UNLINK', KEYS[k])
        end
        return removed
        """)
}
