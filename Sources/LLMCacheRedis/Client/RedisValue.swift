/// A reply from Redis, copied out of hiredis's reply object (which is freed
/// at once), so it can cross threads and outlive the connection.
public enum RedisValue: Sendable, Hashable {
    /// A bulk string: arbitrary bytes.
    case bulk([UInt8])
    /// A simple status such as `OK`.
    case status(String)
    case integer(Int64)
    case array([RedisValue])
    /// The nil bulk string or nil array (a missing key).
    case null
    /// An error reply, e.g. `NOSCRIPT No matching script`.
    case error(String)

    /// The bytes of a bulk string or status; `nil` otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// The value as text, for bulk strings and statuses.
    public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// The integer of an integer reply, or of a bulk string holding digits.
    public var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk, .status: return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }
}
