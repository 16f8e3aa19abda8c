import CLLMCacheKernels
import Foundation
import Testing

/// The bfloat16 product against float32 products of the same rounded
/// weights, on shapes that exercise every tile size, partial panels, odd and
/// zero input counts and inputs that are not whole conversion blocks of 32.
/// Only a CPU with AVX512-BF16 runs it (elsewhere the encoder never calls it,
/// and ``MiniLMWeightPrecisionTests`` checks that asking for it fails).
@Suite("AVX512-BF16 product against float32 products", .enabled(if: cpuHasBF16, "the CPU lacks AVX512-BF16"))
struct BF16KernelTests {
    /// `value` rounded to the nearest bfloat16, ties to even, as a float.
    static func rounded(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    @Test(arguments: [(1, 40, 7), (3, 33, 64), (7, 64, 0), (13, 100, 384), (21, 32, 50), (12, 64, 1536)])
    func bf16ProductMatchesFloat32ProductsOfTheRoundedWeights(shape: (rows: Int, outputs: Int, inputs: Int)) {
        let (rows, outputs, inputs) = shape
        var numbers = KernelTests.Numbers()
        let input = numbers.array(rows * inputs)
        let weight = numbers.array(outputs * inputs)
        let bias = numbers.array(outputs)
        let start = numbers.array(rows * outputs)
        let roundedWeight = weight.map(Self.rounded)
        var packed = [UInt16](repeating: 0xFFFF, count: llmk_packed_bf16_count(Int32(outputs), Int32(inputs)))
        llmk_pack_bf16(weight, Int32(outputs), Int32(inputs), inputs, 1, &packed)
        var packedFloat32 = [Float](repeating: .nan, count: llmk_packed_count(Int32(outputs), Int32(inputs)))
        llmk_pack(roundedWeight, Int32(outputs), Int32(inputs), inputs, 1, &packedFloat32)
        let panels = Int32((outputs + Int(LLMK_PANEL_WIDTH) - 1) / Int(LLMK_PANEL_WIDTH))
        for epilogue in [LLMK_STORE, LLMK_ACCUMULATE, LLMK_GELU] {
            var output = start
            llmk_dense_bf16(
                input, inputs, Int32(rows), Int32(inputs), packed, bias, Int32(outputs), 0, panels, &output,
                outputs, epilogue)
            // The float32 kernel on the rounded weights (float32 inputs).
            var float32 = start
            llmk_dense_avx512(
                input, inputs, Int32(rows), Int32(inputs), packedFloat32, bias, Int32(outputs), 0, panels,
                &float32, outputs, epilogue)
            var worstExact = 0.0
            var worstAgainstFloat32 = 0.0
            for row in 0..<rows {
                for column in 0..<outputs {
                    // What the kernel computes: rounded inputs times rounded weights.
                    var sum = Double(bias[column])
                    // How far rounding the inputs may move the float32 product.
                    var bound = 1e-5
                    for index in 0..<inputs {
                        let x = input[row * inputs + index]
                        let w = roundedWeight[column * inputs + index]
                        sum += Double(Self.rounded(x)) * Double(w)
                        bound += abs(Double(x) * Double(w)) / 256
                    }
                    if epilogue == LLMK_ACCUMULATE { sum += Double(start[row * outputs + column]) }
                    if epilogue == LLMK_GELU { sum = KernelTests.gelu(sum) }
                    let value = Double(output[row * outputs + column])
                    worstExact = max(worstExact, abs(sum - value))
                    worstAgainstFloat32 = max(
                        worstAgainstFloat32, abs(value - Double(float32[row * outputs + column])) / bound)
                }
            }
            let label = "rows \(rows) outputs \(outputs) inputs \(inputs) epilogue \(epilogue.rawValue)"
            #expect(worstExact < 1e-4, "\(label): \(worstExact) from the exact product of rounded values")
            #expect(worstAgainstFloat32 <= 1, "\(label): \(worstAgainstFloat32) × the input-rounding bound")
        }
    }

    /// Ties go to the even bfloat16, as `vcvtne2ps2bf16` rounds the inputs.
    @Test func packingRoundsToNearestEven() {
        // 1 + 2⁻⁸ is halfway between 1 and 1 + 2⁻⁷ (even: 1); 1 + 3·2⁻⁸ is
        // halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶ (even: 1 + 2⁻⁶); just above a tie rounds up.
        let values: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-8 + 0x1p-20, -(1 + 0x1p-8)]
        let expected: [UInt16] = [0x3F80, 0x3F82, 0x3F81, 0xBF80]
        var packed = [UInt16](repeating: 0xFFFF, count: llmk_packed_bf16_count(Int32(values.count), 1))
        llmk_pack_bf16(values, Int32(values.count), 1, 1, 1, &packed)
        // One input (paired with a zero): output j's weight is at 2j.
        let weights: [UInt16] = (0..<values.count).map { packed[2 * $0] }
        let padding: [UInt16] = (0..<values.count).map { packed[2 * $0 + 1] }
        #expect(weights == expected)
        #expect(padding == [0, 0, 0, 0])
    }
}
