// Streaming figures: how soon a replayed hit delivers its first chunk, how
// fast an unpaced replay runs, and what a miss costs per chunk on its way
// through the cache (forwarded, recorded, stored) next to reading the
// model's stream directly.
//
//   swift run -c release StreamingBenchmark [--runs 5] [--calls 2000] [--chunks 300] [--json]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheOpenAI

let runs = Int(BenchmarkReport.argument("runs") ?? "") ?? 5
let calls = Int(BenchmarkReport.argument("calls") ?? "") ?? 2_000
let tokens = Int(BenchmarkReport.argument("chunks") ?? "") ?? 300

// An OpenAI-shaped answer: a role chunk, one chunk per token, a finish chunk, a usage chunk.
func chunk(_ delta: ChatStreamChunk.Delta, finish: String? = nil) -> ChatStreamChunk {
    ChatStreamChunk(
        id: "chatcmpl-bench", model: "gpt-4o-mini", created: 1_700_000_000,
        choices: [.init(delta: delta, finishReason: finish)])
}
let words = ["The", " cache", " replays", " the", " stored", " answer", " without", " calling", " the", " model."]
let answer: [ChatStreamChunk] =
    [chunk(.init(role: .assistant, content: ""))]
    + (0..<tokens).map { chunk(.init(content: words[$0 % words.count])) }
    + [chunk(.init(), finish: "stop"),
       ChatStreamChunk(id: "chatcmpl-bench", model: "gpt-4o-mini", created: 1_700_000_000, choices: [],
                       usage: TokenUsage(promptTokens: 30, completionTokens: tokens))]

/// A model that has its whole answer ready: what is measured is the cache.
@Sendable func model(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamChunk, any Error> {
    AsyncThrowingStream { continuation in
        for piece in answer { continuation.yield(piece) }
        continuation.finish()
    }
}

func question(_ number: Int) -> ChatRequest {
    ChatRequest(model: "gpt-4o-mini", messages: [.system("Be brief."), .user("Question \(number)?")], temperature: 0)
}

func microseconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 }

/// Time to the first chunk of a memory-tier hit through a wrapped stream
/// (p50, p99 in µs), and chunks per second of the whole unpaced replay.
func measureReplays() async throws -> (p50: Double, p99: Double, chunksPerSecond: Double) {
    let stack = CacheStack { MemoryTier(maxEntries: 10_000, maxBytes: 256 << 20, ttl: .seconds(3600)) }
    let cachedStream = stack.wrapStream(model)
    for try await _ in cachedStream(question(0)) {}
    var firstChunk = [Double](repeating: 0, count: calls)
    var replayNanoseconds: Double = 0
    for index in 0..<calls {
        let start = DispatchTime.now().uptimeNanoseconds
        var iterator = cachedStream(question(0)).makeAsyncIterator()
        guard try await iterator.next() != nil else { fatalError("empty replay") }
        firstChunk[index] = microseconds(since: start)
        var count = 1
        while try await iterator.next() != nil { count += 1 }
        replayNanoseconds += Double(DispatchTime.now().uptimeNanoseconds - start)
        precondition(count == answer.count)
    }
    precondition(stack.statistics.computed == 1, "every measured call must be a hit")
    let percentiles = Percentiles(firstChunk)
    let chunksPerSecond = Double(calls * answer.count) / (replayNanoseconds / 1e9)
    return (percentiles.value(at: 0.5), percentiles.value(at: 0.99), chunksPerSecond)
}

/// Per chunk, in ns: reading the model's stream directly, and through the
/// cache on a miss (forwarded to the consumer by the production task,
/// recorded, stored at the end). The model's answer is complete before it is
/// read, so the consumer and the production task hand every chunk across
/// threads as fast as they can: the worst case for the hand-off.
func measureMisses() async throws -> (direct: Double, cached: Double) {
    let missCalls = max(calls / 10, 50)
    let stack = CacheStack { MemoryTier(maxEntries: 100_000, maxBytes: 1 << 30, ttl: .seconds(3600)) }
    let cachedStream = stack.wrapStream(model)
    var direct: Double = 0
    var cached: Double = 0
    for index in 0..<missCalls {
        var start = DispatchTime.now().uptimeNanoseconds
        for try await _ in model(question(index)) {}
        direct += Double(DispatchTime.now().uptimeNanoseconds - start)
        start = DispatchTime.now().uptimeNanoseconds
        for try await _ in cachedStream(question(index + 1)) {}
        cached += Double(DispatchTime.now().uptimeNanoseconds - start)
    }
    precondition(stack.statistics.computed == missCalls, "every measured call must be a miss")
    let chunks = Double(missCalls * answer.count)
    return (direct / chunks, cached / chunks)
}

/// A model that sends 200 chunks 500 µs apart, each stamped (in `created`)
/// with the uptime in ns at which it was sent.
@Sendable func pacedModel(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamChunk, any Error> {
    let (stream, continuation) = AsyncThrowingStream<ChatStreamChunk, any Error>.makeStream()
    let task = Task {
        for _ in 0..<200 {
            try? await Task.sleep(for: .microseconds(500))
            let now = Int(DispatchTime.now().uptimeNanoseconds)
            continuation.yield(ChatStreamChunk(id: "paced", model: "m", created: now, choices: [.init(delta: .init(content: " token"))]))
        }
        continuation.finish()
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
}

/// p50 of the time from the model sending a chunk to the consumer having it,
/// in µs, reading the model directly and through the cache on a miss: the
/// delay the cache adds to a live stream.
func measureChunkDelay() async throws -> (direct: Double, cached: Double) {
    let stack = CacheStack { MemoryTier(maxEntries: 1_000, maxBytes: 64 << 20, ttl: .seconds(3600)) }
    let cachedStream = stack.wrapStream(pacedModel)
    var direct: [Double] = []
    var cached: [Double] = []
    for index in 0..<5 {
        for try await chunk in pacedModel(question(index)) { direct.append(microseconds(since: UInt64(chunk.created))) }
        for try await chunk in cachedStream(question(index)) { cached.append(microseconds(since: UInt64(chunk.created))) }
    }
    precondition(stack.statistics.computed == 5, "every measured call must be a miss")
    return (Percentiles(direct).median, Percentiles(cached).median)
}

/// Median time to decode the stored recording of the whole answer, in µs:
/// what a hit does before its first chunk, besides the lookup.
func measureDecode() throws -> Double {
    let bytes = try RecordedStream(chunks: answer).cacheEncoded()
    var samples: [Double] = []
    for _ in 0..<calls {
        let start = DispatchTime.now().uptimeNanoseconds
        let decoded = try RecordedStream<ChatStreamChunk>(cacheEncoded: bytes)
        samples.append(microseconds(since: start))
        precondition(decoded.chunks.count == answer.count)
    }
    return Percentiles(samples).median
}

var p50s: [Double] = []
var p99s: [Double] = []
var rates: [Double] = []
var decodes: [Double] = []
var directDelays: [Double] = []
var cachedDelays: [Double] = []
var directs: [Double] = []
var misses: [Double] = []
for _ in 0..<runs {
    // Off the main actor, as a server's request handlers run.
    let replay = try await Task.detached { try await measureReplays() }.value
    p50s.append(replay.p50)
    p99s.append(replay.p99)
    rates.append(replay.chunksPerSecond)
    decodes.append(try measureDecode())
    let delay = try await Task.detached { try await measureChunkDelay() }.value
    directDelays.append(delay.direct)
    cachedDelays.append(delay.cached)
    let miss = try await Task.detached { try await measureMisses() }.value
    directs.append(miss.direct)
    misses.append(miss.cached)
}

var report = BenchmarkReport(name: "streaming")
report.add("runs", runs)
report.add("chunks_per_answer", answer.count)
report.add("recording_bytes", try RecordedStream(chunks: answer).cacheEncoded().count)
report.add("replay_calls_per_run", calls)
report.add("replay_first_chunk_p50_us", median(p50s))
report.add("replay_first_chunk_p99_us", median(p99s))
report.add("replay_unpaced_chunks_per_second", median(rates))
report.add("recording_decode_p50_us", median(decodes))
report.add("miss_direct_per_chunk_ns", median(directs))
report.add("miss_through_cache_per_chunk_ns", median(misses))
report.add("live_chunk_delay_direct_p50_us", median(directDelays))
report.add("live_chunk_delay_through_cache_p50_us", median(cachedDelays))
report.add("cores", ProcessInfo.processInfo.activeProcessorCount)
report.emit()
