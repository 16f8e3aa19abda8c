import Foundation

/// Pulls a human-readable explanation out of an error response body.
///
/// Kept apart from the client so the one place that knows the shapes of
/// provider error documents is easy to extend.
enum ServerMessage {
    /// The longest body excerpt quoted when the body is not a known error shape.
    static let excerptLimit = 500

    static func extract(from body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                return message
            }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
            if let detail = object["detail"] as? String { return detail }
        }
        let text = String(decoding: body.prefix(excerptLimit), as: UTF8.self).trimmingSpaces
        guard !text.isEmpty else { return nil }
        return body.count > excerptLimit ? text + "…" : text
    }
}
