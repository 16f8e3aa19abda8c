import Foundation
import LLMCacheRedis

/// One primary of the cluster, with a client of its own for the commands
/// that concern it alone (`SCAN`, `INFO`, `CONFIG GET`).
struct Primary: Sendable {
    let id: String
    let host: String
    let port: Int
    let slots: [ClosedRange<Int>]
    let client: RedisClient

    var address: String { "\(host):\(port)" }

    func serves(_ slot: HashSlot) -> Bool { slots.contains { $0.contains(Int(slot.rawValue)) } }

    /// GETs this primary has served since it started (`INFO commandstats`).
    func getCalls() async throws -> Int {
        let info = try await client.execute(RedisCommand("INFO", "commandstats")).string ?? ""
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_get:") }),
            let calls = line.split(separator: ",").first?.split(separator: "=").last
        else { return 0 }
        return Int(calls) ?? 0
    }

    func processID() async throws -> pid_t {
        let info = try await client.execute(RedisCommand("INFO", "server")).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }
        return pid_t(line?.dropFirst("process_id:".count) ?? "") ?? 0
    }

    func directory() async throws -> String {
        try await client.execute(RedisCommand("CONFIG", "GET", "dir")).array?.last?.string ?? ""
    }
}

enum Primaries {
    /// The primaries serving slots, from `CLUSTER NODES`.
    static func read(_ cluster: RedisClient) async throws -> [Primary] {
        let nodes = try await cluster.execute(RedisCommand("CLUSTER", "NODES")).string ?? ""
        return nodes.split(separator: "\n").compactMap { line -> Primary? in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 8, fields[2].contains("master"), !fields[2].contains("fail") else { return nil }
            let address = fields[1].split(separator: "@")[0]
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                return nil
            }
            let host = String(address[..<colon])
            let slots = fields.dropFirst(8).compactMap { range -> ClosedRange<Int>? in
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                return bounds.count == 2 ? bounds[0]...bounds[1] : bounds.count == 1 ? bounds[0]...bounds[0] : nil
            }
            let client = RedisClient(configuration: RedisConfiguration(endpoint: .tcp(host: host, port: port)))
            return Primary(id: fields[0], host: host, port: port, slots: slots, client: client)
        }
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

nonisolated(unsafe) var standardError = FileHandle.standardError

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
