/// One request on its way through a ``TransferPool``: either it runs on a
/// worker's easy handle, or it is turned away without running (queue full,
/// cancelled while queued, client shut down). Exactly one of the two happens.
final class TransferJob: Sendable {
    /// Set when the caller gives up; checked before the job is queued or run
    /// and by libcurl's callbacks while it runs.
    let cancellation: CancellationFlag
    private let body: @Sendable (CurlEasyHandle?) -> () -> Void
    private let failure: @Sendable (HTTPClientError) -> Void

    /// A job. `run` gets the worker's handle (nil if libcurl could not make
    /// one), performs the transfer and returns how to report its outcome; the
    /// worker calls that only after making itself available again, so a
    /// caller who sends its next request at once finds this worker, and its
    /// open connection, instead of starting another thread.
    init(
        cancellation: CancellationFlag, run: @escaping @Sendable (CurlEasyHandle?) -> () -> Void,
        reject: @escaping @Sendable (HTTPClientError) -> Void
    ) {
        self.cancellation = cancellation
        self.body = run
        self.failure = reject
    }

    /// Runs the transfer on the calling (worker) thread; returns the report of its outcome.
    func run(_ handle: CurlEasyHandle?) -> () -> Void { body(handle) }

    /// Reports that the job will never run.
    func reject(_ error: HTTPClientError) { failure(error) }
}
