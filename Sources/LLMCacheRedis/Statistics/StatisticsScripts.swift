/// The Lua scripts behind published statistics; each runs atomically, so a
/// reader never sees half a batch.
enum StatisticsScripts {
    /// Adds one batch of counter deltas from one process, once.
    ///
    /// KEYS[1] the stack hash, KEYS[2] the tier-order sorted set, KEYS[3] the
    /// instances sorted set, KEYS[4] the sequence hash, KEYS[5..] one hash per
    /// tier in the batch. ARGV: instance, batch sequence, now (ms), forget
    /// instances last seen before this (ms), the number of stack field/delta
    /// pairs and the pairs, then per tier: name, position, pair count, pairs.
    ///
    /// Every key's type is checked before anything is written, so a failure
    /// leaves no partial batch behind. A batch whose sequence the instance has
    /// already applied (a retry after a lost reply) changes nothing and
    /// returns 0; an applied batch returns 1. Deltas containing `.`, `e` or
    /// `E` are floating point (`HINCRBYFLOAT`), others integers (`HINCRBY`).
    static let publish = RedisScript(
        """
        local expected = {'hash', 'zset', 'zset', 'hash'}
        for i = 1, #KEYS do
          local found = redis.call('TYPE', KEYS[i])['ok']
          local wanted = expected[i] or 'hash'
          if found ~= 'none' and found ~= wanted then
            return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. found .. ', not a ' .. wanted)
          end
        end
        local last = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
        if last >= tonumber(ARGV[2]) then return 0 end
        local function add(key, at, pairs)
          for j = 0, pairs - 1 do
            local field, delta = ARGV[at + 2 * j], ARGV[at + 2 * j + 1]
            if string.find(delta, '[%.eE]') then
              redis.call('HINCRBYFLOAT', key, field, delta)
            else
              redis.call('HINCRBY', key, field, delta)
            end
          end
          return at + 2 * pairs
        end
        local at = add(KEYS[1], 6, tonumber(ARGV[5]))
        redis.call('HSETNX', KEYS[1], 'since', ARGV[3])
        redis.call('HINCRBY', KEYS[1], 'batches', 1)
        for k = 5, #KEYS do
          redis.call('ZADD', KEYS[2], ARGV[at + 1], ARGV[at])
          at = add(KEYS[k], at + 3, tonumber(ARGV[at + 2]))
        end
        redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
        local silent = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[4])
        if #silent > 0 then
          redis.call('HDEL', KEYS[4], unpack(silent))
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[4])
        end
        return 1
        """)

    /// KEYS[1] the stack hash, KEYS[2] the instances sorted set, KEYS[3..]
    /// tier hashes. Returns the stack hash's pairs, the instances with their
    /// scores, then each tier hash's pairs: one consistent view.
    static let read = RedisScript(
        """
        local out = {redis.call('HGETALL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')}
        for k = 3, #KEYS do out[k] = redis.call('HGETALL', KEYS[k]) end
        return out
        """)
}
