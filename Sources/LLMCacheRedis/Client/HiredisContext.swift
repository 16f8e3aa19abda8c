internal import CHiredis
import Foundation

/// One hiredis connection, used by exactly one thread at a time.
///
/// Owns the `redisContext` and frees it in `deinit`; hiredis types never leave
/// this file. Every method blocks, which is why only connection threads call them.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, authenticates and selects the database; throws a clear error
    /// for each step that fails.
    init(configuration: RedisConfiguration) throws(RedisError) {
        let connectTimeout = timeval(configuration.connectTimeout)
        let connected: UnsafeMutablePointer<redisContext>?
        let target: String
        switch configuration.endpoint {
        case .tcp(let host, let port):
            connected = redisConnectWithTimeout(host, Int32(port), connectTimeout)
            target = "\(host):\(port)"
        case .unixSocket(let path):
            connected = redisConnectUnixWithTimeout(path, connectTimeout)
            target = path
        }
        guard let connected else { throw RedisError(.connectionFailed, "could not allocate a connection to \(target)") }
        if connected.pointee.err != 0 {
            let reason = Self.errorText(connected)
            redisFree(connected)
            throw RedisError(.connectionFailed, "cannot connect to Redis at \(target): \(reason)")
        }
        context = connected
        redisSetTimeout(context, timeval(configuration.commandTimeout))
        if case .tcp = configuration.endpoint { redisEnableKeepAlive(context) }

        if let password = configuration.password {
            var auth = [Array("AUTH".utf8)]
            if let username = configuration.username { auth.append(Array(username.utf8)) }
            auth.append(Array(password.utf8))
            let reply = try roundTrip(auth)
            if case .error(let message) = reply {
                throw RedisError(.authenticationFailed, "AUTH to \(target) was refused: \(message)")
            }
        }
        if configuration.database != 0 {
            let reply = try roundTrip([Array("SELECT".utf8), Array(String(configuration.database).utf8)])
            if case .error(let message) = reply {
                throw RedisError(.authenticationFailed, "SELECT \(configuration.database) failed: \(message)")
            }
        }
    }

    deinit { redisFree(context) }

    /// The socket, for waiting on it with `poll`.
    var fileDescriptor: Int32 { context.pointee.fd }

    /// Queues a command in hiredis's output buffer without writing it.
    /// How long a read or write may block before it fails with `.timeout`.
    func setTimeout(_ duration: Duration) {
        redisSetTimeout(context, timeval(max(.milliseconds(1), duration)))
    }

    func append(_ arguments: [[UInt8]]) throws(RedisError) {
        let total = arguments.reduce(0) { $0 + $1.count }
        var joined = [UInt8]()
        joined.reserveCapacity(total)
        for argument in arguments { joined.append(contentsOf: argument) }
        let lengths = arguments.map(\.count)
        let status: Int32 = joined.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            var offset = 0
            var pointers = [UnsafePointer<CChar>?]()
            pointers.reserveCapacity(arguments.count)
            for length in lengths {
                pointers.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisAppendCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        guard status == REDIS_OK else { throw failure("queueing a command") }
    }

    /// Writes what is queued (if anything) and reads the next reply.
    func nextReply() throws(RedisError) -> RedisValue {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw failure("reading a reply") }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return Self.convert(reply)
    }

    /// A reply already received and buffered, without blocking; `nil` if none.
    func bufferedReply() throws(RedisError) -> RedisValue? {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw failure("parsing a reply") }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Polls the socket without sleeping until it is readable or `budget` has
    /// passed; `true` if there is something to read.
    func pollReadable(for budget: Duration) -> Bool {
        let deadline = ContinuousClock.now + budget
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        repeat {
            if poll(&descriptor, 1, 0) != 0 { return true }
            sched_yield()
        } while ContinuousClock.now < deadline
        return false
    }

    /// Reads whatever the socket has into hiredis's buffer (call after `poll` says readable).
    func readAvailable() throws(RedisError) {
        guard redisBufferRead(context) == REDIS_OK else { throw failure("reading") }
    }

    /// Writes everything queued, blocking until it is written.
    func flush() throws(RedisError) {
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw failure("writing") }
        }
    }

    /// One command, one reply.
    func roundTrip(_ arguments: [[UInt8]]) throws(RedisError) -> RedisValue {
        try append(arguments)
        return try nextReply()
    }

    private func failure(_ action: String) -> RedisError {
        let text = Self.errorText(context)
        let isTimeout = context.pointee.err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)
            || text.contains("Resource temporarily unavailable")
        return RedisError(isTimeout ? .timeout : .ioError, "\(action) failed: \(text)")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The value of a hiredis reply (which the caller still owns and frees).
    static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(value.str, value.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(value.integer)
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else { return .array([]) }
            return .array((0..<value.elements).map { index in
                elements[index].map(convert) ?? .null
            })
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds / 1_000_000_000_000)))
    }
}
