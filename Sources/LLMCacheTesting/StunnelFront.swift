import Foundation

/// A TLS front (stunnel) on a free loopback port, relaying to a plain server.
///
/// Why: none of the Redis and Valkey builds the tests use has TLS compiled
/// in, yet the client's TLS transport must be tested against a real TLS
/// server: certificate checks, mutual TLS, and the bytes of real commands.
/// `scripts/redis.sh` installs stunnel4 and writes the certificates
/// (`LLMCACHE_STUNNEL`, `LLMCACHE_TLS_DIR`).
public final class StunnelFront: Sendable {
    /// The port TLS clients connect to.
    public let port: Int
    private let pid: pid_t
    private let folder: URL

    /// Starts stunnel with `certificate`/`key` in front of `127.0.0.1:targetPort`;
    /// `clientAuthority`, when given, makes it require a client certificate
    /// signed by that CA. Returns once the port accepts connections.
    public init(
        stunnel: String, targetPort: Int, certificate: String, key: String, clientAuthority: String? = nil
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stunnel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lastError: (any Error)?
        for _ in 0..<3 {
            let port = try Self.freePort()
            var lines = [
                "foreground = yes", "pid =", "debug = 4", "output = \(folder.path)/stunnel.log",
                "[redis]", "accept = 127.0.0.1:\(port)", "connect = 127.0.0.1:\(targetPort)",
                "cert = \(certificate)", "key = \(key)", "sslVersionMin = TLSv1.2",
            ]
            if let clientAuthority {
                lines += ["CAfile = \(clientAuthority)", "verifyChain = yes", "requireCert = yes"]
            }
            let configuration = folder.appendingPathComponent("stunnel.conf")
            try lines.joined(separator: "\n").write(to: configuration, atomically: true, encoding: .utf8)
            let pid = try ChildProcess.spawn(stunnel, [configuration.path])
            if Self.waitForListener(port: port, pid: pid) {
                self.port = port
                self.pid = pid
                return
            }
            ChildProcess.stop(pid)
            lastError = StunnelError(description: "stunnel did not listen on \(port): \(log(in: folder))")
        }
        throw lastError!
    }

    /// Stops stunnel and removes its files.
    public func stop() {
        ChildProcess.stop(pid)
        try? FileManager.default.removeItem(at: folder)
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else { throw StunnelError(description: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on `port` within 10 s while `pid` runs.
    private static func waitForListener(port: Int, pid: pid_t) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, ChildProcess.isRunning(pid) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(descriptor)
            if connected { return true }
            usleep(20_000)
        }
        return false
    }
}

private func log(in folder: URL) -> String {
    (try? String(contentsOf: folder.appendingPathComponent("stunnel.log"), encoding: .utf8)) ?? "no log"
}

/// stunnel could not be started.
public struct StunnelError: Error, CustomStringConvertible {
    public let description: String
}
