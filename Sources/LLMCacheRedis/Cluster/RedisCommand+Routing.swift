extension RedisCommand {
    /// The key whose slot decides which cluster node runs the command; `nil`
    /// for commands without keys, which any primary may run.
    ///
    /// Why not `COMMAND GETKEYS`: asking the server costs a round trip per
    /// command; the commands this project sends put their first key in one
    /// of three places, listed here.
    var routingKey: [UInt8]? {
        guard arguments.count > 1 else { return nil }
        switch Routing(name: arguments[0]) {
        case .firstArgument:
            return arguments[1]
        case .secondArgument:
            return arguments.count > 2 ? arguments[2] : nil
        case .script:
            // EVALSHA sha numkeys key …
            guard arguments.count > 3, let count = Int(String(decoding: arguments[2], as: UTF8.self)), count > 0 else {
                return nil
            }
            return arguments[3]
        case .anyNode:
            return nil
        }
    }
}

extension RedisCommand {
    /// Whether a replica may run the command (see
    /// ``RedisCluster/readsFromReplicas``): the reads this project sends.
    var isReadOnly: Bool {
        guard let name = arguments.first else { return false }
        return Self.readOnlyNames.contains(Routing.upperCased(name))
    }

    private static let readOnlyNames: Set<[UInt8]> = Set([
        "GET", "MGET", "STRLEN", "EXISTS", "TTL", "PTTL", "TYPE", "SCARD", "SISMEMBER", "SMEMBERS", "SRANDMEMBER",
        "ZSCORE", "ZCARD", "ZRANGE", "ZRANGEBYSCORE", "ZSCAN", "HGET", "HMGET", "HGETALL", "HLEN", "LRANGE", "VSIM",
        "VDIM", "VCARD", "VINFO", "VEMB", "EVALSHA_RO", "EVAL_RO",
    ].map { Array($0.utf8) })
}

/// Where a command names its first key.
private enum Routing {
    case firstArgument, secondArgument, script, anyNode

    /// Every command this client sends routes by its first argument except these.
    private static let exceptions: [[UInt8]: Routing] = {
        var table: [[UInt8]: Routing] = [:]
        for name in ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"] { table[Array(name.utf8)] = .script }
        for name in ["MEMORY", "OBJECT", "XINFO", "XGROUP"] { table[Array(name.utf8)] = .secondArgument }
        for name in [
            "PING", "ECHO", "INFO", "SCAN", "PUBLISH", "SUBSCRIBE", "SCRIPT", "CLUSTER", "COMMAND", "CONFIG", "DBSIZE",
            "FLUSHALL", "FLUSHDB", "CLIENT", "LATENCY", "MODULE", "FUNCTION", "TIME", "WAIT", "AUTH", "SELECT", "HELLO",
            "ASKING", "READONLY", "DEBUG", "SLOWLOG", "RANDOMKEY",
        ] {
            table[Array(name.utf8)] = .anyNode
        }
        return table
    }()

    /// The routing of a command name in any letter case (without building
    /// a `String` per command: this runs for every command on a cluster).
    init(name: [UInt8]) {
        let upper = Self.upperCased(name)
        if let routing = Self.exceptions[upper] {
            self = routing
        } else {
            // FT.* name an index, not a key: RediSearch on a cluster needs its
            // coordinator, which this client does not go through.
            self = upper.starts(with: Array("FT.".utf8)) ? .anyNode : .firstArgument
        }
    }

    /// A command name in capitals.
    static func upperCased(_ name: [UInt8]) -> [UInt8] {
        var upper = name
        for index in upper.indices where upper[index] >= UInt8(ascii: "a") && upper[index] <= UInt8(ascii: "z") {
            upper[index] -= 32
        }
        return upper
    }
}
