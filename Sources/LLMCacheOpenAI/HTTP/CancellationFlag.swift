import Synchronization

/// Set by a task's cancellation handler, read by the transfer thread's
/// progress callback, which then makes libcurl abort the transfer.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .releasing) }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
}
