internal import CLLMCacheTLS
import Foundation

/// A connected, non-blocking byte stream to a server: plain TCP, a Unix
/// socket, or TLS over TCP.
///
/// Why our own transport rather than hiredis's: Debian's hiredis 0.14 has no
/// TLS, and the cluster client needs connections it controls. hiredis stays
/// the reply parser (see ``RedisWire``). Used by one thread at a time; reads
/// and writes never block, callers wait with ``wait(for:until:)``.
final class RedisSocket {
    let fileDescriptor: Int32
    private let session: OpaquePointer?

    /// Connects within `timeout` and, for TLS, completes the handshake
    /// within what is left of it.
    init(to endpoint: RedisConfiguration.Endpoint, tls: RedisTLS?, timeout: Duration) throws(RedisError) {
        let deadline = ContinuousClock.now + timeout
        let descriptor: Int32
        switch endpoint {
        case .tcp(let host, let port):
            descriptor = try Self.connectTCP(host: host, port: port, deadline: deadline)
        case .unixSocket(let path):
            descriptor = try Self.connectUnix(path: path, deadline: deadline)
        }
        guard let tls else {
            fileDescriptor = descriptor
            session = nil
            return
        }
        let target = endpoint.displayName
        do throws(RedisError) {
            let context = try tls.makeContext()
            defer { llmcache_tls_context_free(context) }
            var host: String? = nil
            if case .tcp(let name, _) = endpoint { host = name }
            let serverName = tls.serverName ?? host
            let left = max(1, Int((deadline - .now) / .milliseconds(1)))
            let (established, reason) = withErrorText { buffer, size in
                llmcache_tls_connect(context, descriptor, serverName, Int32(clamping: left), buffer, size)
            }
            guard let established else { throw RedisError(.tlsFailed, "TLS with \(target) failed: \(reason)") }
            session = established
            fileDescriptor = descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        if let session { llmcache_tls_close(session) }
        close(fileDescriptor)
    }

    /// Whether TLS holds decrypted bytes the socket no longer shows as readable.
    var hasBufferedInput: Bool { session.map { llmcache_tls_pending($0) > 0 } ?? false }

    /// Reads what is there into `buffer`: the byte count, 0 if nothing can be
    /// read now; throws when the server closed the connection.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int {
        if let session {
            let (count, reason) = withErrorText { llmcache_tls_read(session, buffer.baseAddress, buffer.count, $0, $1) }
            guard count >= 0 else { throw RedisError(.ioError, "reading failed: \(reason)") }
            return count
        }
        let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
        if count > 0 { return count }
        if count == 0 { throw RedisError(.ioError, "reading failed: the server closed the connection") }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        throw RedisError(.ioError, "reading failed: \(String(cString: strerror(errno)))")
    }

    /// Writes what the socket takes now: the byte count, 0 if it takes nothing.
    func write(_ bytes: UnsafeRawBufferPointer) throws(RedisError) -> Int {
        if let session {
            let (count, reason) = withErrorText { llmcache_tls_write(session, bytes.baseAddress, bytes.count, $0, $1) }
            guard count >= 0 else { throw RedisError(.ioError, "writing failed: \(reason)") }
            return count
        }
        let count = send(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        throw RedisError(.ioError, "writing failed: \(String(cString: strerror(errno)))")
    }

    /// Waits until the socket is readable (or writable) or `deadline` passes;
    /// `false` on time-out.
    func wait(for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        if events & Int16(POLLIN) != 0 && hasBufferedInput { return true }
        while true {
            let left = deadline - .now
            let milliseconds = left <= .zero ? 0 : Int32(clamping: Int((left / .milliseconds(1)).rounded(.up)))
            var descriptor = pollfd(fd: fileDescriptor, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }
            if ready == 0 || errno != EINTR { return ready != 0 }
        }
    }

    /// Polls without sleeping until the socket is readable or `budget` has
    /// passed, yielding the core between polls.
    func spinUntilReadable(for budget: Duration) -> Bool {
        if hasBufferedInput { return true }
        let deadline = ContinuousClock.now + budget
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        repeat {
            if poll(&descriptor, 1, 0) != 0 { return true }
            sched_yield()
        } while ContinuousClock.now < deadline
        return false
    }

    // MARK: - Connecting

    private static func connectTCP(host: String, port: Int, deadline: ContinuousClock.Instant) throws(RedisError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw RedisError(
                .connectionFailed, "cannot connect to Redis at \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastFailure = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let address = next {
            next = address.pointee.ai_next
            do {
                let descriptor = try connect(
                    family: address.pointee.ai_family, address: address.pointee.ai_addr,
                    length: address.pointee.ai_addrlen, deadline: deadline)
                var on: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
                return descriptor
            } catch {
                lastFailure = error.message
            }
        }
        throw RedisError(.connectionFailed, "cannot connect to Redis at \(host):\(port): \(lastFailure)")
    }

    private static func connectUnix(path: String, deadline: ContinuousClock.Instant) throws(RedisError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw RedisError(.connectionFailed, "cannot connect to Redis at \(path): the path is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        do {
            return try withUnsafePointer(to: &address) { pointer throws(RedisError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw throws(RedisError) in
                    try connect(
                        family: AF_UNIX, address: raw, length: socklen_t(MemoryLayout<sockaddr_un>.size),
                        deadline: deadline)
                }
            }
        } catch {
            throw RedisError(.connectionFailed, "cannot connect to Redis at \(path): \(error.message)")
        }
    }

    /// A non-blocking socket connected to `address` by `deadline`.
    private static func connect(
        family: Int32, address: UnsafePointer<sockaddr>?, length: socklen_t, deadline: ContinuousClock.Instant
    ) throws(RedisError) -> Int32 {
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(family, kind, 0)
        guard descriptor >= 0 else { throw RedisError(.connectionFailed, String(cString: strerror(errno))) }
        if Glibc.connect(descriptor, address, length) == 0 { return descriptor }
        guard errno == EINPROGRESS else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw RedisError(.connectionFailed, reason)
        }
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let left = max(0, Int((deadline - .now) / .milliseconds(1)))
        guard poll(&poller, 1, Int32(clamping: left)) > 0 else {
            close(descriptor)
            throw RedisError(.connectionFailed, "Connection timed out")
        }
        var failure: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &size)
        guard failure == 0 else {
            close(descriptor)
            throw RedisError(.connectionFailed, String(cString: strerror(failure)))
        }
        return descriptor
    }
}

/// Calls a TLS function that may write a reason into an error buffer; hands
/// back its result and that reason (empty when it wrote none).
private func withErrorText<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> T) -> (T, String) {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { text in
        text[0] = 0
        let result = body(text.baseAddress!, text.count)
        return (result, text[0] == 0 ? "" : String(cString: text.baseAddress!))
    }
}
