import Synchronization

/// A namespace version as this process knows it: it only moves forward,
/// whatever order the news arrives in (the bump's own reply, pub/sub, the
/// periodic re-read).
final class MonotonicVersion: Sendable {
    private let value = Atomic<UInt64>(0)

    init() {}

    var current: UInt64 { value.load(ordering: .acquiring) }

    func advance(to newVersion: UInt64) {
        var current = value.load(ordering: .relaxed)
        while newVersion > current {
            let (exchanged, original) = value.compareExchange(
                expected: current, desired: newVersion, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }
}
