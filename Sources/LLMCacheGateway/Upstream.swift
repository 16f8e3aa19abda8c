import Hummingbird
import LLMCacheOpenAI

/// The model server behind the gateway, called with the caller's body (the
/// `cache` object removed) and the right key.
struct Upstream: Sendable {
    let client: HTTPClient
    let baseURL: String
    let key: String?

    /// The headers to send for a caller whose own `Authorization` is `caller`.
    func headers(caller: String?) -> [(name: String, value: String)] {
        var headers = [(name: "Content-Type", value: "application/json")]
        if let authorization = key.map({ "Bearer \($0)" }) ?? caller {
            headers.append((name: "Authorization", value: authorization))
        }
        return headers
    }

    /// POSTs `body` to `path`; a non-2xx answer is thrown as ``UpstreamFailure``.
    func post(_ path: String, body: [UInt8], caller: String?) async throws -> [UInt8] {
        let response: LLMCacheOpenAI.HTTPResponse
        do {
            response = try await client.send(
                LLMCacheOpenAI.HTTPRequest(method: .post, url: baseURL + path, headers: headers(caller: caller), body: body))
        } catch {
            throw UpstreamFailure(status: 502, contentType: nil, body: Self.errorBody("upstream unreachable: \(error)"))
        }
        guard response.isSuccess else {
            throw UpstreamFailure(status: response.status, contentType: response.header("Content-Type"), body: response.body)
        }
        return response.body
    }

    /// POSTs a streamed request's `body` to `path` and returns its events as
    /// they arrive; a non-2xx answer is thrown as ``UpstreamFailure`` with
    /// the upstream's status and message.
    func stream(_ path: String, body: [UInt8], caller: String?) async throws(UpstreamFailure)
        -> ServerSentEvents<AsyncThrowingStream<[UInt8], any Error>>
    {
        do {
            let answer = try await client.stream(
                LLMCacheOpenAI.HTTPRequest(method: .post, url: baseURL + path, headers: headers(caller: caller), body: body))
            return ServerSentEvents(base: answer.body)
        } catch where error.code == .httpStatus {
            throw UpstreamFailure(
                status: error.status ?? 502, contentType: nil, body: Self.errorBody(error.serverMessage ?? error.message))
        } catch {
            throw UpstreamFailure(status: 502, contentType: nil, body: Self.errorBody("upstream unreachable: \(error)"))
        }
    }

    /// GETs `path` and returns the upstream's answer whatever its status.
    func get(_ path: String, caller: String?) async throws -> LLMCacheOpenAI.HTTPResponse {
        do {
            return try await client.send(
                LLMCacheOpenAI.HTTPRequest(method: .get, url: baseURL + path, headers: headers(caller: caller)))
        } catch {
            throw UpstreamFailure(status: 502, contentType: nil, body: Self.errorBody("upstream unreachable: \(error)"))
        }
    }

    static func errorBody(_ message: String) -> [UInt8] {
        GatewayError.body(message: message, type: "upstream_error")
    }
}
