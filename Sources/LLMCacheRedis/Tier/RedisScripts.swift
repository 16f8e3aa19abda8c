/// The Lua scripts of the Redis tiers; each runs atomically on the server.
///
/// Tag sets hold plain keys (exact entries, RediSearch documents) or index
/// records `payload|container|element` (vector-set and LSH entries), so that
/// one invalidation removes an answer together with its vector.
enum RedisScripts {
    /// Lua helpers shared by the scripts below.
    ///
    /// `setAnswer(key, value, ttl)` writes a key expiring after `ttl` ms (0: never).
    /// `stale(first)` reads the ``StoreFence`` layout whose tag sets start at
    /// `KEYS[first]`: true if the entry's namespace version is no longer
    /// current, or a flush or one of its tags was invalidated after the mark.
    /// `tag(first, record, ttl)` adds `record` to those tag sets; a tag set
    /// lives as long as its longest-lived member. `extendTags(first, ttl)`
    /// makes the existing sets `KEYS[first...]` live at least `ttl` ms more.
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
        local function stale(first)
          local n, mark, version = tonumber(ARGV[#ARGV - 2]), ARGV[#ARGV - 1], ARGV[#ARGV]
          if mark == '' then return false end
          if (redis.call('GET', KEYS[first + n]) or '0') ~= version then return true end
          local m = tonumber(mark)
          for i = first + n + 1, first + 2 * n + 1 do
            local at = redis.call('GET', KEYS[i])
            if at and tonumber(at) > m then return true end
          end
          return false
        end
        local function tag(first, record, ttl)
          for i = first, first + tonumber(ARGV[#ARGV - 2]) - 1 do
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
        local function extendTags(first, ttl)
          for i = first, #KEYS do
            local left = redis.call('PTTL', KEYS[i])
            if left >= 0 and left < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
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

    /// KEYS[1] the entry, then a ``StoreFence``; ARGV[1] the stored value,
    /// ARGV[2] the TTL in ms (0: none), then the fence's. Writes the entry
    /// and its tag memberships in one step unless the fence says the answer
    /// is stale; returns 1 if written, 0 if refused.
    static let storeEntry = RedisScript(
        helpers + """
            if stale(2) then return 0 end
            local ttl = tonumber(ARGV[2])
            setAnswer(KEYS[1], ARGV[1], ttl)
            tag(2, KEYS[1], ttl)
            return 1
            """)

    /// KEYS[1] the invalidation counter, KEYS[2] the semantic expiry index,
    /// KEYS[3..2+n] the tag sets, KEYS[3+n..2+2n] the tags' fence keys. ARGV:
    /// channel, message, fence window ms. Moves the counter, records it as
    /// each tag's fence (so stores of answers computed before now are
    /// refused), removes every member of each set (with its vector) and the
    /// set, and publishes the message from inside the same step, so the
    /// other processes hear of every invalidation that happened. Returns how
    /// many answers still existed.
    static let invalidateTags = RedisScript(
        helpers + """
            local epoch = redis.call('INCR', KEYS[1])
            local n = (#KEYS - 2) / 2
            local removed = 0
            for k = 3, 2 + n do
              redis.call('SET', KEYS[k + n], epoch, 'PX', ARGV[3])
              for _, record in ipairs(redis.call('SMEMBERS', KEYS[k])) do
                removed = removed + drop(record, KEYS[2])
              end
              redis.call('UNLINK', KEYS[k])
            end
            redis.call('PUBLISH', ARGV[1], ARGV[2])
            return removed
            """)

    /// KEYS[1] the invalidation counter, KEYS[2] the flush fence. Moves the
    /// counter and records it as the flush fence: answers computed before
    /// now are refused from here on. Returns the counter.
    static let fenceFlush = RedisScript(
        """
        local epoch = redis.call('INCR', KEYS[1])
        redis.call('SET', KEYS[2], epoch)
        return epoch
        """)

    /// KEYS[1] the version counter; ARGV: channel, then the version message
    /// around the number (prefix, suffix). Moves to a new version and
    /// publishes it in the same step; returns the new version.
    static let bumpVersion = RedisScript(
        """
        local version = redis.call('INCR', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2] .. version .. ARGV[3])
        return version
        """)

    /// KEYS[1] a stored entry, KEYS[2..] its tag sets; ARGV[1] TTL ms,
    /// ARGV[2] the new expiry (see `SlidingFrame`). Moves a sliding entry's
    /// expiry, in the key's TTL and in the value, and keeps its tag sets at
    /// least as long; nothing if the entry is gone. Returns 1 if touched.
    static let touchEntry = RedisScript(
        helpers + """
            if redis.call('GETRANGE', KEYS[1], 0, 0) ~= '\\203' then return 0 end
            local ttl = tonumber(ARGV[1])
            redis.call('SETRANGE', KEYS[1], 1, ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ttl)
            extendTags(2, ttl)
            return 1
            """)

    /// KEYS[1] the answer, KEYS[2] the LSH bucket or vector set, KEYS[3] the
    /// expiry index, then a ``StoreFence``. ARGV: stored value, TTL ms (0:
    /// none), FP32 vector for the LSH bucket (empty for a vector set: `VADD
    /// … CAS` adds it afterwards, so that the slow graph insert runs on the
    /// server's threads, not in here), element, record, expiry score, then
    /// the fence's. Returns 1 if written, 0 if the fence refused it.
    static let storeIndexed = RedisScript(
        helpers + """
            if stale(4) then return 0 end
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

    /// KEYS[1] a RediSearch document, then a ``StoreFence``. ARGV: TTL ms
    /// (0: none), the document's field/value pairs, then the fence's.
    /// Returns 1 if written, 0 if the fence refused it.
    static let storeDocument = RedisScript(
        helpers + """
            if stale(2) then return 0 end
            local ttl = tonumber(ARGV[1])
            redis.call('UNLINK', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 2, #ARGV - 3))
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

    /// KEYS[1] an answer, KEYS[2] the expiry index, KEYS[3..] its tag sets;
    /// ARGV: TTL ms, record, expiry score, the new expiry (see
    /// `SlidingFrame`). Moves a sliding entry's expiry in the key's TTL, the
    /// value and the expiry index (which the sweep reads, so the vector
    /// stays as long as the answer), and keeps its tag sets at least as long.
    static let touchRecord = RedisScript(
        helpers + """
            if redis.call('GETRANGE', KEYS[1], 0, 0) ~= '\\203' then return 0 end
            local ttl = tonumber(ARGV[1])
            redis.call('SETRANGE', KEYS[1], 1, ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[2])
            extendTags(3, ttl)
            return 1
            """)

    /// KEYS[1] a RediSearch document, KEYS[2..] its tag sets; ARGV: TTL ms,
    /// the stored value with its new expiry. Moves a sliding entry's expiry
    /// (the whole value is rewritten: hash fields have no `SETRANGE`).
    static let touchDocument = RedisScript(
        helpers + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            local ttl = tonumber(ARGV[1])
            redis.call('HSET', KEYS[1], 'p', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ttl)
            extendTags(2, ttl)
            return 1
            """)
}
