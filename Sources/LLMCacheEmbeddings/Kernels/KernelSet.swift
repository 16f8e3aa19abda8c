#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CBLAS
internal import CLLMCacheKernels

/// Which implementation of the encoder's inner loops a model uses.
///
/// Both give the reference vectors (cosine ≥ 0.9999); they differ in speed
/// and in where they run. Chosen once per encoder, at load time, because the
/// weights are laid out for one or the other.
enum KernelSet: Sendable {
    /// The C kernels compiled for AVX-512: products over weights packed at
    /// load time, fused GELU, vectorised attention and normalisation.
    case avx512
    /// Any CPU: OpenBLAS for the dense products (on the weights as stored)
    /// and the kernels' portable C for the rest.
    case portable

    /// The fastest set this CPU runs.
    static let best: KernelSet = llmk_avx512_available() != 0 ? .avx512 : .portable

    /// The `avx512` argument of the C kernels.
    var usesAVX512: Int32 { self == .avx512 ? 1 : 0 }

    /// Makes OpenBLAS compute each product on its caller's thread: the
    /// encoder splits products across its own ``ComputeTeam``, and OpenBLAS
    /// threads on top of those would fight them for the same cores. Process-
    /// wide and set once, before the first portable product.
    static let singleThreadedBLAS: Void = openblas_set_num_threads(1)
}

/// Floats in their own anonymous memory mapping, page-aligned (so 64-byte
/// aligned for AVX-512), owned by this object: packed weights, concatenated
/// biases, attention scratch.
///
/// Mapped rather than taken from malloc: these are a few large blocks, and
/// malloc would keep the memory of a released model in its arenas (one per
/// thread that packed a layer) instead of returning it to the OS.
final class AlignedFloats: @unchecked Sendable {
    // @unchecked: filled once right after allocation (scratch: by one pass at
    // a time), read-only otherwise.
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    private let byteCount: Int

    /// Zeroed storage for `count` floats.
    init(count: Int) {
        self.count = count
        byteCount = max(count, 1) * MemoryLayout<Float>.stride
        let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else {
            fatalError("cannot map \(byteCount) bytes for the encoder: \(String(cString: strerror(errno)))")
        }
        pointer = mapped.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { munmap(UnsafeMutableRawPointer(pointer), byteCount) }
}
