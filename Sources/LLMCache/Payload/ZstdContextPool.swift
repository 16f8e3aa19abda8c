internal import CZstd
import Synchronization

/// A few idle zstd contexts kept for reuse, because creating one per call
/// costs more than compressing a typical cached answer: a context allocates
/// and zeroes its tables on first use, a reused one only resets them.
///
/// zstd contexts are not thread-safe, so each is lent to exactly one caller
/// at a time: ``withContext(_:)`` takes one out under the lock, runs the
/// caller's work outside the lock, and puts it back (or frees it when the
/// pool already holds ``capacity`` idle ones, so bursts do not pin memory).
final class ZstdContextPool: Sendable {
    /// A context pointer that is only ever touched by the caller it is lent to.
    private struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Shared by every codec, so even codecs created per call reuse contexts.
    static let compression = ZstdContextPool(
        create: { ZSTD_createCCtx() },
        reset: { _ = ZSTD_CCtx_reset($0, ZSTD_reset_session_and_parameters) },
        free: { _ = ZSTD_freeCCtx($0) }
    )
    /// Shared by every codec, so even codecs created per call reuse contexts.
    static let decompression = ZstdContextPool(
        create: { ZSTD_createDCtx() },
        reset: { _ = ZSTD_DCtx_reset($0, ZSTD_reset_session_and_parameters) },
        free: { _ = ZSTD_freeDCtx($0) }
    )

    /// Idle contexts kept at most; more than the cores a server runs on would only hold memory.
    let capacity = 16
    private let idle = CacheLock<[Handle]>([])
    private let create: @Sendable () -> OpaquePointer?
    private let reset: @Sendable (OpaquePointer) -> Void
    private let free: @Sendable (OpaquePointer) -> Void

    private init(
        create: @escaping @Sendable () -> OpaquePointer?,
        reset: @escaping @Sendable (OpaquePointer) -> Void,
        free: @escaping @Sendable (OpaquePointer) -> Void
    ) {
        self.create = create
        self.reset = reset
        self.free = free
    }

    /// Runs `body` with a context no other caller is using; the context is
    /// reset (parameters and any referenced dictionary dropped) before reuse.
    func withContext<Result>(
        _ body: (OpaquePointer) throws(CacheError) -> Result
    ) throws(CacheError) -> Result {
        let pooled = idle.withLock { $0.popLast() }
        guard let context = pooled?.pointer ?? create() else {
            throw CacheError(.compressionFailed, "zstd could not allocate a context")
        }
        defer { giveBack(context) }
        return try body(context)
    }

    private func giveBack(_ context: OpaquePointer) {
        reset(context)
        let handle = Handle(pointer: context)
        let kept = idle.withLock { contexts in
            guard contexts.count < capacity else { return false }
            contexts.append(handle)
            return true
        }
        if !kept { free(context) }
    }
}
