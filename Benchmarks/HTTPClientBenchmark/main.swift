// HTTP client figures: the latency of small sequential chat calls against a
// loopback OpenAI-compatible server (scripts/http-test-server.py, started
// here), and how many TCP connections the server accepted for them, which
// shows whether the client reuses connections.
//
//   swift run -c release HTTPClientBenchmark [--runs 3] [--calls 1000] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheOpenAI

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 3
let calls = Int(BenchmarkReport.argument("calls") ?? "") ?? 1_000

/// One run: `calls` sequential chat completions through a fresh client and server.
func measure() async throws -> (sample: LatencySample, connections: Int) {
    let server = try LoopbackServer.start()
    defer { server.stop() }
    let client = OpenAIChatClient(configuration: .init(baseURL: server.baseURL, apiKey: "bench-key"))
    let request = ChatRequest(model: "chat-ok", messages: [.user("What is the capital of France?")])
    let sample = try await sampleSequentially(count: calls) { _ in
        let response = try await client.complete(request)
        precondition(response.choices.first?.message.content == "Paris is the capital of France.")
    }
    let connections = try await server.connections()
    await client.shutdown()
    return (sample, connections)
}

var p50s: [Double] = []
var p99s: [Double] = []
var rates: [Double] = []
var connections: [Double] = []
for _ in 0..<runs {
    // Off the main actor, as a server's request handlers run.
    let run = try await Task.detached { try await measure() }.value
    p50s.append(run.sample.p50)
    p99s.append(run.sample.p99)
    rates.append(run.sample.operationsPerSecond)
    connections.append(Double(run.connections))
}

var report = BenchmarkReport(name: "http_client")
report.add("runs", runs)
report.add("sequential_calls_per_run", calls)
report.add("chat_call_p50_us", median(p50s))
report.add("chat_call_p99_us", median(p99s))
report.add("chat_calls_per_second", median(rates))
report.add("server_connections_accepted", Int(median(connections)))
report.add("cores", ProcessInfo.processInfo.activeProcessorCount)
report.emit()
