internal import CCurl

/// One libcurl easy handle, kept by one transfer worker for its whole life.
///
/// Reusing the handle (its options reset after every transfer) keeps what
/// libcurl caches in it: open keep-alive connections, resolved addresses and
/// TLS session IDs. The next request to the same host then skips the TCP and
/// TLS handshakes. Only the owning worker thread touches the handle, which
/// keeps libcurl's rule "one handle, one thread at a time".
final class CurlEasyHandle {
    /// The `CURL *`.
    let raw: UnsafeMutableRawPointer

    /// A handle, or nil when libcurl cannot make one (global init failed, out of memory).
    init?() {
        guard CurlTransfer.globalInit == CURLE_OK, let raw = curl_easy_init() else { return nil }
        self.raw = raw
    }

    deinit { curl_easy_cleanup(raw) }
}
