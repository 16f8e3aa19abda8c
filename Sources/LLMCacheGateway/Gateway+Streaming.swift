import Hummingbird
import LLMCache
import LLMCacheOpenAI

extension Gateway {
    /// A streamed chat completion through the stack: a hit replays the
    /// recorded events (paced as ``GatewayConfiguration/streamCaching``
    /// says), a miss forwards the upstream's events as they arrive while the
    /// stack records them, and identical streams running at once share one
    /// upstream call.
    ///
    /// The response head waits for the first event, so an upstream that
    /// refuses the request is answered with its own status instead of a 200
    /// followed by a broken stream. A stream that fails later is cut short
    /// (and not stored); a caller that disconnects leaves the shared stream,
    /// and the last one to leave cancels the upstream call.
    func streamCompletion(
        _ request: GatewayChatRequest, forwarded: [UInt8], caller: String?, options: CacheOptions
    ) async throws -> Response {
        let result = await stack.streamResponse(for: request, options: options, caching: configuration.streamCaching) {
            _ in try await self.upstream.stream("/chat/completions", body: forwarded, caller: caller)
        }
        let (events, reader): (AsyncThrowingStream<ByteBuffer, any Error>, Task<Void, Never>)
        do {
            (events, reader) = try await Self.afterFirstEvent(of: result.value)
        } catch let failure as UpstreamFailure {
            throw failure
        } catch {
            throw UpstreamFailure(status: 502, contentType: nil, body: Upstream.errorBody("the upstream stream failed: \(error)"))
        }
        var headers = CacheStatus(result, stored: !options.skipStore).headers
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        // A caller that goes away fails a write: the reader stops, and with
        // it the caller's share of the stream.
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { reader.cancel() }
                for try await event in events { try await writer.write(event) }
                try await writer.finish(nil)
            })
    }

    /// `stream`'s events as response-body buffers, returned once the first
    /// has arrived (or the stream ended empty); the first event's error is
    /// thrown instead. `reader`, the task that reads `stream`, is to be
    /// cancelled when the events are no longer wanted.
    static func afterFirstEvent(of stream: AsyncThrowingStream<ServerSentEvent, any Error>) async throws
        -> (events: AsyncThrowingStream<ByteBuffer, any Error>, reader: Task<Void, Never>)
    {
        let (body, output) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let first = AsyncThrowingStream<Void, any Error>.makeStream()
        let reader = Task {
            var started = false
            do {
                for try await event in stream {
                    output.yield(ByteBuffer(bytes: event.bytes))
                    if !started {
                        started = true
                        first.continuation.finish()
                    }
                }
                output.finish()
                first.continuation.finish()
            } catch {
                output.finish(throwing: error)
                first.continuation.finish(throwing: error)
            }
        }
        output.onTermination = { _ in reader.cancel() }
        do {
            try await withTaskCancellationHandler {
                for try await _ in first.stream {}
            } onCancel: {
                reader.cancel()
            }
        } catch {
            reader.cancel()
            throw error
        }
        return (body, reader)
    }
}
