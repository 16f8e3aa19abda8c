import Foundation

/// What one process tells the others through the namespace's channel.
enum InvalidationEvent: Codable, Sendable, Equatable {
    /// Entries with any of these tags were removed.
    case tags([String])
    /// The namespace moved to this version.
    case version(UInt64)
    /// Every entry of the namespace was removed.
    case cleared
    /// These answers (``EntryReference`` descriptions) were removed, one by one.
    case entries([String])
    /// The flight lease of this key name was released while processes
    /// waited for it (see `RedisMissCoordinator`): not an invalidation, but
    /// the channel every process already listens to.
    case leaseReleased(String)

    var encoded: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    /// The encoded `.version(n)` message split around `n`, for a script
    /// that publishes the version it has just made.
    static let versionMessageAround: (prefix: [UInt8], suffix: [UInt8]) = {
        let marker = UInt64.max
        let encoded = String(decoding: InvalidationEvent.version(marker).encoded, as: UTF8.self)
        let parts = encoded.components(separatedBy: String(marker))
        precondition(parts.count == 2, "the version event must name its number once")
        return (Array(parts[0].utf8), Array(parts[1].utf8))
    }()

    init?(decoding bytes: [UInt8]) {
        guard let event = try? JSONDecoder().decode(InvalidationEvent.self, from: Data(bytes)) else { return nil }
        self = event
    }
}
