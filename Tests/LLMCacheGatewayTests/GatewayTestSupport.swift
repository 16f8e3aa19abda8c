import Foundation
import Hummingbird
import LLMCache
import LLMCacheGateway
import LLMCacheOpenAI
import LLMCacheRedis
import LLMCacheTesting
import Synchronization

/// Runs `application` until the returned task is cancelled; returns the
/// port it bound (the configuration asks for port 0).
func start(_ make: (@escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol) async throws -> (
    port: Int, task: Task<Void, any Error>
) {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let application = make { port in continuation.yield(port) }
    let task = Task { try await application.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    return (port, task)
}

/// A stand-in model server on loopback: answers chat completions with a
/// counter, fails for model "fail", streams two SSE chunks for `stream`.
final class FakeUpstream: Sendable {
    private let calls = Atomic<Int>(0)
    private let lastBody = Mutex<[UInt8]>([])
    private let authorization = Mutex<String?>(nil)
    private let abandoned = Atomic<Int>(0)
    let delay: Duration

    init(delay: Duration = .zero) { self.delay = delay }

    var callCount: Int { calls.load(ordering: .relaxed) }
    /// Streams of model "slow" whose reader went away before their end.
    var abandonedStreams: Int { abandoned.load(ordering: .relaxed) }
    /// The `Authorization` of the last chat completion.
    var lastAuthorization: String? { authorization.withLock { $0 } }
    /// The last body received, as received.
    var lastBytes: [UInt8] { lastBody.withLock { $0 } }
    var lastRequest: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(lastBody.withLock { $0 }))) as? [String: Any]
    }

    func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            let body = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
            self.lastBody.withLock { $0 = bytes }
            self.authorization.withLock { $0 = request.headers[.authorization] }
            let number = self.calls.add(1, ordering: .relaxed).newValue
            if self.delay > .zero { try await Task.sleep(for: self.delay) }
            if body["model"] as? String == "fail" {
                return Response(
                    status: .tooManyRequests, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}")))
            }
            if body["stream"] as? Bool == true, body["model"] as? String == "slow" { return self.slowStream() }
            if body["stream"] as? Bool == true { return Self.streamed(body, number: number) }
            let messages = body["messages"] as? [[String: Any]] ?? []
            let asked = messages.last?["content"] as? String ?? ""
            var message: [String: Any] = ["role": "assistant", "content": "answer \(number) to \(asked)"]
            if let tool = Self.toolName(body) {
                message = ["role": "assistant", "content": NSNull(), "tool_calls": [Self.toolCall(tool, number: number)]]
            }
            let answer: [String: Any] = [
                "id": "chatcmpl-\(number)", "object": "chat.completion", "created": 0, "model": body["model"] ?? "m",
                "choices": [["index": 0, "message": message, "finish_reason": message["tool_calls"] == nil ? "stop" : "tool_calls"]],
                "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
            ]
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
        }
        router.post("/v1/embeddings") { request, _ -> Response in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            self.lastBody.withLock { $0 = bytes }
            let number = self.calls.add(1, ordering: .relaxed).newValue
            let body = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
            let inputs = body["input"] as? [Any] ?? []
            // Each embedding says which call made it and how long its input was.
            let data = inputs.enumerated().map { index, input in
                ["object": "embedding", "index": index, "embedding": [Double(number), Double("\(input)".count)]] as [String: Any]
            }
            let answer: [String: Any] = [
                "object": "list", "data": data, "model": body["model"] ?? "e",
                "usage": ["prompt_tokens": 3 * inputs.count, "total_tokens": 3 * inputs.count],
            ]
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
        }
        router.get("/v1/models") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}")))
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onRunning($0.localAddress?.port ?? 0) })
    }

    /// One event every 100 ms for a minute; counts a reader that leaves early.
    func slowStream() -> Response {
        let (events, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let producer = Task {
            for index in 0..<600 {
                continuation.yield(ByteBuffer(string: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(index) \"}}]}\n\n"))
                try await Task.sleep(for: .milliseconds(100))
            }
            continuation.yield(ByteBuffer(string: "data: [DONE]\n\n"))
            continuation.finish()
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination {
                producer.cancel()
                self.abandoned.add(1, ordering: .relaxed)
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(asyncSequence: events))
    }

    /// The first tool a body offers, which the fake then calls.
    static func toolName(_ body: [String: Any]) -> String? {
        ((body["tools"] as? [[String: Any]])?.first?["function"] as? [String: Any])?["name"] as? String
    }

    static func toolCall(_ name: String, number: Int) -> [String: Any] {
        ["id": "call_\(number)", "type": "function", "function": ["name": name, "arguments": "{\"city\":\"Paris\"}"]]
    }

    /// A streamed answer ("Hel", "lo", or a tool call; a usage event when
    /// `stream_options.include_usage`), sent in pieces that cut events in
    /// the middle; model "break" ends the connection after the first piece.
    static func streamed(_ body: [String: Any], number: Int) -> Response {
        func event(_ choices: [[String: Any]], usage: [String: Any]? = nil) -> String {
            var chunk: [String: Any] = [
                "id": "chatcmpl-\(number)", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": choices,
            ]
            if let usage { chunk["usage"] = usage }
            let data = try! JSONSerialization.data(withJSONObject: chunk, options: [.sortedKeys])
            return "data: " + String(decoding: data, as: UTF8.self) + "\n\n"
        }
        var deltas: [[String: Any]] = [["role": "assistant", "content": "Hel"], ["content": "lo"]]
        if let tool = toolName(body) {
            deltas = [["role": "assistant", "tool_calls": [["index": 0] .merging(toolCall(tool, number: number)) { $1 }]]]
        }
        var events = deltas.map { event([["index": 0, "delta": $0, "finish_reason": NSNull()]]) }
        events.append(event([["index": 0, "delta": [:], "finish_reason": toolName(body) == nil ? "stop" : "tool_calls"]]))
        if (body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true {
            events.append(event([], usage: ["prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12]))
        }
        let text = Array((events.joined() + "data: [DONE]\n\n").utf8)
        let cut = text.count / 3
        let breaks = body["model"] as? String == "break"
        let pieces = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(ByteBuffer(bytes: text[..<cut]))
            if breaks {
                continuation.finish(throwing: CancellationError())
                return
            }
            continuation.yield(ByteBuffer(bytes: text[cut..<(2 * cut)]))
            continuation.yield(ByteBuffer(bytes: text[(2 * cut)...]))
            continuation.finish()
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(asyncSequence: pieces))
    }
}

/// A gateway in memory (an LRU and a vector-only semantic tier) in front of
/// a fake upstream, both on loopback, stopped by `close()`.
struct GatewayHarness {
    let upstream: FakeUpstream
    let stack: CacheStack
    let port: Int
    let client = HTTPClient(configuration: .init(retryPolicy: .none))
    private let tasks: [Task<Void, any Error>]

    static let adminKey = "admin-secret"

    /// - Parameter tiers: the stack's tiers; by default an LRU and a
    ///   vector-only semantic tier in memory.
    init(
        upstreamDelay: Duration = .zero, maxBodyBytes: Int = 1 << 20, tiers: [any CacheTier]? = nil,
        namespace: RedisNamespace? = nil, clock: any CacheClock = SystemCacheClock(),
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws {
        let upstream = FakeUpstream(delay: upstreamDelay)
        let metrics = GatewayMetrics()
        let (upstreamPort, upstreamTask) = try await start { upstream.application(onRunning: $0) }
        let stack = CacheStack(
            tiers: tiers ?? [
                MemoryTier(maxEntries: 100),
                MemorySemanticTier(embedder: DeterministicTestEmbedder(), threshold: 0.9, matchGuard: nil),
            ],
            configuration: .init(metricsFactory: metrics.factory, cacheabilityPolicy: nil),
            versionSource: namespace ?? LocalNamespaceVersion(), clock: clock)
        var configuration = GatewayConfiguration(
            port: 0, upstream: "http://127.0.0.1:\(upstreamPort)/v1", adminKey: Self.adminKey, maxBodyBytes: maxBodyBytes)
        configure(&configuration)
        let gateway = Gateway(
            configuration: configuration,
            stack: stack, namespace: namespace, metrics: metrics)
        let (port, gatewayTask) = try await start { gateway.application(onServerRunning: $0) }
        self.upstream = upstream
        self.stack = stack
        self.port = port
        self.tasks = [upstreamTask, gatewayTask]
    }

    func close() {
        for task in tasks { task.cancel() }
    }

    /// POSTs a chat completion asking `question` (or `body` as given).
    func chat(
        _ question: String, model: String = "m", headers: [(name: String, value: String)] = [],
        extra: [String: Any] = [:]
    ) async throws -> LLMCacheOpenAI.HTTPResponse {
        var body: [String: Any] = ["model": model, "messages": [["role": "user", "content": question]]]
        body.merge(extra) { $1 }
        return try await post("/v1/chat/completions", body: Array(try JSONSerialization.data(withJSONObject: body)), headers: headers)
    }

    func post(_ path: String, body: [UInt8], headers: [(name: String, value: String)] = []) async throws
        -> LLMCacheOpenAI.HTTPResponse
    {
        try await client.send(
            LLMCacheOpenAI.HTTPRequest(
                method: .post, url: "http://127.0.0.1:\(port)\(path)",
                headers: [(name: "Content-Type", value: "application/json")] + headers, body: body))
    }

    func request(_ method: LLMCacheOpenAI.HTTPRequest.Method, _ path: String, headers: [(name: String, value: String)] = []) async throws
        -> LLMCacheOpenAI.HTTPResponse
    {
        try await client.send(LLMCacheOpenAI.HTTPRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers))
    }
}

extension LLMCacheOpenAI.HTTPResponse {
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    var content: String? {
        ((json?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
    }
}

/// A Redis server `scripts/with-redis.sh` started; missing is a failure.
func testRedisURL() throws -> String { try testSetting("LLMCACHE_REDIS8_URL") }

/// `variable` from the environment, else from the file `scripts/redis.sh`
/// writes; missing is a failure.
func testSetting(_ variable: String) throws -> String {
    if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
    let file = repositoryRoot.appendingPathComponent(".cache/redis/run/env")
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") where line.hasPrefix("\(variable)=") {
        return String(line.dropFirst(variable.count + 1))
    }
    throw ServeFailure(message: "\(variable) is not set: run the tests with scripts/test.sh")
}

/// A redis-server of a test's own (the Redis 8 binary `scripts/redis.sh`
/// fetched), for tests that kill it mid-run and start it again.
final class KillableRedis: Sendable {
    let port: Int
    private let process: Mutex<Process?>

    private init(port: Int, process: Process) {
        self.port = port
        self.process = Mutex(process)
    }

    /// Starts a server on a free port and waits until it accepts connections.
    static func start() async throws -> KillableRedis {
        for _ in 0..<20 {
            let port = Int.random(in: 20_000..<60_000)
            if let process = try await launch(port: port) { return KillableRedis(port: port, process: process) }
        }
        throw ServeFailure(message: "no redis-server came up")
    }

    /// A client that notices the outage within half a second and reconnects quickly.
    func clientConfiguration() throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(port)")
        configuration.reconnectDelay = .milliseconds(10)
        configuration.maximumReconnectDelay = .milliseconds(50)
        configuration.commandTimeout = .milliseconds(500)
        return configuration
    }

    /// SIGKILL, as a crash.
    func kill() {
        guard let process = self.process.withLock({ $0.take() }) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts the server again on the same port (empty: nothing persisted).
    func restart() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let process = try await Self.launch(port: port) { return self.process.withLock { $0 = process } }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServeFailure(message: "redis-server did not restart on port \(port)")
    }

    /// A server on `port`, or `nil` when it exited (the port was taken).
    private static func launch(port: Int) async throws -> Process? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try testSetting("LLMCACHE_REDIS8_SERVER"))
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<800 {
            guard process.isRunning else { return nil }
            if let client = try? RedisClient(url: "redis://127.0.0.1:\(port)") {
                let answer = try? await client.execute(RedisCommand("PING"))
                await client.shutdown()
                if answer?.string == "PONG" { return process }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.terminate()
        return nil
    }
}
