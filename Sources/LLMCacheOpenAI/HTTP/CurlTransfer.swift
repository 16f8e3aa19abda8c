internal import CCurl
internal import CLLMCacheShims

/// One blocking libcurl exchange, run on a transfer worker's thread (never
/// on the cooperative pool) with the worker's long-lived easy handle, so the
/// handle's connection cache lets consecutive requests share a connection.
/// The handle's options are reset after every transfer; after a failed or
/// aborted transfer libcurl closes that connection rather than reuse it.
enum CurlTransfer {
    /// What a transfer needs from the client configuration.
    struct Settings: Sendable {
        var connectTimeout: Duration
        var timeout: Duration
        var maxResponseBytes: Int
        var userAgent: String
    }

    /// Where a streamed body goes instead of memory. Called on the transfer
    /// thread only, in order: `begin` once, at the first body byte of a 2xx
    /// response (headers are complete by then), then `bytes` per piece. A
    /// non-2xx body is still collected in memory so that the caller can read
    /// the server's error document and retry.
    struct StreamHandlers {
        let begin: (_ status: Int, _ headers: [(name: String, value: String)]) -> Void
        let bytes: (UnsafeRawBufferPointer) -> Void
    }

    /// `curl_global_init` must run once before any handle is made.
    static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// Runs the request to completion (or failure) on the calling thread.
    /// With `streaming`, the body of a 2xx response goes to its handlers and
    /// the returned response has an empty body.
    static func perform(
        _ request: HTTPRequest, on easy: CurlEasyHandle?, settings: Settings, cancellation: CancellationFlag,
        streaming: StreamHandlers? = nil
    ) -> Result<HTTPResponse, HTTPClientError> {
        do {
            return .success(
                try performThrowing(
                    request, on: easy, settings: settings, cancellation: cancellation, streaming: streaming))
        } catch {
            return .failure(error)
        }
    }

    private static func performThrowing(
        _ request: HTTPRequest, on easy: CurlEasyHandle?, settings: Settings, cancellation: CancellationFlag,
        streaming: StreamHandlers?
    ) throws(HTTPClientError) -> HTTPResponse {
        guard globalInit == CURLE_OK else {
            throw HTTPClientError(.transferFailed, "curl_global_init failed: \(describe(globalInit))")
        }
        // Cancelled between being handed to the worker and starting: send nothing.
        if cancellation.isCancelled {
            throw HTTPClientError(.cancelled, "cancelled before the request was sent")
        }
        let lowered = request.url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw HTTPClientError(.invalidRequest, "only http and https URLs are supported, not \(request.url)")
        }
        guard let handle = easy?.raw else {
            throw HTTPClientError(.transferFailed, "curl_easy_init failed")
        }
        // Forget this transfer's options and the pointers into its state; keep the connections.
        defer { curl_easy_reset(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        var sawExpect = false
        for (name, value) in request.headers {
            guard !name.isEmpty, !name.containsLineBreak, !value.containsLineBreak, !name.contains(":")
            else {
                throw HTTPClientError(.invalidRequest, "header \(name.debugDescription) has an invalid name or value")
            }
            if name.lowercased() == "expect" { sawExpect = true }
            // "Name;" is curl's spelling of a header with an empty value.
            let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError(.transferFailed, "out of memory building headers")
            }
            headerList = appended
        }
        if !sawExpect, let appended = curl_slist_append(headerList, "Expect:") {
            // No "Expect: 100-continue" round trip before large bodies.
            headerList = appended
        }

        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        let state = TransferState(
            maxBodyBytes: settings.maxResponseBytes, cancellation: cancellation, handle: handle, streaming: streaming)
        let statePointer = Unmanaged.passUnretained(state).toOpaque()

        func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
            let code = llmcache_curl_setopt_long(handle, option, value)
            guard code == CURLE_OK else { throw optionError(option, code) }
        }
        func set(_ option: CURLoption, _ value: UnsafeRawPointer?) throws(HTTPClientError) {
            let code = llmcache_curl_setopt_pointer(handle, option, value)
            guard code == CURLE_OK else { throw optionError(option, code) }
        }
        func check(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
            guard code == CURLE_OK else {
                throw HTTPClientError(.invalidRequest, "curl refused \(what): \(describe(code))")
            }
        }

        // curl copies string options, so temporaries are fine for these.
        try check(llmcache_curl_setopt_pointer(handle, CURLOPT_URL, request.url), "the URL \(request.url)")
        try check(llmcache_curl_setopt_pointer(handle, CURLOPT_USERAGENT, settings.userAgent), "the user agent")
        try check(llmcache_curl_setopt_pointer(handle, CURLOPT_ACCEPT_ENCODING, ""), "Accept-Encoding")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeout.curlMilliseconds)
        try set(CURLOPT_TIMEOUT_MS, settings.timeout.curlMilliseconds)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        // HTTP/2 when a TLS server offers it (ALPN), HTTP/1.1 otherwise; best
        // effort, as a libcurl built without HTTP/2 refuses the option.
        _ = llmcache_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        try set(CURLOPT_HTTPHEADER, UnsafeRawPointer(headerList))
        try set(CURLOPT_ERRORBUFFER, UnsafeRawPointer(errorBuffer))
        try check(llmcache_curl_setopt_write_callback(handle, curlWrite), "the write callback")
        try set(CURLOPT_WRITEDATA, UnsafeRawPointer(statePointer))
        try check(llmcache_curl_setopt_header_callback(handle, curlHeader), "the header callback")
        try set(CURLOPT_HEADERDATA, UnsafeRawPointer(statePointer))
        try check(llmcache_curl_setopt_xferinfo_callback(handle, curlProgress), "the progress callback")
        try set(CURLOPT_XFERINFODATA, UnsafeRawPointer(statePointer))
        try set(CURLOPT_NOPROGRESS, 0)

        if request.method == .get && request.body.isEmpty {
            try set(CURLOPT_HTTPGET, 1)
        } else {
            if request.method == .post || !request.body.isEmpty {
                try set(CURLOPT_POST, 1)
                try set(CURLOPT_POSTFIELDSIZE, request.body.count)
                // COPYPOSTFIELDS copies now, so the body need not outlive this call.
                let code = request.body.withUnsafeBytes { bytes in
                    llmcache_curl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))
                }
                try check(code, "the request body")
            }
            if request.method != .post {
                try check(
                    llmcache_curl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue),
                    "the method \(request.method)")
            }
        }

        let code = withExtendedLifetime(state) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            throw transferError(code, handle: handle, state: state, errorBuffer: errorBuffer, settings: settings)
        }
        var status = 0
        _ = llmcache_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: state.headers, body: state.body)
    }

    private static func transferError(
        _ code: CURLcode, handle: UnsafeMutableRawPointer, state: TransferState,
        errorBuffer: UnsafeMutablePointer<CChar>, settings: Settings
    ) -> HTTPClientError {
        let detail = errorBuffer.pointee == 0 ? describe(code) : String(cString: errorBuffer)
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where state.cancellation.isCancelled,
            CURLE_WRITE_ERROR where state.cancellation.isCancelled:
            return HTTPClientError(.cancelled, "the request was cancelled")
        case CURLE_WRITE_ERROR where state.bodyTooLarge:
            return HTTPClientError(
                .responseTooLarge, "the response body exceeded \(settings.maxResponseBytes) bytes")
        case CURLE_OPERATION_TIMEDOUT:
            var connectSeconds = 0.0
            _ = llmcache_curl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &connectSeconds)
            if connectSeconds == 0 {
                return HTTPClientError(
                    .connectionFailed, "could not connect within \(settings.connectTimeout): \(detail)")
            }
            return HTTPClientError(.timeout, "no complete response within \(settings.timeout): \(detail)")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return HTTPClientError(.connectionFailed, "connection failed: \(detail)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return HTTPClientError(.invalidRequest, "invalid request: \(detail)")
        default:
            return HTTPClientError(.transferFailed, "transfer failed: \(detail)")
        }
    }

    private static func optionError(_ option: CURLoption, _ code: CURLcode) -> HTTPClientError {
        HTTPClientError(.invalidRequest, "curl refused option \(option.rawValue): \(describe(code))")
    }

    private static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return "\(String(cString: text)) (curl error \(code.rawValue))"
    }
}

/// What the callbacks of one transfer write into; touched only by the transfer thread.
private final class TransferState {
    let maxBodyBytes: Int
    let cancellation: CancellationFlag
    /// The easy handle, to read the status code when the first body byte arrives.
    let handle: UnsafeMutableRawPointer
    let streaming: CurlTransfer.StreamHandlers?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var bodyTooLarge = false
    /// Decided at the first body byte: whether this body goes to `streaming`.
    var isStreamingBody: Bool?
    /// Bytes handed to `streaming` so far (the size limit covers them too).
    var streamedBytes = 0

    init(
        maxBodyBytes: Int, cancellation: CancellationFlag, handle: UnsafeMutableRawPointer,
        streaming: CurlTransfer.StreamHandlers?
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.cancellation = cancellation
        self.handle = handle
        self.streaming = streaming
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> TransferState {
        Unmanaged<TransferState>.fromOpaque(pointer!).takeUnretainedValue()
    }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes; returning less than given aborts the transfer.
private func curlWrite(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let state = TransferState.from(user)
    let length = size * count
    guard length > 0, let data else { return length }
    // A consumer that stopped listening ends the transfer now, not at the next progress call.
    if state.cancellation.isCancelled { return 0 }
    if let streaming = state.streaming {
        if state.isStreamingBody == nil {
            var status = 0
            _ = llmcache_curl_getinfo_long(state.handle, CURLINFO_RESPONSE_CODE, &status)
            let isSuccess = (200..<300).contains(status)
            state.isStreamingBody = isSuccess
            if isSuccess { streaming.begin(status, state.headers) }
        }
        if state.isStreamingBody == true {
            guard state.streamedBytes + length <= state.maxBodyBytes else {
                state.bodyTooLarge = true
                return 0
            }
            state.streamedBytes += length
            streaming.bytes(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
    }
    guard state.body.count + length <= state.maxBodyBytes else {
        state.bodyTooLarge = true
        return 0
    }
    state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// CURLOPT_HEADERFUNCTION: one call per header line. A status line starts a
/// new header block (after `100 Continue`), so only the final block is kept.
private func curlHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let state = TransferState.from(user)
    let length = size * count
    guard length > 0, let data else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        state.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon]).trimmingSpaces
        let value = String(line[line.index(after: colon)...]).trimmingSpaces
        state.headers.append((name: name, value: value))
    }
    return length
}

/// CURLOPT_XFERINFOFUNCTION: called at least about once a second, even while
/// waiting; a non-zero return aborts, which is how task cancellation reaches curl.
private func curlProgress(
    _ user: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloadNow: curl_off_t,
    _ uploadTotal: curl_off_t, _ uploadNow: curl_off_t
) -> Int32 {
    TransferState.from(user).cancellation.isCancelled ? 1 : 0
}
