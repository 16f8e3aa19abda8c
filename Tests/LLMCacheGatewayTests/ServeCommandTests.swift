import Foundation
import LLMCacheOpenAI
import Testing

/// The repository's root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The `llmcache` binary `swift build --build-tests` built beside the tests.
func llmcacheBinary() throws -> URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let binary = directory.appendingPathComponent("llmcache")
        if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        directory = directory.deletingLastPathComponent()
    }
    let built = repositoryRoot.appendingPathComponent(".build/debug/llmcache")
    guard FileManager.default.isExecutableFile(atPath: built.path) else { throw ServeFailure(message: "llmcache was not built") }
    return built
}

struct ServeFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A file holding `contents`, in the temporary folder.
func temporaryFile(_ contents: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-\(UUID().uuidString).json").path
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

/// A running `llmcache serve`, stopped with SIGTERM by `stop()`.
struct ServeProcess {
    let process: Process
    let port: Int

    /// Starts `llmcache serve arguments…` and waits for the line that names its port.
    static func start(_ arguments: [String], environment overrides: [String: String] = [:]) async throws -> ServeProcess {
        let process = Process()
        process.executableURL = try llmcacheBinary()
        process.arguments = ["serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LLMCACHE_MINILM_PATH"] =
            environment["LLMCACHE_MINILM_PATH"] ?? repositoryRoot.appendingPathComponent(".cache/models/all-MiniLM-L6-v2").path
        environment.merge(overrides) { $1 }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread {
                var text = ""
                while !text.contains("/v1\n") {
                    let chunk = errors.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }.start()
        }
        guard let range = line.range(of: #"127\.0\.0\.1:(\d+)/v1"#, options: .regularExpression),
            let port = Int(line[range].dropFirst("127.0.0.1:".count).dropLast(3))
        else {
            process.terminate()
            throw ServeFailure(message: "llmcache serve did not start: \(line)")
        }
        return ServeProcess(process: process, port: port)
    }

    /// SIGTERM, then the exit status (0 for a graceful shutdown).
    func stop() async -> Int32 {
        process.terminate()
        return await exitStatus(of: process)
    }
}

/// `process`'s exit status, waited for on a thread of its own.
func exitStatus(of process: Process) async -> Int32 {
    await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }.start()
        }
}

/// Runs `llmcache serve arguments…` to its end: exit status and standard error.
func serveFailing(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, error: String) {
    let process = Process()
    process.executableURL = try llmcacheBinary()
    process.arguments = ["serve"] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let text = await Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
    return (await exitStatus(of: process), String(decoding: text, as: UTF8.self))
}

@Suite("llmcache serve")
struct ServeCommandTests {
    @Test func settingsComeFromFlagsThenEnvironmentThenTheFileAndTheGatewayServes() async throws {
        let upstream = FakeUpstream()
        let (upstreamPort, upstreamTask) = try await start { upstream.application(onRunning: $0) }
        defer { upstreamTask.cancel() }
        let namespace = "serve-\(UUID().uuidString.prefix(8).lowercased())"
        let file = try temporaryFile(
            """
            {"port": 0, "upstream": {"url": "http://127.0.0.1:\(upstreamPort)/v1", "timeoutSeconds": 5},
             "redis": {"url": "\(try testRedisURL())"}, "namespace": "overridden-by-the-flag",
             "admin": {"key": "file-admin"}, "semantic": {"enabled": false}, "memory": {"maxEntries": 100}}
            """)
        let server = try await ServeProcess.start(
            ["--config", file, "--namespace", namespace], environment: ["LLMCACHE_ADMIN_KEY": "env-admin"])
        let client = HTTPClient(configuration: .init(retryPolicy: .none))
        let base = "http://127.0.0.1:\(server.port)"
        let body = Array(#"{"model": "m", "messages": [{"role": "user", "content": "capital of France?"}]}"#.utf8)
        func chat() async throws -> HTTPResponse {
            try await client.send(
                HTTPRequest(method: .post, url: base + "/v1/chat/completions", headers: [(name: "Content-Type", value: "application/json")], body: body))
        }
        func get(_ path: String, key: String) async throws -> HTTPResponse {
            try await client.send(HTTPRequest(method: .get, url: base + path, headers: [(name: "Authorization", value: "Bearer \(key)")]))
        }
        let first = try await chat()
        let second = try await chat()
        #expect(first.status == 200 && second.header("Cache-Status") == "llmcache; hit; detail=memory" && second.body == first.body)
        #expect(try await get("/cache/stats", key: "file-admin").status == 401, "the environment overrides the file")
        let stats = try await get("/cache/stats", key: "env-admin")
        let statsReport = try JSONSerialization.jsonObject(with: Data(stats.body)) as? [String: Any]
        #expect(stats.status == 200 && statsReport?["requests"] as? Int == 2)
        #expect(statsReport?["published"] != nil, "what the namespace's gateways published: \(String(decoding: stats.body, as: UTF8.self))")
        let ready = try await get("/readyz", key: "")
        #expect(ready.status == 200 && String(decoding: ready.body, as: UTF8.self).contains(#""redis":"up""#))
        let entry = try await get("/cache/entries/\(first.header("X-LLMCache-Entry") ?? "")", key: "env-admin")
        let key = (try? JSONSerialization.jsonObject(with: Data(entry.body)) as? [String: Any])?["key"] as? String
        #expect(key?.hasPrefix("llmcache:\(namespace):") == true, "the flag overrides the file")
        let metrics = String(decoding: try await get("/metrics", key: "").body, as: UTF8.self)
        #expect(metrics.contains(#"llmcache_gateway_requests_total{route="chat_completions",status="200",cache="hit"} 1"#))
        #expect(await server.stop() == 0)
    }

    @Test func badSettingsFailWithAClearMessage() async throws {
        let missing = try await serveFailing(["--config", "/no/such/settings.json"])
        #expect(missing.status != 0 && missing.error.contains("settings.json"))
        let port = try await serveFailing(["--port", "70000"])
        #expect(port.status != 0 && port.error.contains("port"))
        let notANumber = try await serveFailing([], environment: ["LLMCACHE_PORT": "abc"])
        #expect(notANumber.status != 0 && notANumber.error.contains("LLMCACHE_PORT"), "a wrong value is never the default")
        let lease = try await serveFailing([], environment: ["LLMCACHE_FLIGHT_LEASE_SECONDS": "0"])
        #expect(lease.status != 0 && lease.error.contains("flight.leaseSeconds"))
        let malformed = try await serveFailing(["--config", try temporaryFile("{\"port\": ")])
        #expect(malformed.status != 0 && malformed.error.contains("cannot read the settings file"))
    }
}
