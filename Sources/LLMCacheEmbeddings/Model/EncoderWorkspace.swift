internal import CLLMCacheKernels

/// Everything a forward pass writes besides its result, kept between passes
/// so a steady stream of requests allocates nothing: the activations of the
/// batch's rows, per-thread attention scratch, and the ``ComputeTeam`` that
/// computes.
///
/// Buffers grow to the largest batch seen; past ``retainedRows`` rows they
/// are released after the pass, so one long batch does not pin ~14 KB per
/// token for the embedder's lifetime. One pass at a time: the embedder's
/// encoder thread owns it.
final class EncoderWorkspace: @unchecked Sendable {
    // @unchecked: used by one forward pass at a time; the team's helpers only
    // touch the buffers inside that pass's loops.
    let team: ComputeTeam
    /// Rows (tokens) of the current pass.
    private(set) var rows = 0
    /// `rows × hidden`: the hidden state, updated in place layer by layer.
    private(set) var hidden: UnsafeMutablePointer<Float>
    /// `rows × 3·hidden`: each token's query, key and value.
    private(set) var projections: UnsafeMutablePointer<Float>
    /// `rows × hidden`: the heads' outputs side by side.
    private(set) var context: UnsafeMutablePointer<Float>
    /// `rows × intermediate`: the feed-forward's inner activations.
    private(set) var intermediate: UnsafeMutablePointer<Float>

    /// Batches up to this many tokens keep their buffers for the next pass.
    static let retainedRows = 1024

    private let width: Int
    private let inner: Int
    private let headSize: Int
    private var capacity = 0
    private var scratch: [AlignedFloats] = []
    private var scratchTokens = 0

    init(hiddenSize: Int, intermediateSize: Int, headSize: Int, team: ComputeTeam) {
        width = hiddenSize
        inner = intermediateSize
        self.headSize = headSize
        self.team = team
        hidden = .allocate(capacity: 1)
        projections = .allocate(capacity: 1)
        context = .allocate(capacity: 1)
        intermediate = .allocate(capacity: 1)
    }

    deinit { release() }

    /// Makes room for `rows` tokens whose longest sequence has `longest`.
    func prepare(rows: Int, longest: Int) {
        if rows > capacity {
            release()
            hidden = .allocate(capacity: rows * width)
            projections = .allocate(capacity: rows * 3 * width)
            context = .allocate(capacity: rows * width)
            intermediate = .allocate(capacity: rows * inner)
            capacity = rows
        }
        if longest > scratchTokens {
            // The AVX-512 kernel's packed keys, scores and values, or the
            // portable path's scores alone.
            let count = max(llmk_attention_scratch_count(Int32(longest), Int32(headSize)), longest * longest)
            scratch = (0..<team.threads).map { _ in AlignedFloats(count: count) }
            scratchTokens = longest
        }
        self.rows = rows
    }

    /// Frees oversized buffers once a pass is done.
    func finish() {
        if capacity > Self.retainedRows {
            release()
            hidden = .allocate(capacity: 1)
            projections = .allocate(capacity: 1)
            context = .allocate(capacity: 1)
            intermediate = .allocate(capacity: 1)
            scratch = []
            scratchTokens = 0
        }
        rows = 0
    }

    /// Attention scratch of one team thread, for the longest sequence.
    func attentionScratch(worker: Int) -> UnsafeMutablePointer<Float> { scratch[worker].pointer }

    private func release() {
        for buffer in [hidden, projections, context, intermediate] { buffer.deallocate() }
        capacity = 0
    }
}
