import Foundation
import Hummingbird

/// A request the gateway refuses, answered with an OpenAI-style error body
/// so that every OpenAI client reports it as it would the model's own.
public struct GatewayError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// `{"error": {"message", "type", "code"}}` with this status.
    var response: Response {
        let type = status == .unauthorized ? "authentication_error" : "invalid_request_error"
        return Gateway.json(Self.body(message: message, type: type, code: status.code), status: status)
    }

    /// An OpenAI-style error document.
    static func body(message: String, type: String, code: Int? = nil) -> [UInt8] {
        var error: [String: Any] = ["message": message, "type": type]
        if let code { error["code"] = code }
        return Array((try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data())
    }
}

/// The upstream answered with an error: passed to the caller unchanged and
/// never cached (a thrown error is never stored).
struct UpstreamFailure: Error, Sendable {
    let status: Int
    let contentType: String?
    let body: [UInt8]

    var response: Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: contentType ?? "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
