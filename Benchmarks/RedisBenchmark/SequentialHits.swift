import BenchmarkSupport
import LLMCache
import LLMCacheRedis

// The timed loops live outside main.swift on purpose: a closure formed in
// top-level code is isolated to the main actor, so every call would hop to the
// main thread and back and the figure would measure those hops, not the tier.

/// p50 of `samples` sequential calls of `body` after `warmUp` unmeasured ones, in microseconds.
func sequentialP50(warmUp: Int, samples: Int, _ body: () async throws -> Void) async throws -> Double {
    for _ in 0..<warmUp { try await body() }
    return try await sampleSequentially(count: samples) { _ in try await body() }.p50
}

/// p50 of sequential hits of `query` in `tier`.
func tierHitP50(_ tier: RedisExactTier, query: CacheQuery, warmUp: Int, samples: Int) async throws -> Double {
    try await sequentialP50(warmUp: warmUp, samples: samples) {
        let hit = try await tier.lookup(query)
        precondition(hit != nil)
    }
}

/// p50 of sequential calls of a wrapped closure that the cache answers.
func wrappedHitP50(
    _ ask: (ChatRequest) async throws -> ChatResponse, request: ChatRequest, warmUp: Int, samples: Int
) async throws -> Double {
    try await sequentialP50(warmUp: warmUp, samples: samples) { _ = try await ask(request) }
}

/// p50 of sequential `GET`s of `key` through the client, with no tier logic.
func clientGetP50(_ client: RedisClient, key: String, warmUp: Int, samples: Int) async throws -> Double {
    try await sequentialP50(warmUp: warmUp, samples: samples) {
        let reply = try await client.send(RedisCommand("GET", key))
        precondition(reply.bytes != nil)
    }
}
