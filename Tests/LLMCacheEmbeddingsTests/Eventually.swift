import Testing

/// Waits until `condition` holds, checking every millisecond, and fails the
/// test after `limit`. Tests wait for a state (texts queued, a pass begun),
/// never for a guessed duration; the limit only keeps a bug from hanging CI.
func eventually(
    within limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition still false after \(limit)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(1))
    }
}
