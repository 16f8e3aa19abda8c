/// Lets a stack be written as a list of tiers, fastest first:
///
/// ```swift
/// let stack = CacheStack {
///     MemoryTier(maxEntries: 10_000)
///     MemorySemanticTier(embedder: embedder, threshold: 0.9)
/// }
/// ```
@resultBuilder
public enum CacheStackBuilder {
    public static func buildExpression(_ tier: some CacheTier) -> [any CacheTier] { [tier] }
    public static func buildExpression(_ tiers: [any CacheTier]) -> [any CacheTier] { tiers }
    public static func buildBlock(_ components: [any CacheTier]...) -> [any CacheTier] { components.flatMap { $0 } }
    public static func buildOptional(_ component: [any CacheTier]?) -> [any CacheTier] { component ?? [] }
    public static func buildEither(first component: [any CacheTier]) -> [any CacheTier] { component }
    public static func buildEither(second component: [any CacheTier]) -> [any CacheTier] { component }
    public static func buildArray(_ components: [[any CacheTier]]) -> [any CacheTier] { components.flatMap { $0 } }
}
