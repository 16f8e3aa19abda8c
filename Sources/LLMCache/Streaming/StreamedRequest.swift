/// A request asked for as a stream: the same fingerprint, semantic text and
/// scope, plus a marker, so that a streamed answer (a ``RecordedStream``)
/// and a complete answer to the same request live under different keys and
/// never overwrite each other.
struct StreamedRequest<Base: CacheableRequest>: CacheableRequest {
    let base: Base

    func fingerprint(into hasher: inout FingerprintHasher) {
        base.fingerprint(into: &hasher)
        hasher.combine(field: "llmcache.streamed", true)
    }

    var semanticText: String? { base.semanticText }

    func semanticScope(into hasher: inout FingerprintHasher) {
        base.semanticScope(into: &hasher)
        hasher.combine(field: "llmcache.streamed", true)
    }
}
