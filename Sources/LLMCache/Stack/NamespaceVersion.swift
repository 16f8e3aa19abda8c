import Synchronization

/// Where a stack learns the namespace version in force.
///
/// Bumping the version makes every answer stored under older versions
/// unreachable at once. The core ships a process-local source; a shared store
/// (Redis) provides one that every process follows.
public protocol NamespaceVersionSource: Sendable {
    /// The version in force; read on every request, so it must be cheap.
    var current: UInt64 { get }
    /// Moves to a new version and returns it.
    func bump() async throws -> UInt64
}

/// A namespace version that lives in this process only.
public final class LocalNamespaceVersion: NamespaceVersionSource {
    private let value: Atomic<UInt64>

    public init(_ initial: UInt64 = 0) { value = Atomic(initial) }

    public var current: UInt64 { value.load(ordering: .acquiring) }

    public func bump() -> UInt64 {
        value.add(1, ordering: .acquiringAndReleasing).newValue
    }
}
