/// One test at a time on the local clusters, across test targets.
///
/// Why: some tests kill cluster nodes and wait for failovers; a test of
/// another target using the same cluster meanwhile would see the outage
/// and fail for a reason of no concern to it. Suites of one target can be
/// `.serialized`; tests of different targets share only this module.
public enum LocalClusters {
    private static let gate = Gate()

    /// Runs `body` while no other caller of this function runs.
    public static func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        await gate.enter()
        do {
            let result = try await body()
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw error
        }
    }

    /// A first-come, first-served lock for async callers.
    private actor Gate {
        private var isHeld = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func enter() async {
            guard isHeld else {
                isHeld = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty {
                isHeld = false
            } else {
                waiting.removeFirst().resume()
            }
        }
    }
}
