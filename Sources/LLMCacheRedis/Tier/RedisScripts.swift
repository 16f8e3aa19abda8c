/// The Lua scripts of the Redis tiers; each runs atomically on the server.
///
/// Tag sets hold plain keys (exact entries, RediSearch documents) or index
/// records `payload|container|element` (vector-set and LSH entries), so that
/// one invalidation removes an answer together with its vector.
enum RedisScripts {
    /// Lua helpers shared by the scripts below.
    ///
    /// `setAnswer(key, value, ttl)` writes a key expiring after `ttl` ms (0: never).
    /// `tag(record, ttl)` adds `record` to the tag sets `KEYS[firstTag...]`;
    /// a tag set lives as long as its longest-lived member.
    /// `drop(record, expiry)` removes a key or an index record (answer,
    /// vector, expiry entry); returns 1 if the answer still existed.
    private static let helpers = """
        local function setAnswer(key, value, ttl)
          if ttl > 0 then
            redis.call('SET', key, value, 'PX', ttl)
          else
            redis.call('SET', key, value)
          end
        end
        local function tag(firstTag, record, ttl)
          for i = firstTag, #KEYS do
            local existed = redis.call('EXISTS', KEYS[i])
            redis.call('SADD', KEYS[i], record)
            if ttl == 0 then
              redis.call('PERSIST', KEYS[i])
            else
              local left = redis.call('PTTL', KEYS[i])
              if existed == 0 or (left >= 0 and left < ttl) then
                redis.call('PEXPIRE', KEYS[i], ttl)
              end
            end
          end
        end
        local function drop(record, expiry)
          local first = string.find(record, '|', 1, true)
          if not first then return redis.call('UNLINK', record) end
          local second = string.find(record, '|', first + 1, true)
          local container = string.sub(record, first + 1, second - 1)
          local element = string.sub(record, second + 1)
          local removed = redis.call('UNLINK', string.sub(record, 1, first - 1))
          if string.find(container, ':vs:', 1, true) then
            redis.call('VREM', container, element)
          else
            redis.call('HDEL', container, element)
          end
          redis.call('ZREM', expiry, record)
          return removed
        end

        """

    /// KEYS[1] the entry, KEYS[2..] its tag sets; ARGV[1] the frame, ARGV[2]
    /// the TTL in ms (0: none). Writes the entry and its tag memberships in one step.
    static let storeWithTags = RedisScript(
        helpers + """
            local ttl = tonumber(ARGV[2])
            setAnswer(KEYS[1], ARGV[1], ttl)
            tag(2, KEYS[1], ttl)
            return 1
            """)

    /// KEYS: tag sets; ARGV[1] the semantic expiry index. Removes every member
    /// of each set (with its vector) and the set; returns how many answers
    /// still existed.
    static let invalidateTags = RedisScript(
        helpers + """
            local removed = 0
            for k = 1, #KEYS do
              for _, record in ipairs(redis.call('SMEMBERS', KEYS[k])) do
                removed = removed + drop(record, ARGV[1])
              end
              redis.call('UNLINK', KEYS[k])
            end
            return removed
            """)

    /// KEYS[1] the answer, KEYS[2] the LSH bucket or vector set, KEYS[3] the
    /// expiry index, KEYS[4..] tag sets. ARGV: frame, TTL ms (0: none), FP32
    /// vector for the LSH bucket (empty for a vector set: `VADD … CAS` adds
    /// it afterwards, so that the slow graph insert runs on the server's
    /// threads, not in here), element, record, expiry score.
    static let storeIndexed = RedisScript(
        helpers + """
            local ttl = tonumber(ARGV[2])
            setAnswer(KEYS[1], ARGV[1], ttl)
            if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[3]) end
            redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
            tag(4, ARGV[5], ttl)
            return 1
            """)

    /// KEYS[1] the answer, KEYS[2] the expiry index; ARGV[1] an index record.
    /// Runs after a vector set's `VADD`: an invalidation or expiry between
    /// the store script and the `VADD` found no vector to remove, so if the
    /// answer is gone the vector goes now. Returns 1 if it was dropped.
    static let dropUnanswered = RedisScript(
        helpers + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            drop(ARGV[1], KEYS[2])
            return 1
            """)

    /// KEYS[1] a RediSearch document, KEYS[2..] tag sets. ARGV: TTL ms (0:
    /// none), then the document's field/value pairs.
    static let storeDocument = RedisScript(
        helpers + """
            local ttl = tonumber(ARGV[1])
            redis.call('UNLINK', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
            tag(2, KEYS[1], ttl)
            return 1
            """)

    /// KEYS[1] a vector set, KEYS[2] the expiry index. ARGV: FP32 vector,
    /// count, EF, lowest score, answer key prefix. Returns element, score and
    /// answer of up to `count` neighbours at or above the score whose answer
    /// still exists; neighbours whose answer is gone are removed on the way.
    static let searchVectorSet = RedisScript(
        helpers + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
            local found = redis.call('VSIM', KEYS[1], 'FP32', ARGV[1], 'WITHSCORES', 'COUNT', ARGV[2], 'EF', ARGV[3])
            local lowest = tonumber(ARGV[4])
            local out = {}
            for i = 1, #found, 2 do
              if tonumber(found[i + 1]) < lowest then break end
              local answerKey = ARGV[5] .. found[i]
              local frame = redis.call('GET', answerKey)
              if frame then
                table.insert(out, found[i]); table.insert(out, found[i + 1]); table.insert(out, frame)
              else
                drop(answerKey .. '|' .. KEYS[1] .. '|' .. found[i], KEYS[2])
              end
            end
            return out
            """)

    /// KEYS: LSH buckets. Returns, per bucket, its element/vector pairs as one array.
    static let readBuckets = RedisScript(
        """
        local out = {}
        for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
        return out
        """)

    /// KEYS[1] the expiry index; ARGV: records. Removes each record's answer and vector.
    static let dropRecords = RedisScript(
        helpers + """
            for i = 1, #ARGV do drop(ARGV[i], KEYS[1]) end
            return #ARGV
            """)

    /// KEYS[1] the expiry index; ARGV[1] now in ms, ARGV[2] the most records
    /// to remove. Removes vectors whose answers have expired; returns how many.
    static let sweep = RedisScript(
        helpers + """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
            for _, record in ipairs(due) do drop(record, KEYS[1]) end
            return #due
            """)

    /// KEYS[1] an answer, KEYS[2] the expiry index; ARGV: TTL ms, record,
    /// expiry score. Moves a sliding entry's expiry.
    static let touchRecord = RedisScript(
        """
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[2])
        return 1
        """)
}
