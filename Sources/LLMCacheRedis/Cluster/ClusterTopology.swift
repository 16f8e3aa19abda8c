/// Which primary serves each slot, and its replicas, as a node reported it.
struct ClusterTopology: Sendable, Equatable {
    /// The primaries, in the order first seen.
    private(set) var primaries: [RedisConfiguration.Endpoint] = []
    /// Each primary's healthy replicas, by the primary's index.
    private(set) var replicas: [Int: [RedisConfiguration.Endpoint]] = [:]
    /// Whether a replica was still loading (syncing with its primary) when
    /// the layout was read: it serves reads once a later read finds it online.
    private(set) var awaitsReplicas = false
    /// For each slot, an index into `primaries`; `unassigned` when no healthy primary serves it.
    private(set) var owners = [UInt16](repeating: unassigned, count: HashSlot.count)

    static let unassigned = UInt16.max

    /// The primary serving `slot`, if any.
    func owner(of slot: HashSlot) -> RedisConfiguration.Endpoint? {
        let index = owners[Int(slot.rawValue)]
        return index == Self.unassigned ? nil : primaries[Int(index)]
    }

    /// The replicas of the primary serving `slot` (none if unknown).
    func replicas(of slot: HashSlot) -> [RedisConfiguration.Endpoint] {
        let index = owners[Int(slot.rawValue)]
        return index == Self.unassigned ? [] : replicas[Int(index)] ?? []
    }

    /// Records that `endpoint` serves `slots` (a `MOVED` reply or the layout).
    mutating func assign(_ slots: ClosedRange<Int>, to endpoint: RedisConfiguration.Endpoint) {
        let index: Int
        if let known = primaries.firstIndex(of: endpoint) {
            index = known
        } else {
            primaries.append(endpoint)
            index = primaries.count - 1
        }
        for slot in slots.clamped(to: 0...(HashSlot.count - 1)) { owners[slot] = UInt16(index) }
    }

    /// Slots no primary serves.
    var unassignedSlots: Int { owners.lazy.filter { $0 == Self.unassigned }.count }

    /// The layout in a `CLUSTER SHARDS` reply (Redis 7+, Valkey 7+).
    ///
    /// `defaultHost` stands in for a node that does not know its own address
    /// (it reports an empty endpoint or `?`); `tls` picks the `tls-port`.
    init(shards reply: RedisValue, defaultHost: String, tls: Bool) throws(RedisError) {
        guard let shards = reply.array else { throw Self.malformed("CLUSTER SHARDS", reply) }
        for shard in shards {
            let fields = try Self.fields(shard)
            guard let slotBounds = fields["slots"]?.array, let nodes = fields["nodes"]?.array else {
                throw Self.malformed("CLUSTER SHARDS", shard)
            }
            var primary: RedisConfiguration.Endpoint?
            var shardReplicas: [RedisConfiguration.Endpoint] = []
            for node in nodes {
                let node = try Self.fields(node)
                let health = node["health"]?.string ?? "online"
                if health == "loading" { awaitsReplicas = true }
                guard health == "online" else { continue }
                let port = (tls ? node["tls-port"]?.int : nil) ?? node["port"]?.int
                let named = [node["endpoint"]?.string, node["ip"]?.string].compactMap { $0 }.first {
                    !$0.isEmpty && $0 != "?"
                }
                guard let port else { continue }
                let endpoint = RedisConfiguration.Endpoint.tcp(host: named ?? defaultHost, port: Int(port))
                switch node["role"]?.string ?? "" {
                case "master", "primary": primary = endpoint
                case "replica", "slave": shardReplicas.append(endpoint)
                default: break
                }
            }
            guard let primary else { continue }
            let bounds = slotBounds.compactMap(\.int)
            for pair in stride(from: 0, to: bounds.count - 1, by: 2) {
                assign(Int(bounds[pair])...Int(bounds[pair + 1]), to: primary)
            }
            if let index = primaries.firstIndex(of: primary), !shardReplicas.isEmpty { replicas[index] = shardReplicas }
        }
    }

    /// The layout in a `CLUSTER SLOTS` reply (older servers): per range,
    /// its bounds, then the primary and its replicas as `[host, port, …]`.
    init(slots reply: RedisValue, defaultHost: String) throws(RedisError) {
        func endpoint(_ node: RedisValue) -> RedisConfiguration.Endpoint? {
            guard let node = node.array, node.count >= 2, let port = node[1].int else { return nil }
            let host = node[0].string.flatMap { $0.isEmpty || $0 == "?" ? nil : $0 } ?? defaultHost
            return .tcp(host: host, port: Int(port))
        }
        guard let ranges = reply.array else { throw Self.malformed("CLUSTER SLOTS", reply) }
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                let primary = endpoint(parts[2])
            else { throw Self.malformed("CLUSTER SLOTS", range) }
            assign(Int(start)...Int(end), to: primary)
            let shardReplicas = parts.dropFirst(3).compactMap(endpoint)
            if let index = primaries.firstIndex(of: primary), !shardReplicas.isEmpty { replicas[index] = shardReplicas }
        }
    }

    init() {}

    /// A flat `[name, value, name, value, …]` array as a dictionary.
    private static func fields(_ value: RedisValue) throws(RedisError) -> [String: RedisValue] {
        guard let items = value.array, items.count % 2 == 0 else { throw malformed("CLUSTER SHARDS", value) }
        var fields: [String: RedisValue] = [:]
        for index in stride(from: 0, to: items.count, by: 2) {
            if let name = items[index].string { fields[name] = items[index + 1] }
        }
        return fields
    }

    private static func malformed(_ command: String, _ value: RedisValue) -> RedisError {
        RedisError(.protocolError, "unexpected \(command) reply: \(String(describing: value).prefix(200))")
    }
}
