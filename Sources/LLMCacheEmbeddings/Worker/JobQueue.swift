/// The encoder thread's bounded first-in-first-out queue of jobs, counted in
/// texts (a text is what a forward pass costs), with no locking of its own.
///
/// Bounded because an unbounded queue turns overload into ever-growing
/// latency: callers would wait behind work they have long stopped waiting
/// for. Removal by identity lets a cancelled caller take its job back out.
struct JobQueue {
    /// The most texts waiting at once; a single call larger than this is
    /// still admitted into an empty queue, so a big batch is never refused
    /// outright.
    let maxTexts: Int
    private(set) var jobs: [EmbeddingJob] = []
    /// Texts in `jobs`.
    private(set) var texts = 0

    init(maxTexts: Int) {
        self.maxTexts = maxTexts
    }

    var isEmpty: Bool { jobs.isEmpty }

    /// Appends `job` if it fits under the bound; false if it does not.
    mutating func admit(_ job: EmbeddingJob) -> Bool {
        guard jobs.isEmpty || texts + job.texts.count <= maxTexts else { return false }
        jobs.append(job)
        texts += job.texts.count
        return true
    }

    /// Takes `job` out if it is still waiting; false if it is not here.
    mutating func remove(_ job: EmbeddingJob) -> Bool {
        guard let index = jobs.firstIndex(where: { $0 === job }) else { return false }
        jobs.remove(at: index)
        texts -= job.texts.count
        return true
    }

    /// The jobs of the next forward pass, oldest first: as many whole jobs as
    /// fit in `limit` texts, or the oldest job alone if it is larger. Stops at
    /// the first job that does not fit, so no caller is overtaken.
    mutating func takeBatch(limit: Int) -> [EmbeddingJob] {
        var count = 0
        var taken = 0
        while taken < jobs.count, taken == 0 || count + jobs[taken].texts.count <= limit {
            count += jobs[taken].texts.count
            taken += 1
        }
        let batch = Array(jobs.prefix(taken))
        jobs.removeFirst(taken)
        texts -= count
        return batch
    }
}
