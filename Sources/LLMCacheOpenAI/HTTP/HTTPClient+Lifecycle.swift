import Logging

extension HTTPClient {
    /// Stops the client: new requests fail with `.shutdown`, requests already
    /// queued or running finish, and the call returns once every transfer
    /// thread has ended (closing its connections).
    ///
    /// A client owns threads and open connections, so a server shuts it down
    /// as it shuts down its other resources, at a known point. A client that
    /// is only released stops its threads too, but without waiting for them.
    /// Calling this more than once is harmless.
    public func shutdown() async {
        await pool.stopAndWait()
    }

    /// How many requests are waiting for a free transfer slot right now: a
    /// gauge of back-pressure. It stays at 0 while fewer than
    /// `maxConcurrentTransfers` requests are in flight.
    public var queuedRequestCount: Int { pool.queuedCount }
}

/// Runs `body` with a new ``HTTPClient`` and shuts the client down when
/// `body` returns or throws, so its threads and connections never outlive
/// the work that needed them.
public func withHTTPClient<Result>(
    configuration: HTTPClient.Configuration = HTTPClient.Configuration(),
    logger: Logger = Logger(label: "llmcache.http", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (HTTPClient) async throws -> Result
) async rethrows -> Result {
    let client = HTTPClient(configuration: configuration, logger: logger)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}
