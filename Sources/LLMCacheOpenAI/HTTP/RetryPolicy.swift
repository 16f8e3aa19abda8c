/// When and how long to wait before sending a failed request again.
///
/// Rate limits (429), server errors (5xx) and failed connections are usually
/// transient, so they are retried with exponential backoff and *full jitter*
/// (a uniformly random wait between zero and the exponential cap), which
/// spreads out clients that failed together instead of having them retry in
/// lock step. A server's `Retry-After` wins over the computed wait, but never
/// beyond `maxDelay`, so one bad header cannot stall a caller for minutes.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    /// The cap of the first backoff; it doubles with every further attempt.
    public var baseDelay: Duration
    /// The longest wait between two attempts, `Retry-After` included.
    public var maxDelay: Duration
    /// Whether a request that hit the total timeout is sent again. Off by
    /// default: a server too slow once is likely too slow again, and each
    /// retry would cost a whole timeout more.
    public var retriesTimeouts: Bool

    /// A policy; the defaults suit a hosted API (3 attempts, 0.5 s doubling, at most 8 s).
    public init(
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        retriesTimeouts: Bool = false
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(.zero, maxDelay)
        self.retriesTimeouts = retriesTimeouts
    }

    /// Never retry.
    public static var none: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// Whether a response with this status is worth sending again.
    public func retries(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    /// Whether a transport failure is worth sending again.
    public func retries(_ error: HTTPClientError) -> Bool {
        error.code == .connectionFailed || (retriesTimeouts && error.code == .timeout)
    }

    /// The wait after failed attempt number `attempt` (1-based): the server's
    /// `retryAfter` capped by `maxDelay` when given, otherwise a uniformly
    /// random duration in `0...min(maxDelay, baseDelay * 2^(attempt-1))`.
    public func delay<R: RandomNumberGenerator>(
        afterAttempt attempt: Int, retryAfter: Duration?, using random: inout R
    ) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let cap = min(maxDelay, baseDelay * Double(1 << min(max(attempt - 1, 0), 30)))
        let capNanoseconds = cap.nanoseconds
        guard capNanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...capNanoseconds, using: &random))
    }

    /// ``delay(afterAttempt:retryAfter:using:)`` with the system random generator.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, using: &random)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }

    /// The duration in whole milliseconds, at least 1 when positive (curl reads 0 as "no limit").
    var curlMilliseconds: Int {
        let ms = nanoseconds / 1_000_000
        return nanoseconds > 0 ? Int(max(ms, 1)) : 0
    }
}
