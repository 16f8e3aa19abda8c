import LLMCache

/// One test at a time on the local clusters, across test targets.
///
/// Why: some tests kill cluster nodes and wait for failovers; a test of
/// another target using the same cluster meanwhile would see the outage
/// and fail for a reason of no concern to it. Suites of one target can be
/// `.serialized`; tests of different targets share only this module.
public enum LocalClusters {
    private static let turn = AsyncPermits(count: 1)

    /// Runs `body` while no other caller of this function runs.
    public static func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        try await turn.run(body)
    }
}
