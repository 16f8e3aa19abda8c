import Foundation
import LLMCache

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal client for `POST {base}/v1/chat/completions`, used when
/// `OPENAI_API_KEY` is set. (The library's own libcurl client replaces this
/// once it lands; the example keeps its dependency surface small.)
struct OpenAICompatibleModel: Sendable {
    let baseURL: URL
    let apiKey: String

    struct HTTPFailure: Error, CustomStringConvertible {
        let status: Int
        let body: String
        var description: String { "HTTP \(status): \(body)" }
    }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var http = URLRequest(url: baseURL.appendingPathComponent("v1/chat/completions"))
        http.httpMethod = "POST"
        http.timeoutInterval = 60
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        http.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        http.httpBody = try JSONEncoder().encode(request)
        let (data, response) = try await URLSession.shared.data(for: http)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw HTTPFailure(status: status, body: String(decoding: data, as: UTF8.self)) }
        return try JSONDecoder().decode(ChatResponse.self, from: data)
    }
}
