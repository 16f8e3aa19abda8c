#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Floats in their own page-aligned mapping: packed float32 weights,
/// concatenated biases, attention scratch.
typealias AlignedFloats = AlignedBuffer<Float>

/// Values in their own anonymous memory mapping, page-aligned (so 64-byte
/// aligned for AVX-512), owned by this object: packed weights (float32 or
/// bfloat16), concatenated biases, attention scratch.
///
/// Mapped rather than taken from malloc: these are a few large blocks, and
/// malloc would keep the memory of a released model in its arenas (one per
/// thread that packed a layer) instead of returning it to the OS.
final class AlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: filled once right after allocation (scratch: by one pass at
    // a time), read-only otherwise.
    let pointer: UnsafeMutablePointer<Element>
    let count: Int
    private let byteCount: Int

    /// Zeroed storage for `count` values.
    init(count: Int) {
        self.count = count
        byteCount = max(count, 1) * MemoryLayout<Element>.stride
        let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else {
            fatalError("cannot map \(byteCount) bytes for the encoder: \(String(cString: strerror(errno)))")
        }
        pointer = mapped.bindMemory(to: Element.self, capacity: max(count, 1))
    }

    deinit { munmap(UnsafeMutableRawPointer(pointer), byteCount) }
}
