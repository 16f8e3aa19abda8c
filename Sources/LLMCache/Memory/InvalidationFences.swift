/// The invalidation history an in-process tier needs to fence its stores
/// (see ``InvalidationMark``): a counter moved by every invalidation, the
/// counter value at which each tag was last invalidated, and a floor below
/// which every mark is refused (a flush, or tags forgotten to stay small).
/// Not thread-safe: the owning tier keeps it under its lock.
struct InvalidationFences {
    /// How many invalidated tags are remembered; past that the history is
    /// dropped and the floor raised, which refuses every older mark: safe,
    /// at the price of not storing answers computed across the reset.
    static let maximumTrackedTags = 4096

    private(set) var epoch: UInt64 = 0
    private var tagEpochs: [String: UInt64] = [:]
    private var floor: UInt64 = 0

    /// A mark for a computation starting now.
    var mark: InvalidationMark { InvalidationMark(epoch: epoch) }

    mutating func invalidate(tags: Set<String>) {
        guard !tags.isEmpty else { return }
        epoch += 1
        if tagEpochs.count + tags.count > Self.maximumTrackedTags {
            invalidateAll()
            return
        }
        for tag in tags { tagEpochs[tag] = epoch }
    }

    /// Everything stored so far is gone (a flush, a new namespace version).
    mutating func invalidateAll() {
        epoch += 1
        floor = epoch
        tagEpochs = [:]
    }

    /// Whether an entry with `tags`, computed after `mark` was taken, may be stored.
    func allows(tags: Set<String>, since mark: InvalidationMark?) -> Bool {
        guard let mark else { return true }
        guard floor <= mark.epoch else { return false }
        return tags.allSatisfy { (tagEpochs[$0] ?? 0) <= mark.epoch }
    }
}
