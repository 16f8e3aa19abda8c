internal import CBLAS
internal import CLLMCacheKernels

/// A fully connected layer, `y = x · Wᵀ + b`, with `W` stored `[outputs, inputs]`
/// as PyTorch stores `nn.Linear` weights; nearly all of the encoder's time.
///
/// Several stored layers can be joined into one (the attention's query, key
/// and value projections become one 384 → 1152 product), so one pass over
/// the input feeds all three. The weights are copied out of the file at load
/// time: packed in panels for the AVX-512 kernel (see `dense.c`), or as
/// stored, one matrix, for OpenBLAS.
struct DenseLayer {
    /// What happens to `x · Wᵀ + b` before it is written.
    enum Epilogue {
        /// Overwrite the output.
        case store
        /// Add to the output (a residual connection into the hidden state).
        case accumulate
        /// Overwrite the output with GELU of it (the feed-forward's first half).
        case gelu
    }

    let inputs: Int
    let outputs: Int
    let kernels: KernelSet
    private let weights: AlignedFloats
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
        switch kernels {
        case .avx512:
            let packed = AlignedFloats(count: llmk_packed_count(Int32(total), Int32(inputs)))
            if outputs % Int(LLMK_PANEL_WIDTH) == 0 {
                // Each part fills whole panels: pack it straight from the file.
                for (index, part) in parts.enumerated() {
                    llmk_pack(part, Int32(outputs), Int32(inputs), inputs, 1, packed.pointer + index * outputs * inputs)
                }
            } else {
                llmk_pack(stacked().pointer, Int32(total), Int32(inputs), inputs, 1, packed.pointer)
            }
            weights = packed
        case .portable:
            weights = stacked()
        }
        self.inputs = inputs
        self.outputs = total
        self.kernels = kernels
        self.bias = bias
    }

    /// Computes `rows` rows of `input` (rows `inputStride` floats apart) into
    /// `output` (rows `outputStride` apart), split over `team`'s threads.
    func apply(
        _ input: UnsafePointer<Float>, inputStride: Int, rows: Int,
        into output: UnsafeMutablePointer<Float>, outputStride: Int, _ epilogue: Epilogue, team: ComputeTeam
    ) {
        switch kernels {
        case .avx512:
            let panels = (outputs + Int(LLMK_PANEL_WIDTH) - 1) / Int(LLMK_PANEL_WIDTH)
            let mode: llmk_epilogue =
                switch epilogue {
                case .store: LLMK_STORE
                case .accumulate: LLMK_ACCUMULATE
                case .gelu: LLMK_GELU
                }
            team.forEach(panels) { panel, _ in
                llmk_dense_avx512(
                    input, inputStride, Int32(rows), Int32(inputs), weights.pointer, bias.pointer, Int32(outputs),
                    Int32(panel), Int32(panel + 1), output, outputStride, mode)
            }
        case .portable:
            // One contiguous range of outputs per thread, so each OpenBLAS
            // call is as large as possible.
            let parts = team.threads
            team.forEach(parts) { part, _ in
                let first = outputs * part / parts
                let count = outputs * (part + 1) / parts - first
                guard count > 0 else { return }
                applyBLAS(input, inputStride, rows, output + first, outputStride, epilogue, first, count)
            }
        }
    }

    /// Outputs `first ..< first + count` through `cblas_sgemm`: the bias is
    /// written (or added) first, then the product is accumulated onto it.
    private func applyBLAS(
        _ input: UnsafePointer<Float>, _ inputStride: Int, _ rows: Int, _ output: UnsafeMutablePointer<Float>,
        _ outputStride: Int, _ epilogue: Epilogue, _ first: Int, _ count: Int
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
