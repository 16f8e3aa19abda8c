internal import CLLMCacheKernels

extension MiniLMEmbedder {
    /// How the encoder keeps its dense-layer weights (42 MB in float32, and
    /// nearly all of a forward pass's time): the one setting that changes the
    /// vectors, always within cosine 0.9999 of sentence-transformers' own.
    ///
    /// A struct rather than an enum, so further precisions can be added
    /// without breaking callers who switch over these.
    public struct WeightPrecision: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case automatic
            case float32
            case bfloat16
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// ``bfloat16`` where the CPU runs it, else ``float32``: the fastest
        /// setting, and still within cosine 0.9999 of the reference. The
        /// default.
        public static var automatic: Self { .init(.automatic) }
        /// The weights as the model file stores them: the reference vectors
        /// to float rounding (cosine ≥ 0.99999), on any CPU. For callers who
        /// want the closest vectors rather than the fastest, or vectors
        /// identical across machines with and without AVX512-BF16.
        public static var float32: Self { .init(.float32) }
        /// Weights rounded to bfloat16 at load time and multiplied with the
        /// AVX512-BF16 dot-product instruction (AMD Zen 4 and later, Intel
        /// Cooper Lake and Sapphire Rapids and later): half the weight memory
        /// (21 MB) and products about twice as fast, so a short question
        /// embeds in about half the time. Each product's inputs are rounded
        /// to bfloat16 too (sums stay float32); the vectors keep cosine
        /// ≥ 0.9999 to the reference (worst 0.99996 over the reference
        /// texts). On other CPUs creating the embedder throws
        /// ``EmbeddingError/Code/unsupportedCPU``.
        public static var bfloat16: Self { .init(.bfloat16) }

        public var description: String { base.rawValue }

        /// The kernels that give this precision on this CPU.
        func kernels() throws(EmbeddingError) -> KernelSet {
            switch base {
            case .automatic:
                return KernelSet.best
            case .float32:
                return KernelSet.bestFloat32
            case .bfloat16:
                guard llmk_avx512_bf16_available() != 0 else {
                    throw EmbeddingError(
                        .unsupportedCPU,
                        "bfloat16 weights need a CPU with AVX512-BF16 (avx512_bf16 in /proc/cpuinfo), which this "
                            + "one lacks: use WeightPrecision.automatic or .float32")
                }
                return .avx512BF16
            }
        }
    }

    /// The precision the weights are kept in: the configured
    /// ``Configuration/weights`` with ``WeightPrecision/automatic`` resolved
    /// for this CPU (``WeightPrecision/bfloat16`` or ``WeightPrecision/float32``).
    public var weightPrecision: WeightPrecision { kernels == .avx512BF16 ? .bfloat16 : .float32 }
}
