/// A command together with the type of its reply.
///
/// Why: a `RedisCommand` is a list of bytes and its reply an untyped
/// ``RedisValue`` that every caller picks apart by hand, each its own way
/// (and each its own default when the shape is not what it expected). A
/// typed command reads its reply once, here, and a reply of another shape
/// is a `.protocolError` instead of a silent `nil`:
///
/// ```swift
/// let answer: [UInt8]? = try await client.execute(.get(key))
/// let left: Int64 = try await client.execute(.pttl(key))
/// ```
///
/// The commands the library sends are the static members in
/// `TypedRedisCommand+*.swift`; scripts keep ``RedisClient/run(_:keys:arguments:)``,
/// whose replies are each script's own.
public struct TypedRedisCommand<Reply: Sendable>: Sendable {
    /// What is sent.
    public let command: RedisCommand
    private let read: @Sendable (RedisValue) throws(RedisError) -> Reply

    /// A command whose reply `read` turns into `Reply`; `read` never sees
    /// an error reply (those are thrown before) and throws
    /// `.protocolError` for a shape it does not expect.
    public init(_ command: RedisCommand, reply read: @escaping @Sendable (RedisValue) throws(RedisError) -> Reply) {
        self.command = command
        self.read = read
    }

    /// The reply of this command read from `value`.
    public func reply(from value: RedisValue) throws(RedisError) -> Reply {
        try read(value)
    }

    /// The same command with its reply transformed, so that commands with
    /// different replies can be sent by one helper.
    public func map<Other>(_ transform: @escaping @Sendable (Reply) -> Other) -> TypedRedisCommand<Other> {
        let read = self.read
        return TypedRedisCommand<Other>(command) { value throws(RedisError) in transform(try read(value)) }
    }
}

extension RedisClient {
    /// Sends `command` and returns its reply as its type says; an error
    /// reply is thrown as `.serverError`, a reply of another shape as
    /// `.protocolError`.
    @discardableResult
    public func execute<Reply>(_ command: TypedRedisCommand<Reply>) async throws -> Reply {
        try command.reply(from: try await execute(command.command))
    }
}

/// Readers of the reply shapes Redis uses, shared by the typed commands.
enum ReplyShape {
    static func mismatch(_ value: RedisValue, _ expected: String) -> RedisError {
        RedisError(.protocolError, "expected \(expected), got \(value)")
    }

    /// A bulk string, or null for a missing key.
    static func optionalBytes(_ value: RedisValue) throws(RedisError) -> [UInt8]? {
        switch value {
        case .null: return nil
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: throw mismatch(value, "a bulk string or null")
        }
    }

    /// A status or bulk string read as text.
    static func text(_ value: RedisValue) throws(RedisError) -> String {
        guard let text = value.string else { throw mismatch(value, "a string") }
        return text
    }

    static func integer(_ value: RedisValue) throws(RedisError) -> Int64 {
        guard case .integer(let number) = value else { throw mismatch(value, "an integer") }
        return number
    }

    /// An integer, or null (a command on a missing key).
    static func optionalInteger(_ value: RedisValue) throws(RedisError) -> Int64? {
        if value.isNull { return nil }
        return try integer(value)
    }

    /// An array whose elements are bulk strings or nulls.
    static func optionalBytesArray(_ value: RedisValue) throws(RedisError) -> [[UInt8]?] {
        guard let elements = value.array else { throw mismatch(value, "an array") }
        var result: [[UInt8]?] = []
        result.reserveCapacity(elements.count)
        for element in elements { result.append(try optionalBytes(element)) }
        return result
    }

    /// An array of bulk strings.
    static func bytesArray(_ value: RedisValue) throws(RedisError) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for element in try optionalBytesArray(value) {
            guard let element else { throw mismatch(value, "an array without nulls") }
            result.append(element)
        }
        return result
    }
}
