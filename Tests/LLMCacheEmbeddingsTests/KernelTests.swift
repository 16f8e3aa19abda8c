import CLLMCacheKernels
import Foundation
import Testing

/// Whether this CPU runs the kernels under test.
let cpuHasAVX512 = llmk_avx512_available() != 0

/// The C kernels against plain double-precision loops, on shapes the model
/// never produces: row counts that exercise every tile size (8, 4, 2, 1),
/// output counts that leave a partial panel, no inputs at all. Only a CPU
/// with AVX-512 can run them (elsewhere the encoder never calls them).
@Suite("AVX-512 kernels against plain loops", .enabled(if: cpuHasAVX512, "the CPU lacks AVX-512"))
struct KernelTests {
    /// A deterministic pseudo-random float in [-1, 1).
    struct Numbers {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
        mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
    }

    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

    @Test(arguments: [(1, 40, 7), (3, 33, 64), (7, 64, 0), (13, 100, 384), (21, 32, 50)])
    func denseMatchesPlainLoops(shape: (rows: Int, outputs: Int, inputs: Int)) {
        let (rows, outputs, inputs) = shape
        var numbers = Numbers()
        let input = numbers.array(rows * inputs)
        let weight = numbers.array(outputs * inputs)
        let bias = numbers.array(outputs)
        let start = numbers.array(rows * outputs)
        var packed = [Float](repeating: .nan, count: llmk_packed_count(Int32(outputs), Int32(inputs)))
        llmk_pack(weight, Int32(outputs), Int32(inputs), inputs, 1, &packed)
        let panels = Int32((outputs + Int(LLMK_PANEL_WIDTH) - 1) / Int(LLMK_PANEL_WIDTH))
        for epilogue in [LLMK_STORE, LLMK_ACCUMULATE, LLMK_GELU] {
            var output = start
            llmk_dense_avx512(
                input, inputs, Int32(rows), Int32(inputs), packed, bias, Int32(outputs), 0, panels, &output,
                outputs, epilogue)
            var worst = 0.0
            for row in 0..<rows {
                for column in 0..<outputs {
                    var sum = Double(bias[column])
                    for index in 0..<inputs {
                        sum += Double(input[row * inputs + index]) * Double(weight[column * inputs + index])
                    }
                    if epilogue == LLMK_ACCUMULATE { sum += Double(start[row * outputs + column]) }
                    if epilogue == LLMK_GELU { sum = Self.gelu(sum) }
                    worst = max(worst, abs(sum - Double(output[row * outputs + column])))
                }
            }
            #expect(worst < 1e-4, "rows \(rows) outputs \(outputs) inputs \(inputs) epilogue \(epilogue.rawValue)")
        }
    }

    @Test func geluIsWithinAMillionthOfTheExactOne() {
        var values = (0...40_000).map { Float($0) / 2000 - 10 }
        let exact = values.map { Self.gelu(Double($0)) }
        llmk_gelu(&values, 1, Int32(values.count), values.count, 1)
        let worst = zip(values, exact).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst < 2e-6)
    }

    @Test(arguments: [1, 5, 37, 70])
    func attentionHeadMatchesPlainLoops(tokens: Int) {
        let headSize = 64
        let stride = 3 * 2 * headSize
        var numbers = Numbers()
        let projections = numbers.array(tokens * stride)
        var context = [Float](repeating: .nan, count: tokens * headSize)
        var scratch = [Float](repeating: .nan, count: llmk_attention_scratch_count(Int32(tokens), Int32(headSize)))
        let scale: Float = 0.125
        // The second head: queries at column 64, keys and values two heads later each.
        projections.withUnsafeBufferPointer { p in
            let queries = p.baseAddress! + headSize
            llmk_attention_head_avx512(
                queries, queries + 2 * headSize, queries + 4 * headSize, stride, Int32(tokens), Int32(headSize),
                scale, &context, headSize, &scratch)
        }
        var worst = 0.0
        for query in 0..<tokens {
            var scores = (0..<tokens).map { key in
                (0..<headSize).reduce(0.0) { sum, d in
                    sum + Double(projections[query * stride + headSize + d])
                        * Double(projections[key * stride + 3 * headSize + d])
                } * Double(scale)
            }
            let maximum = scores.max()!
            scores = scores.map { exp($0 - maximum) }
            let total = scores.reduce(0, +)
            for d in 0..<headSize {
                let value = (0..<tokens).reduce(0.0) { sum, key in
                    sum + scores[key] / total * Double(projections[key * stride + 5 * headSize + d])
                }
                worst = max(worst, abs(value - Double(context[query * headSize + d])))
            }
        }
        #expect(worst < 1e-5, "tokens \(tokens)")
    }
}
