import Foundation
import LLMCache

/// A 2xx response whose body is still arriving.
///
/// Server-sent events (chat streaming) are useful only if each piece reaches
/// the caller as it arrives, so the body is an asynchronous sequence of byte
/// chunks rather than one array.
public struct HTTPStreamingResponse: Sendable {
    /// The status code (2xx).
    public var status: Int
    /// Header fields of the response, in the order received.
    public var headers: [(name: String, value: String)]
    /// The body as it arrives, in order. It finishes when the server ends the
    /// response, and throws `HTTPClientError` when the transfer fails
    /// mid-way (`.connectionFailed` for a connection closed early,
    /// `.timeout`, `.responseTooLarge`). Cancelling the iterating task
    /// aborts the transfer; merely leaving the loop early does not (an
    /// `AsyncThrowingStream` cannot see that while the transfer holds its
    /// continuation), so cancel the task to stop a transfer you no longer want.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    /// A response; made by the client (and by tests of code that consumes one).
    public init(
        status: Int, headers: [(name: String, value: String)],
        body: AsyncThrowingStream<[UInt8], any Error>
    ) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively as HTTP requires.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

extension HTTPClient {
    /// Sends the request and returns as soon as the first body byte of a 2xx
    /// response arrives, with the rest of the body streamed.
    ///
    /// Retries follow the retry policy, but only **before** the first body
    /// byte: a failed connection or a 429/5xx answer is sent again, whereas a
    /// stream that breaks later surfaces as an error from `body`, because
    /// what the caller has already consumed cannot be taken back. The
    /// configured `timeout` bounds the whole transfer, streamed body included.
    ///
    /// - Throws: `HTTPClientError`, as ``execute(_:)`` does, for failures
    ///   before the body started.
    public func stream(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPStreamingResponse {
        try await withRetries(request) { await self.streamAttempt(request) }
    }

    /// One attempt: the transfer runs on one of the client's transfer
    /// threads, which it keeps until the body ends; the head (or the failure)
    /// resumes the caller, body pieces go into an unbounded stream.
    private func streamAttempt(_ request: HTTPRequest) async -> AttemptOutcome<HTTPStreamingResponse> {
        if Task.isCancelled {
            return .failed(HTTPClientError(.cancelled, "cancelled before the request was sent"))
        }
        let settings = transferSettings
        let cancellation = CancellationFlag()
        let pool = self.pool
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        bodyContinuation.onTermination = { termination in
            // The consumer stopped listening (or dropped the stream): stop curl.
            if case .cancelled = termination { cancellation.cancel() }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (head: CheckedContinuation<AttemptOutcome<HTTPStreamingResponse>, Never>) in
                pool.submit(
                    TransferJob(
                        cancellation: cancellation,
                        run: { handle in
                            Self.runStream(
                                request, on: handle, settings: settings, cancellation: cancellation, head: head,
                                body: body, bodyContinuation: bodyContinuation)
                        },
                        reject: { error in
                            head.resume(returning: .failed(error))
                            bodyContinuation.finish()
                        }))
            }
        } onCancel: {
            // Flag first: a job submitted after this sees it and is rejected.
            cancellation.cancel()
            pool.cancelQueued(cancellation)
        }
    }

    /// The body of a streamed attempt, on the transfer thread: resumes `head`
    /// exactly once (at the first body byte, or in the returned report) and
    /// finishes the body stream in the returned report.
    private static func runStream(
        _ request: HTTPRequest, on handle: CurlEasyHandle?, settings: CurlTransfer.Settings,
        cancellation: CancellationFlag, head: CheckedContinuation<AttemptOutcome<HTTPStreamingResponse>, Never>,
        body: AsyncThrowingStream<[UInt8], any Error>,
        bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) -> () -> Void {
        let started = StartFlag()
        let handlers = CurlTransfer.StreamHandlers(
            begin: { status, headers in
                started.value = true
                head.resume(returning: .success(HTTPStreamingResponse(status: status, headers: headers, body: body)))
            },
            bytes: { bytes in bodyContinuation.yield(Array(bytes)) })
        let result = CurlTransfer.perform(
            request, on: handle, settings: settings, cancellation: cancellation, streaming: handlers)
        return { finish(result, started: started.value, head: head, body: body, bodyContinuation: bodyContinuation) }
    }

    /// Reports a streamed attempt's end: the head if it was never delivered,
    /// then the end (or failure) of the body.
    private static func finish(
        _ result: Result<HTTPResponse, HTTPClientError>, started: Bool,
        head: CheckedContinuation<AttemptOutcome<HTTPStreamingResponse>, Never>,
        body: AsyncThrowingStream<[UInt8], any Error>,
        bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) {
        switch result {
        case .success(let response):
            if !started {
                // Never reached a body byte: an empty 2xx body, or a complete error answer.
                head.resume(
                    returning: response.isSuccess
                        ? .success(HTTPStreamingResponse(status: response.status, headers: response.headers, body: body))
                        : .rejected(response))
            }
            bodyContinuation.finish()
        case .failure(let error):
            if started {
                bodyContinuation.finish(throwing: error)
            } else {
                head.resume(returning: .failed(error))
                bodyContinuation.finish()
            }
        }
    }
}

/// Whether the head was delivered; touched only by one transfer thread.
private final class StartFlag {
    var value = false
}
