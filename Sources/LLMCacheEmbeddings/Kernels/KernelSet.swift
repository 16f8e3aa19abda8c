internal import CBLAS
internal import CLLMCacheKernels

/// Which implementation of the encoder's inner loops a model uses.
///
/// All give the reference vectors (cosine ≥ 0.9999); they differ in speed,
/// memory and where they run. Chosen once per encoder, at load time, because
/// the weights are laid out for one or the other.
enum KernelSet: Sendable {
    /// The C kernels compiled for AVX-512: products over float32 weights
    /// packed at load time, fused GELU, vectorised attention and normalisation.
    case avx512
    /// ``avx512`` with the products over bfloat16 weights (`vdpbf16ps`, CPUs
    /// with AVX512-BF16): half the weight memory and about twice the product
    /// speed, for vectors within bfloat16 rounding of the float32 ones.
    case avx512BF16
    /// Any CPU: OpenBLAS for the dense products (on the weights as stored)
    /// and the kernels' portable C for the rest.
    case portable

    /// The fastest set this CPU runs.
    static let best: KernelSet = llmk_avx512_bf16_available() != 0 ? .avx512BF16 : bestFloat32

    /// The fastest set with float32 weights this CPU runs.
    static let bestFloat32: KernelSet = llmk_avx512_available() != 0 ? .avx512 : .portable

    /// The `avx512` argument of the C kernels (attention, GELU, normalisation).
    var usesAVX512: Int32 { self == .portable ? 0 : 1 }

    /// Makes OpenBLAS compute each product on its caller's thread: the
    /// encoder splits products across its own ``ComputeTeam``, and OpenBLAS
    /// threads on top of those would fight them for the same cores. Process-
    /// wide and set once, before the first portable product.
    static let singleThreadedBLAS: Void = openblas_set_num_threads(1)
}
