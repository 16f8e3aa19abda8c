/// The Lua scripts of the Redis tiers; each runs atomically on the server.
///
/// Tag sets hold plain keys (exact entries, RediSearch documents) or index
/// records (vector-set and LSH entries, see `IndexRecord`), so that one
/// invalidation removes an answer together with its vector. Every key a
/// script reads or writes is passed in `KEYS` (scripts never take a record
/// apart to find keys), as Redis Cluster requires; the one exception is the
/// vector-set search, which reads the answers of the neighbours it finds
/// (`searchVectorSet`).
enum RedisScripts {
    /// Lua helpers shared by the scripts below.
    ///
    /// `setAnswer(key, value, ttl)` writes a key expiring after `ttl` ms (0: never).
    /// `stale(first)` reads the ``StoreFence`` layout whose tag sets start at
    /// `KEYS[first]`: true if one of the entry's tags is being invalidated
    /// right now (even without a mark), or, with a mark, if the entry's
    /// namespace version is older than the group's (newer is accepted: a
    /// cluster's group copies follow a bump a moment later), or a flush or one of its tags
    /// was invalidated after the mark.
    /// `tag(first, record, ttl)` adds `record` to those tag sets; a tag set
    /// lives as long as its longest-lived member. `extendTags(first, ttl)`
    /// makes the existing sets `KEYS[first...]` live at least `ttl` ms more
    /// (0: for ever); `expireIn(key, ttl)` sets a key's TTL (0: none).
    /// `dropEntries(expiry, firstKey, firstArg, count, dueAt)` removes the
    /// `count` entries laid out as `EntryRemoval` says from `KEYS[firstKey]`
    /// and `ARGV[firstArg]` (an index record with its answer, vector and
    /// expiry record; with `dueAt`, only if its expiry record is due by
    /// then); returns how many answers still existed and how many it removed.
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
          local fences = {}
          for i = first + n + 1, first + 2 * n + 1 do
            fences[i] = redis.call('GET', KEYS[i])
            if fences[i] == '\(StoreFence.hold)' then return true end
          end
          if mark == '' then return false end
          if tonumber(redis.call('GET', KEYS[first + n]) or '0') > tonumber(version) then return true end
          local m = tonumber(mark)
          for i = first + n + 1, first + 2 * n + 1 do
            if fences[i] and tonumber(fences[i]) > m then return true end
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
        local function expireIn(key, ttl)
          if ttl == 0 then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, ttl) end
        end
        local function extendTags(first, ttl)
          for i = first, #KEYS do
            local left = redis.call('PTTL', KEYS[i])
            if left >= 0 and (ttl == 0 or left < ttl) then expireIn(KEYS[i], ttl) end
          end
        end
        local function dropEntries(expiry, firstKey, firstArg, count, dueAt)
          local k, removed, dropped = firstKey, 0, 0
          for i = firstArg, firstArg + 3 * count - 1, 3 do
            local kind, member, element = ARGV[i], ARGV[i + 1], ARGV[i + 2]
            local due = true
            if kind ~= 'k' and dueAt ~= '' then
              local score = redis.call('ZSCORE', expiry, member)
              due = score ~= false and tonumber(score) <= tonumber(dueAt)
            end
            if due then
              removed = removed + redis.call('UNLINK', KEYS[k])
              dropped = dropped + 1
              if kind == 'v' then
                redis.call('VREM', KEYS[k + 1], element)
              elseif kind == 'h' then
                redis.call('HDEL', KEYS[k + 1], element)
              end
              if kind ~= 'k' then redis.call('ZREM', expiry, member) end
            end
            if kind == 'k' then k = k + 1 else k = k + 2 end
          end
          return removed, dropped
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

    /// KEYS[1] the group's semantic expiry index, KEYS[2..1+n] the group's
    /// tag sets, KEYS[2+n..1+2n] the tags' fence keys, then the members'
    /// keys (`EntryRemoval`). ARGV: channel, message (empty: publish
    /// nothing), fence window ms, n, the member count, the invalidation's
    /// counter value, then the members' arguments.
    ///
    /// The members were read before the call by `holdTags` (their keys must
    /// be declared); if a tag set now lists one that was not passed (a store
    /// made without a mark), nothing is done and -1 comes back, for the
    /// caller to read again. Otherwise it records the counter value as each
    /// tag's fence (so stores of answers computed before the invalidation
    /// are refused), removes every member (with its vector) and the sets,
    /// and publishes the message from inside the same step, so the other
    /// processes hear of every invalidation that happened. Returns how many
    /// answers still existed.
    static let invalidateTags = RedisScript(
        helpers + """
            local n, count, epoch = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
            local declared = {}
            for i = 7, 6 + 3 * count, 3 do declared[ARGV[i + 1]] = true end
            for k = 2, 1 + n do
              for _, member in ipairs(redis.call('SMEMBERS', KEYS[k])) do
                if not declared[member] then return -1 end
              end
            end
            for k = 2, 1 + n do redis.call('SET', KEYS[k + n], epoch, 'PX', ARGV[3]) end
            local removed = dropEntries(KEYS[1], 2 + 2 * n, 7, count, '')
            for k = 2, 1 + n do redis.call('UNLINK', KEYS[k]) end
            if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
            return removed
            """)

    /// KEYS[1..n] the tags' fence keys, KEYS[n+1..2n] the tag sets; ARGV[1]
    /// how long the hold lasts (ms). Holds every store of an answer with one
    /// of the tags (their fence becomes higher than any mark) while the
    /// invalidation runs, so the sets stop growing; returns each set's
    /// members for `invalidateTags` to declare. If the invalidation does not
    /// complete, the hold lapses after its time.
    static let holdTags = RedisScript(
        """
        local n = #KEYS / 2
        local members = {}
        for i = 1, n do
          redis.call('SET', KEYS[i], '\(StoreFence.hold)', 'PX', ARGV[1])
          members[i] = redis.call('SMEMBERS', KEYS[i + n])
        end
        return members
        """)

    /// KEYS[1] a counter kept by value (a group's flush fence or copy of
    /// the version); ARGV[1] a number. Raises the counter to the number,
    /// never lowers it, so that two flushes or bumps that reach a group in
    /// either order leave the later value.
    static let raise = RedisScript(
        """
        if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1])
        end
        return 1
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
            expireIn(KEYS[1], ttl)
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

    /// KEYS[1] the answer, KEYS[2] the expiry index, KEYS[3] the vector set;
    /// ARGV[1] the index record, ARGV[2] the element. Runs after a vector
    /// set's `VADD`: an invalidation or expiry between the store script and
    /// the `VADD` found no vector to remove, so if the answer is gone the
    /// vector goes now. Returns 1 if it was dropped.
    static let dropUnanswered = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('VREM', KEYS[3], ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[1])
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

    /// KEYS[1] a vector set. ARGV: FP32 vector, count, EF, lowest score,
    /// answer key prefix. Returns two arrays: element, score and answer of
    /// up to `count` neighbours at or above the score whose answer still
    /// exists, and the elements whose answer is gone (for the caller to
    /// remove). Reads the answers it finds under the prefix: the only script
    /// whose keys cannot all be known before it runs (in a cluster they
    /// share the set's slot).
    static let searchVectorSet = RedisScript(
        """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {{}, {}} end
            local found = redis.call('VSIM', KEYS[1], 'FP32', ARGV[1], 'WITHSCORES', 'COUNT', ARGV[2], 'EF', ARGV[3])
            local lowest = tonumber(ARGV[4])
            local out, dead = {}, {}
            for i = 1, #found, 2 do
              if tonumber(found[i + 1]) < lowest then break end
              local frame = redis.call('GET', ARGV[5] .. found[i])
              if frame then
                table.insert(out, found[i]); table.insert(out, found[i + 1]); table.insert(out, frame)
              else
                table.insert(dead, found[i])
              end
            end
            return {out, dead}
            """)

    /// KEYS: LSH buckets. Returns, per bucket, its element/vector pairs as one array.
    static let readBuckets = RedisScript(
        """
        local out = {}
        for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
        return out
        """)

    /// KEYS[1] the expiry index, then the entries' keys (`EntryRemoval`);
    /// ARGV: a time in ms or empty, the entry count, the entries'
    /// arguments. Removes each entry's answer, vector and expiry record; with
    /// a time, only entries whose expiry record is due by then (the sweep,
    /// which read them a moment earlier). Returns how many it removed.
    static let dropEntries = RedisScript(
        helpers + """
            local _, dropped = dropEntries(KEYS[1], 2, 3, tonumber(ARGV[2]), ARGV[1])
            return dropped
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
            expireIn(KEYS[1], ttl)
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
            expireIn(KEYS[1], ttl)
            extendTags(2, ttl)
            return 1
            """)
}
