extension RedisCommand {
    /// The key whose slot decides which cluster node runs the command; `nil`
    /// for commands without keys, which any primary may run.
    ///
    /// Why not `COMMAND GETKEYS`: asking the server costs a round trip per
    /// command; the commands this project sends put their first key in one
    /// of three places, listed here.
    var routingKey: [UInt8]? {
        guard arguments.count > 1 else { return nil }
        let name = String(decoding: arguments[0], as: UTF8.self).uppercased()
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count > 3, let count = Int(String(decoding: arguments[2], as: UTF8.self)), count > 0 else {
                return nil
            }
            return arguments[3]
        case "MEMORY", "OBJECT", "XINFO", "XGROUP":
            return arguments.count > 2 ? arguments[2] : nil
        case "PING", "ECHO", "INFO", "SCAN", "PUBLISH", "SUBSCRIBE", "SCRIPT", "CLUSTER", "COMMAND", "CONFIG",
            "DBSIZE", "FLUSHALL", "FLUSHDB", "CLIENT", "LATENCY", "MODULE", "FUNCTION", "TIME", "WAIT", "AUTH",
            "SELECT", "HELLO", "ASKING", "READONLY", "DEBUG", "SLOWLOG", "RANDOMKEY":
            return nil
        default:
            // FT.* name an index, not a key: RediSearch on a cluster needs its
            // coordinator, which the search backend refuses to do without.
            return name.hasPrefix("FT.") ? nil : arguments[1]
        }
    }
}
