import Crypto

/// A Lua script run with `EVALSHA`, loaded on first use and again whenever
/// the server has forgotten it (`NOSCRIPT`, e.g. after a restart or
/// `SCRIPT FLUSH`), transparently to the caller.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// The SHA-1 Redis names the script by.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}

extension RedisClient {
    /// Runs `script` with `keys` and `arguments`; error replies are thrown as `.serverError`.
    public func run(_ script: RedisScript, keys: [[UInt8]], arguments: [[UInt8]] = []) async throws -> RedisValue {
        func command(_ name: String, _ head: any RedisArgument) -> RedisCommand {
            var command = RedisCommand(name, head, keys.count)
            command.arguments += keys + arguments
            return command
        }
        let reply = try await send(command("EVALSHA", script.sha1))
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            // EVAL both runs and caches the script, so the next EVALSHA finds it.
            return try Self.throwingErrors(try await send(command("EVAL", script.source)))
        }
        return try Self.throwingErrors(reply)
    }

    static func throwingErrors(_ reply: RedisValue) throws(RedisError) -> RedisValue {
        if case .error(let message) = reply { throw RedisError(.serverError, message) }
        return reply
    }
}
