internal import CLLMCacheTLS

/// TLS settings of a connection: what managed Redis services (ElastiCache,
/// Redis Cloud, Upstash, Memorystore) require, and `rediss://` URLs select.
///
/// The server's certificate is always verified unless ``verifiesPeer`` is
/// turned off: against ``certificateAuthorityFile`` when given, else the
/// system's trust store; its name must match ``serverName`` (the host of the
/// endpoint by default). TLS 1.2 is the oldest version accepted.
public struct RedisTLS: Sendable, Hashable {
    /// A PEM file of the certificate authorities to trust instead of the
    /// system store (self-hosted servers with a private CA).
    public var certificateAuthorityFile: String?
    /// A PEM client certificate chain, for servers that require mutual TLS.
    public var certificateFile: String?
    /// The client certificate's PEM private key; `nil` reads it from
    /// ``certificateFile``.
    public var keyFile: String?
    /// The name sent as SNI and checked against the certificate (a DNS name
    /// or an IP address); `nil` uses the endpoint's host. Needed when the
    /// server is reached through an address its certificate does not name.
    public var serverName: String?
    /// Whether the server's certificate is checked. Turning it off accepts
    /// any server, including an attacker's: for debugging only.
    public var verifiesPeer: Bool

    public init(
        certificateAuthorityFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        serverName: String? = nil, verifiesPeer: Bool = true
    ) {
        self.certificateAuthorityFile = certificateAuthorityFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.verifiesPeer = verifiesPeer
    }

    /// An OpenSSL client context with these settings; the caller frees it.
    func makeContext() throws(RedisError) -> OpaquePointer {
        var text = [CChar](repeating: 0, count: 512)
        let context = text.withUnsafeMutableBufferPointer { buffer in
            llmcache_tls_context_new(
                certificateAuthorityFile, certificateFile, keyFile, verifiesPeer ? 1 : 0, buffer.baseAddress,
                buffer.count)
        }
        guard let context else {
            throw RedisError(.tlsFailed, String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return context
    }
}
