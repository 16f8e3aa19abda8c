internal import CBLAS
internal import CLLMCacheKernels

/// A fully connected layer, `y = x · Wᵀ + b`, with `W` stored `[outputs, inputs]`
/// as PyTorch stores `nn.Linear` weights; nearly all of the encoder's time.
///
/// Several stored layers can be joined into one (the attention's query, key
/// and value projections become one 384 → 1152 product), so one pass over
/// the input feeds all three. The weights are copied out of the file at load
/// time: packed in panels for the AVX-512 kernels (float32, see `dense.c`, or
/// bfloat16, see `dense_bf16.c`), or as stored, one matrix, for OpenBLAS.
struct DenseLayer {
    /// What happens to `x · Wᵀ + b` before it is written.
    enum Epilogue {
        /// Overwrite the output.
        case store
        /// Add to the output (a residual connection into the hidden state).
        case accumulate
        /// Overwrite the output with GELU of it (the feed-forward's first half).
        case gelu

        /// The same for the packed kernels.
        var kernelMode: llmk_epilogue {
            switch self {
            case .store: LLMK_STORE
            case .accumulate: LLMK_ACCUMULATE
            case .gelu: LLMK_GELU
            }
        }
    }

    /// The weights in the layout their kernel reads.
    private enum Weights {
        /// float32 panels for `llmk_dense_avx512`.
        case packed(AlignedFloats)
        /// bfloat16 panels for `llmk_dense_bf16`.
        case packedBFloat16(AlignedBuffer<UInt16>)
        /// The stored matrix, for OpenBLAS.
        case stored(AlignedFloats)
    }

    let inputs: Int
    let outputs: Int
    private let weights: Weights
    private let bias: AlignedFloats

    /// Reads `<prefix>.weight` `[outputs, inputs]` and `<prefix>.bias`
    /// `[outputs]` for each prefix, stacking their outputs in order.
    init(
        _ file: SafeTensorsFile, _ prefixes: [String], inputs: Int, outputs: Int, kernels: KernelSet
    ) throws(EmbeddingError) {
        let total = outputs * prefixes.count
        var parts: [UnsafePointer<Float>] = []
        let bias = AlignedFloats(count: total)
        for (index, prefix) in prefixes.enumerated() {
            parts.append(try file.floats("\(prefix).weight", shape: [outputs, inputs]).baseAddress!)
            let partBias = try file.floats("\(prefix).bias", shape: [outputs])
            (bias.pointer + index * outputs).update(from: partBias.baseAddress!, count: outputs)
        }
        /// The stored matrices one after another, as one `total × inputs` matrix.
        func stacked() -> AlignedFloats {
            let copy = AlignedFloats(count: total * inputs)
            for (index, part) in parts.enumerated() {
                (copy.pointer + index * outputs * inputs).update(from: part, count: outputs * inputs)
            }
            return copy
        }
        /// The parts packed by `pack` into `count(outputs, inputs)` values.
        func packed<Element>(
            _ count: (Int32, Int32) -> Int,
            _ pack: (UnsafePointer<Float>, Int32, Int32, UnsafeMutablePointer<Element>) -> Void
        ) -> AlignedBuffer<Element> {
            let packed = AlignedBuffer<Element>(count: count(Int32(total), Int32(inputs)))
            if outputs % Int(LLMK_PANEL_WIDTH) == 0 {
                // Each part fills whole panels: pack it straight from the file.
                let partCount = count(Int32(outputs), Int32(inputs))
                for (index, part) in parts.enumerated() {
                    pack(part, Int32(outputs), Int32(inputs), packed.pointer + index * partCount)
                }
            } else {
                pack(stacked().pointer, Int32(total), Int32(inputs), packed.pointer)
            }
            return packed
        }
        switch kernels {
        case .avx512:
            weights = .packed(packed(llmk_packed_count) { llmk_pack($0, $1, $2, Int($2), 1, $3) })
        case .avx512BF16:
            weights = .packedBFloat16(packed(llmk_packed_bf16_count) { llmk_pack_bf16($0, $1, $2, Int($2), 1, $3) })
        case .portable:
            weights = .stored(stacked())
        }
        self.inputs = inputs
        self.outputs = total
        self.bias = bias
    }

    /// Panels of the packed layouts: each is one chunk of a product's work.
    private var panels: Int { (outputs + Int(LLMK_PANEL_WIDTH) - 1) / Int(LLMK_PANEL_WIDTH) }

    /// Computes `rows` rows of `input` (rows `inputStride` floats apart) into
    /// `output` (rows `outputStride` apart), split over `team`'s threads.
    func apply(
        _ input: UnsafePointer<Float>, inputStride: Int, rows: Int,
        into output: UnsafeMutablePointer<Float>, outputStride: Int, _ epilogue: Epilogue, team: ComputeTeam
    ) {
        switch weights {
        case .packed(let packed):
            team.forEach(panels) { panel, _ in
                llmk_dense_avx512(
                    input, inputStride, Int32(rows), Int32(inputs), packed.pointer, bias.pointer, Int32(outputs),
                    Int32(panel), Int32(panel + 1), output, outputStride, epilogue.kernelMode)
            }
        case .packedBFloat16(let packed):
            // A call rounds its rows to bfloat16 once for all its panels, so
            // chunks are runs of panels: few enough to round rarely, enough
            // (4 per thread) that a descheduled thread's share is taken over.
            let panels = panels
            let chunks = min(panels, 4 * team.threads)
            team.forEach(chunks) { chunk, _ in
                llmk_dense_bf16(
                    input, inputStride, Int32(rows), Int32(inputs), packed.pointer, bias.pointer, Int32(outputs),
                    Int32(panels * chunk / chunks), Int32(panels * (chunk + 1) / chunks), output, outputStride,
                    epilogue.kernelMode)
            }
        case .stored(let stored):
            // One contiguous range of outputs per thread, so each OpenBLAS
            // call is as large as possible.
            let parts = team.threads
            team.forEach(parts) { part, _ in
                let first = outputs * part / parts
                let count = outputs * (part + 1) / parts - first
                guard count > 0 else { return }
                applyBLAS(stored, input, inputStride, rows, output + first, outputStride, epilogue, first, count)
            }
        }
    }

    /// Outputs `first ..< first + count` through `cblas_sgemm`: the bias is
    /// written (or added) first, then the product is accumulated onto it.
    private func applyBLAS(
        _ weights: AlignedFloats, _ input: UnsafePointer<Float>, _ inputStride: Int, _ rows: Int,
        _ output: UnsafeMutablePointer<Float>, _ outputStride: Int, _ epilogue: Epilogue, _ first: Int, _ count: Int
    ) {
        for row in 0..<rows {
            let destination = output + row * outputStride
            if epilogue == .accumulate {
                cblas_saxpy(blasint(count), 1, bias.pointer + first, 1, destination, 1)
            } else {
                destination.update(from: bias.pointer + first, count: count)
            }
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            blasint(rows), blasint(count), blasint(inputs),
            1, input, blasint(inputStride), weights.pointer + first * inputs, blasint(inputs),
            1, output, blasint(outputStride))
        if epilogue == .gelu {
            llmk_gelu(output, Int32(rows), Int32(count), outputStride, 0)
        }
    }
}
