import Foundation
import LLMCache
import LLMCacheRedis
import LLMCacheTesting
import Synchronization
import Testing

/// Where the servers started by `scripts/redis.sh` listen. A missing server
/// is a failure, never a skip: the test command starts them.
enum TestServers {
    /// The servers every test of plain Redis commands (strings, sets, scripts,
    /// pub/sub) runs against: Redis 8 and both Valkeys.
    static let plain = ["LLMCACHE_REDIS8_URL", "LLMCACHE_VALKEY8_URL", "LLMCACHE_VALKEY9_URL"]

    static func url(_ variable: String = "LLMCACHE_REDIS8_URL") throws -> String {
        if let value = setting(variable) { return value }
        throw MissingServer(description: "\(variable) is not set: run the tests with scripts/test.sh, which starts the Redis servers")
    }

    /// The Redis 8 binary tests may start themselves (kill/restart tests).
    static func serverBinary() throws -> String {
        try binary("LLMCACHE_REDIS8_SERVER")
    }

    /// A server binary scripts/redis.sh installed, by its variable.
    static func binary(_ variable: String) throws -> String {
        if let value = setting(variable), FileManager.default.isExecutableFile(atPath: value) { return value }
        throw MissingServer(description: "no \(variable): run the tests with scripts/test.sh")
    }

    /// A file of the TLS certificates scripts/redis.sh writes (see scripts/tls-certs.sh).
    static func certificate(_ name: String) throws -> String {
        guard let folder = setting("LLMCACHE_TLS_DIR") else {
            throw MissingServer(description: "LLMCACHE_TLS_DIR is not set: run the tests with scripts/test.sh")
        }
        let path = "\(folder)/\(name)"
        guard FileManager.default.fileExists(atPath: path) else { throw MissingServer(description: "no \(path)") }
        return path
    }

    /// A TLS front (stunnel) before the Redis 8 server, with `certificate`
    /// (`server` or `expired`); `requiringClientCertificates` makes it refuse
    /// clients without a certificate signed by the test CA.
    static func tlsFront(certificate: String = "server", requiringClientCertificates: Bool = false) throws -> StunnelFront {
        guard let stunnel = setting("LLMCACHE_STUNNEL"), FileManager.default.isExecutableFile(atPath: stunnel) else {
            throw MissingServer(description: "no stunnel4: run the tests with scripts/test.sh")
        }
        guard let port = setting("LLMCACHE_REDIS8_PORT").flatMap(Int.init) else {
            throw MissingServer(description: "LLMCACHE_REDIS8_PORT is not set: run the tests with scripts/test.sh")
        }
        return try StunnelFront(
            stunnel: stunnel, targetPort: port, certificate: try Self.certificate("\(certificate).pem"),
            key: try Self.certificate("\(certificate).key"),
            clientAuthority: requiringClientCertificates ? try Self.certificate("ca.pem") : nil)
    }

    /// `variable` from the environment, else from the env file that
    /// scripts/redis.sh writes (for runs from an IDE).
    private static func setting(_ variable: String) -> String? {
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".cache/redis/run/env")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("\(variable)=") {
            let value = line.dropFirst(variable.count + 1)
            let quoted = value.count >= 2 && value.first == "'" && value.last == "'"
            return String(quoted ? value.dropFirst().dropLast() : value)
        }
        return nil
    }
}

/// A server the set-up should have provided is missing: a failure, not a skip.
struct MissingServer: Error, CustomStringConvertible {
    let description: String
}

/// A namespace no other test uses, so tests share a server without interfering.
func uniqueNamespace(_ label: String = "test") -> String {
    "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Checks `condition` every `interval` until it holds or `limit` passes, for
/// events a real server makes happen (no clock can be injected into Redis).
/// Returns how long it took, or `nil` if the condition never held.
@discardableResult
func waitUntil(
    _ limit: Duration, every interval: Duration = .milliseconds(5), _ condition: () async throws -> Bool
) async throws -> Duration? {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < limit {
        if try await condition() { return ContinuousClock.now - start }
        try await Task.sleep(for: interval)
    }
    return nil
}

/// Test servers' ports stay below the kernel's ephemeral range (Linux:
/// 32768–60999). While a test's server is down, its clients keep
/// reconnecting; a connect to a port in that range can be given the very
/// same port as its source and connect to itself (TCP simultaneous open),
/// which then holds the port and keeps the restarted server from binding it.
private let testPorts = 20_000..<32_000

/// The next candidate port for `freePort()`: it only moves forward, so a port
/// handed to one test (whose server may be killed and restarted on it) is
/// never handed to another test of this process.
private let nextPort = Atomic<Int>(Int.random(in: testPorts))

/// A free TCP port on loopback that no other test of this process was given.
func freePort() -> Int {
    while true {
        let port = nextPort.add(1, ordering: .relaxed).newValue
        if port >= testPorts.upperBound { nextPort.store(testPorts.lowerBound, ordering: .relaxed) }
        if testPorts.contains(port), canBind(port) { return port }
    }
}

/// Whether a listening socket could bind `port` on 127.0.0.1 now.
private func canBind(_ port: Int) -> Bool {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// A redis-server process of a test's own, for tests that stop and restart it.
final class OwnRedisServer: @unchecked Sendable {
    let port: Int
    private let binary: String
    private let persistenceDirectory: String?
    private var process: Process?

    /// - Parameter persistenceDirectory: where to keep an append-only file
    ///   synced on every write, so data survives a SIGKILL; `nil` for none.
    init(port: Int = freePort(), persistenceDirectory: String? = nil) throws {
        self.port = port
        self.binary = try TestServers.serverBinary()
        self.persistenceDirectory = persistenceDirectory
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    /// A client configuration for a test that kills and restarts this
    /// server: it reconnects within tens of milliseconds and gives up on a
    /// command after half a second, so callers see the outage quickly.
    func restartingClientConfiguration() throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: url)
        configuration.reconnectDelay = .milliseconds(10)
        configuration.maximumReconnectDelay = .milliseconds(50)
        configuration.commandTimeout = .milliseconds(500)
        return configuration
    }

    /// Starts the server and waits until it answers. A server that exits
    /// before answering (e.g. its port is briefly not bindable again right
    /// after a kill) is launched again; one that never answers within 60 s (a loaded CI machine) is
    /// a recorded issue quoting the end of its log.
    func start() async throws {
        // The server's log, so a server that does not come up says why.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-redis-\(port)-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let process = try launch(logTo: logHandle)
            self.process = process
            while ContinuousClock.now < deadline, process.isRunning {
                if (try? await ping()) == "PONG" { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(8)
        Issue.record("redis-server on port \(port) did not start; its log ends:\n\(tail.joined(separator: "\n"))")
    }

    private func launch(logTo log: FileHandle) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--protected-mode", "no"]
        if let persistenceDirectory {
            process.arguments! += ["--dir", persistenceDirectory, "--appendonly", "yes", "--appendfsync", "always"]
        } else {
            process.arguments! += ["--appendonly", "no"]
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// Freezes the server (SIGSTOP) until `resume()`: its sockets stay open
    /// and nothing it receives is answered, a stall that lasts exactly as
    /// long as the test wants however loaded the machine is.
    func suspend() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGSTOP)
    }

    /// Lets a suspended server run again.
    func resume() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGCONT)
    }

    /// Kills the server abruptly (SIGKILL), as a crash would.
    func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    private func ping() async throws -> String? {
        try await withRedisClient(try RedisConfiguration(url: url)) { client in
            try await client.send(RedisCommand("PING")).string
        }
    }

    deinit { kill() }
}
