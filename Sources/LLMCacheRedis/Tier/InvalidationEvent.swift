import Foundation

/// What one process tells the others through the namespace's channel.
enum InvalidationEvent: Codable, Sendable, Equatable {
    /// Entries with any of these tags were removed.
    case tags([String])
    /// The namespace moved to this version.
    case version(UInt64)
    /// Every entry of the namespace was removed.
    case cleared

    var encoded: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    init?(decoding bytes: [UInt8]) {
        guard let event = try? JSONDecoder().decode(InvalidationEvent.self, from: Data(bytes)) else { return nil }
        self = event
    }
}
