import LLMCache
import LLMCacheTesting
import Synchronization

/// A tier that delegates to a ``MemoryTier`` but can be told to fail, to test
/// how the stack treats a tier in trouble (the behaviour of a real Redis that
/// is down is tested against a real server in the Redis module's tests).
final class SwitchableFailingTier: CacheTier {
    struct Failure: PartialTierFailure {
        var isPartial = false
    }

    let name: String
    let matching: TierMatching = .exact
    let inner: MemoryTier
    private let failing = Atomic<Bool>(false)
    private let lookups = Atomic<Int>(0)
    private let partial = Atomic<Bool>(false)

    /// Whether failures say that only part of the tier failed (see `PartialTierFailure`).
    var failsPartially: Bool {
        get { partial.load(ordering: .relaxed) }
        set { partial.store(newValue, ordering: .relaxed) }
    }

    init(name: String = "flaky", clock: ManualCacheClock) {
        self.name = name
        inner = MemoryTier(name: name, configuration: .init(ttl: nil), clock: clock)
    }

    var isFailing: Bool {
        get { failing.load(ordering: .relaxed) }
        set { failing.store(newValue, ordering: .relaxed) }
    }

    var lookupCount: Int { lookups.load(ordering: .relaxed) }

    func lookup(_ query: CacheQuery) throws -> CacheHit? {
        lookups.add(1, ordering: .relaxed)
        if isFailing { throw Failure(isPartial: failsPartially) }
        return inner.lookup(query)
    }

    func store(_ entry: CacheEntry, for query: CacheQuery) throws {
        if isFailing { throw Failure(isPartial: failsPartially) }
        inner.store(entry, for: query)
    }

    func invalidate(tags: Set<String>) throws -> Int {
        if isFailing { throw Failure() }
        return inner.invalidate(tags: tags)
    }

    func removeAll() throws {
        if isFailing { throw Failure() }
        inner.removeAll()
    }

    func namespaceVersionDidChange(to version: UInt64) {
        inner.namespaceVersionDidChange(to: version)
    }
}

/// A counter that concurrent test tasks can share.
final class SharedCounter: Sendable {
    private let storage = Atomic<Int>(0)

    @discardableResult
    func increment() -> Int { storage.add(1, ordering: .relaxed).newValue }

    var value: Int { storage.load(ordering: .relaxed) }
}

/// A model stand-in for tests that counts its calls.
final class CountingModel: Sendable {
    private let calls = Atomic<Int>(0)
    let usage: TokenUsage

    init(usage: TokenUsage = TokenUsage(promptTokens: 10, completionTokens: 20)) { self.usage = usage }

    var callCount: Int { calls.load(ordering: .relaxed) }

    func answer(_ request: ChatRequest) async throws -> ChatResponse {
        let number = calls.add(1, ordering: .relaxed).newValue
        return ChatResponse(
            id: "resp-\(number)", model: request.model, created: 1_700_000_000,
            choices: [.init(message: .assistant("answer \(number) to \(request.semanticText ?? "")"))],
            usage: usage)
    }

    func answer(_ prompt: String) async throws -> String {
        let number = calls.add(1, ordering: .relaxed).newValue
        return "answer \(number) to \(prompt)"
    }
}

func chat(_ text: String, model: String = "gpt-test", system: String = "You are helpful.") -> ChatRequest {
    ChatRequest(model: model, messages: [.system(system), .user(text)])
}

func entry(
    _ text: String, clock: some CacheClock, ttl: Duration? = .seconds(60), tags: Set<String> = [],
    version: UInt64 = 0
) -> CacheEntry {
    let now = clock.now
    return CacheEntry(
        value: Array(text.utf8), createdAt: now, expiresAt: ttl.map { now.advanced(by: $0) }, tags: tags,
        sourceText: text, namespaceVersion: version)
}

func query(_ text: String, partition: String? = nil, version: UInt64 = 0) -> CacheQuery {
    CacheQuery(request: text, partition: partition, namespaceVersion: version)
}
