internal import CHiredis
import Foundation

/// One Redis connection speaking RESP, used by exactly one thread at a time.
///
/// Commands are encoded here and written on a ``RedisSocket`` (plain or
/// TLS); replies are parsed by hiredis's reader, which is fast and well
/// tested, and copied into ``RedisValue``s. hiredis types never leave this
/// file. Every method may block up to the timeout, which is why only
/// connection threads call them.
final class RedisWire {
    private let socket: RedisSocket
    private let reader: UnsafeMutablePointer<redisReader>
    /// Encoded commands not yet written.
    private var output: [UInt8] = []
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    private var timeout: Duration

    /// Connects (TLS included), authenticates and selects the database;
    /// throws a clear error for each step that fails.
    init(configuration: RedisConfiguration) throws(RedisError) {
        socket = try RedisSocket(
            to: configuration.endpoint, tls: configuration.tls, timeout: configuration.connectTimeout)
        guard let reader = redisReaderCreate() else {
            input.deallocate()
            throw RedisError(.connectionFailed, "could not allocate a reply reader")
        }
        self.reader = reader
        timeout = configuration.commandTimeout
        let target = configuration.endpoint.displayName
        if let password = configuration.password {
            var auth = [Array("AUTH".utf8)]
            if let username = configuration.username { auth.append(Array(username.utf8)) }
            auth.append(Array(password.utf8))
            if case .error(let message) = try roundTrip(auth) {
                throw RedisError(.authenticationFailed, "AUTH to \(target) was refused: \(message)")
            }
        }
        if configuration.sendsReadOnly {
            // Lets a replica answer reads for its primary's slots.
            if case .error(let message) = try roundTrip([Array("READONLY".utf8)]) {
                throw RedisError(.serverError, "READONLY to \(target) was refused: \(message)")
            }
        }
        if configuration.database != 0 {
            let reply = try roundTrip([Array("SELECT".utf8), Array(String(configuration.database).utf8)])
            if case .error(let message) = reply {
                throw RedisError(.authenticationFailed, "SELECT \(configuration.database) failed: \(message)")
            }
        }
    }

    deinit {
        redisReaderFree(reader)
        input.deallocate()
    }

    /// How long a read or write may wait before it fails with `.timeout`.
    func setTimeout(_ duration: Duration) {
        timeout = max(.milliseconds(1), duration)
    }

    /// Encodes a command into the output buffer without writing it.
    func append(_ arguments: [[UInt8]]) {
        output.reserveCapacity(output.count + arguments.reduce(16) { $0 + $1.count + 16 })
        output.append(UInt8(ascii: "*"))
        appendDecimal(arguments.count)
        for argument in arguments {
            output.append(UInt8(ascii: "$"))
            appendDecimal(argument.count)
            output.append(contentsOf: argument)
            output.append(13)
            output.append(10)
        }
    }

    /// `value` in decimal followed by CRLF.
    private func appendDecimal(_ value: Int) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            output.append(contentsOf: String(value).utf8)
        }
        output.append(13)
        output.append(10)
    }

    /// Writes everything queued, waiting up to the timeout for the socket
    /// to take it.
    func flush() throws(RedisError) {
        guard !output.isEmpty else { return }
        let deadline = ContinuousClock.now + timeout
        var written = 0
        while written < output.count {
            let count = try output.withUnsafeBytes { bytes in
                Result { () throws(RedisError) in try socket.write(UnsafeRawBufferPointer(rebasing: bytes[written...])) }
            }.get()
            written += count
            if count == 0, !socket.wait(for: Int16(POLLOUT) | Int16(POLLIN), until: deadline) {
                throw RedisError(.timeout, "writing timed out after \(timeout)")
            }
        }
        output.removeAll(keepingCapacity: output.count <= 1 << 20)
    }

    /// Writes what is queued (if anything) and reads the next reply.
    func nextReply() throws(RedisError) -> RedisValue {
        try flush()
        let deadline = ContinuousClock.now + timeout
        while true {
            if let reply = try bufferedReply() { return reply }
            guard socket.wait(for: Int16(POLLIN), until: deadline) else {
                throw RedisError(.timeout, "reading a reply timed out after \(timeout)")
            }
            try readAvailable()
        }
    }

    /// A reply already received and buffered, without blocking; `nil` if none.
    func bufferedReply() throws(RedisError) -> RedisValue? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
            let text = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw RedisError(.protocolError, "parsing a reply failed: \(text)")
        }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RedisValue(hiredis: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Polls without sleeping until a reply may be read or `budget` has passed.
    func pollReadable(for budget: Duration) -> Bool {
        socket.spinUntilReadable(for: budget)
    }

    /// Waits up to `timeout` for something to read; `false` if nothing came.
    func waitReadable(for timeout: Duration) -> Bool {
        socket.wait(for: Int16(POLLIN), until: .now + timeout)
    }

    /// Reads whatever has arrived into the reply parser (call once the
    /// socket is readable); throws when the server closed the connection.
    func readAvailable() throws(RedisError) {
        repeat {
            let count = try socket.read(into: input)
            guard count > 0 else { return }
            guard redisReaderFeed(reader, input.baseAddress!.assumingMemoryBound(to: CChar.self), count) == REDIS_OK else {
                throw RedisError(.protocolError, "the reply parser refused input")
            }
            if count < input.count && !socket.hasBufferedInput { return }
        } while true
    }

    /// One command, one reply.
    func roundTrip(_ arguments: [[UInt8]]) throws(RedisError) -> RedisValue {
        append(arguments)
        return try nextReply()
    }
}

extension RedisValue {
    /// The value of a hiredis reply (which the caller still owns and frees).
    init(hiredis reply: UnsafeMutablePointer<redisReply>) {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(value.str, value.len))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(value.integer)
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else {
                self = .array([])
                return
            }
            self = .array((0..<value.elements).map { index in elements[index].map(RedisValue.init(hiredis:)) ?? .null })
        default:
            self = .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
