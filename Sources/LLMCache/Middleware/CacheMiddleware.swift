/// A ``CacheStack`` as a middleware, to put caching anywhere in a chain
/// (after a rate limiter, before a retrier, ...).
public struct CacheMiddleware<Input: CacheableRequest, Output: CacheValue>: Middleware {
    public let stack: CacheStack

    public init(stack: CacheStack, for input: Input.Type = Input.self, _ output: Output.Type = Output.self) {
        self.stack = stack
    }

    public func handle(_ input: Input, next: (Input) async throws -> Output) async throws -> Output {
        try await stack.response(for: input, compute: next).value
    }
}

/// Runs a closure with middleware; lets a chain end in a plain function.
public struct ClosureMiddleware<Input: Sendable, Output: Sendable>: Middleware {
    private let body: @Sendable (Input, (Input) async throws -> Output) async throws -> Output

    public init(_ body: @escaping @Sendable (Input, (Input) async throws -> Output) async throws -> Output) {
        self.body = body
    }

    public func handle(_ input: Input, next: (Input) async throws -> Output) async throws -> Output {
        try await body(input, next)
    }
}
