import Foundation
import LLMCacheOpenAI

/// The loopback server; it exits when its stdin closes, so it never outlives the benchmark.
public struct LoopbackServer {
    let process: Process
    let stdin: Pipe
    /// `http://127.0.0.1:PORT`.
    public let baseURL: String

    /// Starts `scripts/http-test-server.py` (see its header for the models it knows).
    public static func start() throws -> LoopbackServer {
        // <repo>/Benchmarks/BenchmarkSupport/LoopbackServer.swift → <repo>/scripts/http-test-server.py
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/http-test-server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        var bytes: [UInt8] = []
        while !bytes.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            bytes += chunk
        }
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else { fatalError("python3 \(script) did not print a port: \(line)") }
        return LoopbackServer(process: process, stdin: stdin, baseURL: "http://127.0.0.1:\(port)")
    }

    /// TCP connections that carried a request (GET /stats does not count itself).
    public func connections() async throws -> Int {
        let response = try await HTTPClient().execute(HTTPRequest(url: "\(baseURL)/stats"))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return object?["connections"] as? Int ?? -1
    }

    public func stop() {
        process.terminate()
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
