import Crypto
import Foundation
import Hummingbird
import LLMCache

extension Gateway {
    /// The caller's `Authorization` header (checked against the key list
    /// when there is one) and the cache options of its request: its
    /// controls, in its partition.
    ///
    /// Callers with different keys never share answers unless the
    /// configuration says they may: each key's digest is a partition, and a
    /// selectable namespace narrows it further.
    func callerOptions(_ request: Request, controls: CacheControls) throws(GatewayError) -> (
        caller: String?, options: CacheOptions
    ) {
        let caller = request.headers[.authorization]
        if let keys = configuration.callerKeys {
            guard let caller, caller.hasPrefix("Bearer "), keys.contains(where: { Self.constantTimeEqual(caller, "Bearer \($0)") })
            else { throw GatewayError(.unauthorized, "a valid API key is required") }
        }
        var parts: [String] = []
        if !configuration.sharesAnswersAcrossCallers, let caller {
            parts.append(SHA256.hash(data: Array(caller.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined())
        }
        if let namespace = controls.namespace {
            guard configuration.selectableNamespaces.contains(namespace) else {
                throw GatewayError(.badRequest, "namespace \"\(namespace)\" is not one this gateway offers")
            }
            parts.append("ns=" + namespace)
        }
        var options = controls.options
        options.partition = parts.isEmpty ? nil : parts.joined(separator: "/")
        return (caller, options)
    }
}
