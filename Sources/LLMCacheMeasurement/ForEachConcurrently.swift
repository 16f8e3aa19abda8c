/// Runs `body` for every element from `tasks` concurrent tasks, task `t`
/// taking elements `t`, `t + tasks`, …: the load of `tasks` writers or
/// clients sharing one list of work, as the benchmarks drive it.
public func forEachConcurrently<T: Sendable>(
    _ items: [T], tasks: Int, _ body: @escaping @Sendable (T) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<tasks {
            group.addTask {
                for index in stride(from: task, to: items.count, by: tasks) { try await body(items[index]) }
            }
        }
        try await group.waitForAll()
    }
}
