import Foundation
import LLMCache
import Synchronization
internal import CLLMCacheKernels

/// The calling thread plus `threads − 1` helper threads, splitting loops of
/// independent chunks between them (fork–join).
///
/// A forward pass for one sentence is about forty loops of a few to a few
/// hundred microseconds each (a product, attention, a normalisation), so
/// waking a sleeping thread for every loop would cost as much as the loop.
/// Helpers therefore spin for a short while after each loop, ready for the
/// next, and only then sleep. Chunks are claimed one at a time from a shared
/// counter, so when the OS deschedules a helper (a loaded machine) the caller
/// simply takes more chunks instead of waiting for a fixed share.
///
/// Not a general pool: one caller at a time (the embedder's encoder thread).
/// `@unchecked Sendable`: `body` is written by the caller only while no chunk
/// is claimable, and read by a helper only after it has claimed a chunk;
/// every other field is atomic or guarded by `condition`.
final class ComputeTeam: @unchecked Sendable {
    /// Threads that compute a loop, the caller included.
    let threads: Int

    /// The current loop as one word, so a helper can never pair one loop's
    /// chunk index with another loop's count: generation (bits 40…63),
    /// chunk count (bits 20…39), next unclaimed chunk (bits 0…19).
    private let state = Atomic<Int>(0)
    /// Chunks of the current loop that have finished.
    private let finished = Atomic<Int>(0)
    /// Helpers asleep on `condition` (or about to be).
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let condition = NSCondition()
    /// The current loop's work: `(chunk, worker)`, worker 0 being the caller.
    private var body: ((Int, Int) -> Void)?

    /// How long an idle helper spins before it sleeps: longer than the gaps
    /// inside a forward pass, short against the time between requests.
    private static let spinDuration = Duration.microseconds(200)
    private static let chunkBits = 20
    private static let chunkMask = (1 << chunkBits) - 1

    /// Starts `threads − 1` helper threads (none for 1).
    init(threads: Int, name: String) {
        precondition(threads >= 1, "a team needs at least its caller")
        self.threads = threads
        for worker in 1..<max(threads, 1) {
            startThread(named: "\(name)-\(worker)") { [self] in helperLoop(worker: worker) }
        }
    }

    /// Runs `body(chunk, worker)` for every chunk in `0..<count`, spread
    /// over the team; returns when all have finished. `worker` (below
    /// ``threads``) identifies the thread, for per-thread scratch.
    func forEach(_ count: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        if count > Self.chunkMask {
            // More chunks than one loop word can count: run them in slices.
            for first in stride(from: 0, to: count, by: Self.chunkMask) {
                forEach(min(Self.chunkMask, count - first)) { chunk, worker in body(first + chunk, worker) }
            }
            return
        }
        guard count > 1, threads > 1, !stopping.load(ordering: .relaxed) else {
            for chunk in 0..<count { body(chunk, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            self.body = body
            finished.store(0, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> (2 * Self.chunkBits)) &+ 1
            let word = (generation & 0xFF_FFFF) << (2 * Self.chunkBits) | count << Self.chunkBits
            state.store(word, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            work(generation: word >> (2 * Self.chunkBits), worker: 0)
            var spins = 0
            while finished.load(ordering: .acquiring) < count {
                spins += 1
                if spins & 1023 == 0 { sched_yield() } else { llmk_spin_pause() }
            }
            // No helper holds the closure now: each one released it before
            // counting its chunk as finished.
            self.body = nil
        }
    }

    /// Lets the helpers exit once they are idle. Loops run afterwards
    /// complete on the caller alone.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Claims and runs chunks of loop `generation` until none are left.
    private func work(generation: Int, worker: Int) {
        while true {
            let word = state.load(ordering: .acquiring)
            let chunk = word & Self.chunkMask
            guard word >> (2 * Self.chunkBits) == generation, chunk < (word >> Self.chunkBits) & Self.chunkMask
            else { return }
            guard state.compareExchange(expected: word, desired: word + 1, ordering: .acquiringAndReleasing).exchanged
            else { continue }
            run(chunk: chunk, worker: worker)
            finished.add(1, ordering: .releasing)
        }
    }

    /// Kept out of line so the helper's reference to `body` ends before the
    /// chunk counts as finished (see the end of ``forEach(_:_:)``).
    @inline(never)
    private func run(chunk: Int, worker: Int) {
        body?(chunk, worker)
    }

    private func helperLoop(worker: Int) {
        var seen = 0
        while !stopping.load(ordering: .relaxed) {
            let generation = waitForLoop(after: seen)
            guard let generation else { return }
            seen = generation
            work(generation: generation, worker: worker)
        }
    }

    /// The generation of the next loop after `seen`, or nil when stopping:
    /// spins for ``spinDuration``, then sleeps until woken.
    private func waitForLoop(after seen: Int) -> Int? {
        func current() -> Int { state.load(ordering: .acquiring) >> (2 * Self.chunkBits) }
        let deadline = ContinuousClock.now + Self.spinDuration
        var spins = 0
        while current() == seen {
            if stopping.load(ordering: .relaxed) { return nil }
            spins += 1
            if spins & 255 == 0, ContinuousClock.now > deadline {
                condition.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while state.load(ordering: .sequentiallyConsistent) >> (2 * Self.chunkBits) == seen
                    && !stopping.load(ordering: .sequentiallyConsistent)
                {
                    condition.wait()
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                condition.unlock()
                if stopping.load(ordering: .relaxed) { return nil }
            } else {
                llmk_spin_pause()
            }
        }
        return current()
    }
}
