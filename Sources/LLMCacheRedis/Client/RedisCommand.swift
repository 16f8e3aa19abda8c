/// A command as Redis receives it: a list of binary-safe arguments.
public struct RedisCommand: Sendable, Hashable {
    public var arguments: [[UInt8]]

    /// `RedisCommand("SET", key, value, "PX", 1000)`.
    public init(_ name: String, _ arguments: any RedisArgument...) {
        self.init(name, arguments)
    }

    public init(_ name: String, _ arguments: [any RedisArgument]) {
        self.arguments = [Array(name.utf8)] + arguments.map(\.redisBytes)
    }

    /// `RedisCommand("UNLINK", keys)`: a name followed by a list of byte strings.
    public init(_ name: String, _ arguments: [[UInt8]]) {
        self.arguments = [Array(name.utf8)] + arguments
    }
}

/// Something that can be sent as one argument of a command.
public protocol RedisArgument: Sendable {
    var redisBytes: [UInt8] { get }
}

extension String: RedisArgument {
    public var redisBytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public var redisBytes: [UInt8] { self }
}

extension Int: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

extension UInt64: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}
