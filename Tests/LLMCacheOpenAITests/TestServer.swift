import Foundation
import Testing

/// The loopback server of `scripts/http-test-server.py`, one per test, so
/// tests running in parallel never see each other's call counts.
///
/// Python 3 is required: a missing interpreter fails the test rather than
/// skipping it, so the HTTP path is never silently untested.
final class TestServer: Sendable {
    let process: Process
    let stdin: Pipe
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, stdin: Pipe, port: Int) {
        self.process = process
        self.stdin = stdin
        self.port = port
    }

    static var scriptPath: String {
        // <repo>/Tests/LLMCacheOpenAITests/TestServer.swift → <repo>/scripts/http-test-server.py
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/http-test-server.py").path
    }

    static func start() async throws -> TestServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath]
        let stdout = Pipe()
        // The server exits when this pipe closes, even if this process crashes.
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        let line = await readFirstLine(stdout.fileHandleForReading)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0 else {
            process.terminate()
            throw TestServerError(message: "python3 \(scriptPath) did not print a port (got \(line.debugDescription))")
        }
        return TestServer(process: process, stdin: stdin, port: port)
    }

    func stop() {
        if process.isRunning { process.terminate() }
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Reads up to the first newline on a dedicated thread: the read blocks.
    private static func readFirstLine(_ handle: FileHandle) async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let thread = Thread {
                var bytes: [UInt8] = []
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }  // EOF: the process exited
                    bytes += chunk
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
            thread.start()
        }
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Runs `body` against a fresh server and stops the server afterwards.
func withTestServer<T>(_ body: (TestServer) async throws -> T) async throws -> T {
    let server = try await TestServer.start()
    defer { server.stop() }
    return try await body(server)
}
