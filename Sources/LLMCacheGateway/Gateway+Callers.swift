import Crypto
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
            // The digest's first half in hex (`CacheKey.hex`, not a formatter per byte: this runs per request).
            let digest = CacheKey(bytes: Array(SHA256.hash(data: Array(caller.utf8))))!
            parts.append(String(digest.hex.prefix(32)))
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
