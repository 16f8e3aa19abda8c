/// Something that sits around a call: it sees the input, may call `next`
/// (the rest of the chain) or answer by itself, and sees the output.
///
/// `next` is non-escaping: a middleware cannot keep it or call it after
/// returning, which keeps chains cheap and their behaviour easy to follow.
public protocol Middleware<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    func handle(_ input: Input, next: (Input) async throws -> Output) async throws -> Output
}

/// Middleware assembled at run time, outermost first.
public struct MiddlewareChain<Input: Sendable, Output: Sendable>: Middleware {
    public var middlewares: [any Middleware<Input, Output>]

    public init(_ middlewares: [any Middleware<Input, Output>]) {
        self.middlewares = middlewares
    }

    /// Builds a chain from middleware written one per line, outermost first.
    public init(@MiddlewareBuilder<Input, Output> _ build: () -> [any Middleware<Input, Output>]) {
        self.middlewares = build()
    }

    public func handle(_ input: Input, next: (Input) async throws -> Output) async throws -> Output {
        try await call(0, input, endpoint: next)
    }

    private func call(
        _ index: Int, _ input: Input, endpoint: (Input) async throws -> Output
    ) async throws -> Output {
        guard index < middlewares.count else { return try await endpoint(input) }
        return try await middlewares[index].handle(input) { try await call(index + 1, $0, endpoint: endpoint) }
    }

    /// `endpoint` with the chain around it, as a closure of the same shape.
    public func wrap(
        _ endpoint: @escaping @Sendable (Input) async throws -> Output
    ) -> @Sendable (Input) async throws -> Output {
        { input in try await self.handle(input, next: endpoint) }
    }
}

/// Collects middleware written one per line into a chain.
@resultBuilder
public enum MiddlewareBuilder<Input: Sendable, Output: Sendable> {
    public typealias Component = [any Middleware<Input, Output>]

    public static func buildExpression(_ middleware: some Middleware<Input, Output>) -> Component { [middleware] }
    public static func buildBlock(_ components: Component...) -> Component { components.flatMap { $0 } }
    public static func buildOptional(_ component: Component?) -> Component { component ?? [] }
    public static func buildEither(first component: Component) -> Component { component }
    public static func buildEither(second component: Component) -> Component { component }
    public static func buildArray(_ components: [Component]) -> Component { components.flatMap { $0 } }
}
