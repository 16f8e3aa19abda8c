import LLMCache

/// The keys and arguments with which a store script refuses an answer that
/// was invalidated while it was computed (see ``InvalidationMark``).
///
/// Every store script takes them in one layout, after its own keys and
/// arguments: KEYS gets the entry's tag sets, the version key, the flush
/// fence and the tags' fence keys, all of the entry's ``RedisKeyGroup``; ARGV ends with the number of tags, the
/// mark (empty: store unconditionally) and the namespace version the entry
/// belongs to. The script's Lua helpers (`stale`, `tag`) read that layout.
struct StoreFence {
    /// The entry's tag sets, then the fence keys.
    let keys: [[UInt8]]
    /// Tag count, mark, version.
    let arguments: [[UInt8]]

    /// A tag's fence while its invalidation runs: above every mark, so every
    /// store of an answer with that tag is refused (2^53, exact in Lua).
    static let hold = "9007199254740992"

    init(group: RedisKeyGroup, tags: Set<String>, version: UInt64, mark: InvalidationMark?) {
        let sorted = tags.sorted()
        keys = sorted.map(group.tagKey) + [group.versionKey, group.flushFenceKey] + sorted.map(group.tagFenceKey)
        arguments = [sorted.count.redisBytes, mark.map { Array(String($0.epoch).utf8) } ?? [], Array(String(version).utf8)]
    }
}
