import Foundation
import Synchronization

/// What one measured phase produced: every operation's latency and the rate
/// the operations ran at, so a report can quote p50, p99 and operations per
/// second from one run.
public struct LatencySample: Sendable {
    /// Per-operation latencies, in microseconds.
    public let microseconds: Percentiles
    /// Wall-clock time of the whole phase, in seconds.
    public let seconds: Double

    public init(microseconds: Percentiles, seconds: Double) {
        self.microseconds = microseconds
        self.seconds = seconds
    }

    /// How many operations were timed.
    public var count: Int { microseconds.sorted.count }
    public var p50: Double { microseconds.value(at: 0.5) }
    public var p99: Double { microseconds.value(at: 0.99) }
    /// Operations completed per second of wall-clock time (all tasks together).
    public var operationsPerSecond: Double { seconds > 0 ? Double(count) / seconds : 0 }
}

/// Runs `body(0)`, `body(1)`, … `body(count - 1)` one after another and times
/// each call on the monotonic clock.
///
/// `progress` hears the number of calls done about a hundred times per phase
/// (never per call, so it costs nothing measurable), and cancellation is
/// checked as often: an interrupted benchmark stops promptly and can clean up.
public func sampleSequentially(
    count: Int, progress: (Int) -> Void = { _ in }, _ body: (Int) async throws -> Void
) async throws -> LatencySample {
    var samples = [Double](repeating: 0, count: count)
    let step = max(1, count / 100)
    let phaseStart = DispatchTime.now().uptimeNanoseconds
    for index in 0..<count {
        if index % step == 0 {
            try Task.checkCancellation()
            progress(index)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        try await body(index)
        samples[index] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - phaseStart) / 1e9
    progress(count)
    return LatencySample(microseconds: Percentiles(samples), seconds: seconds)
}

/// Runs `tasks` child tasks, each calling `body(task, index)` for index
/// `0..<operationsPerTask`, and times every call: latency under load and the
/// combined rate.
///
/// `progress` hears the running total of calls (from any task) about a
/// hundred times per task; cancellation is checked as often.
public func sampleConcurrently(
    tasks: Int, operationsPerTask: Int, progress: @escaping @Sendable (Int) -> Void = { _ in },
    _ body: @escaping @Sendable (_ task: Int, _ index: Int) async throws -> Void
) async throws -> LatencySample {
    let done = OperationCounter()
    let step = max(1, operationsPerTask / 100)
    let phaseStart = DispatchTime.now().uptimeNanoseconds
    let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
        for task in 0..<tasks {
            group.addTask {
                var samples = [Double](repeating: 0, count: operationsPerTask)
                for index in 0..<operationsPerTask {
                    if index % step == 0 {
                        try Task.checkCancellation()
                        if index > 0 { progress(done.add(step)) }
                    }
                    let start = DispatchTime.now().uptimeNanoseconds
                    try await body(task, index)
                    samples[index] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
                }
                return samples
            }
        }
        var all: [Double] = []
        all.reserveCapacity(tasks * operationsPerTask)
        for try await taskSamples in group { all += taskSamples }
        return all
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - phaseStart) / 1e9
    progress(tasks * operationsPerTask)
    return LatencySample(microseconds: Percentiles(samples), seconds: seconds)
}

/// Microseconds elapsed since `start` on the continuous clock.
public func microseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
}

/// A running total shared by concurrent tasks.
private final class OperationCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds `count` and returns the new total.
    func add(_ count: Int) -> Int { value.wrappingAdd(count, ordering: .relaxed).newValue }
}
