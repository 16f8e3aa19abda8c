import Foundation

/// Where a Redis server is and how to talk to it.
public struct RedisConfiguration: Sendable, Hashable {
    /// How to reach the server.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    /// ACL user for `AUTH user password`; `nil` sends `AUTH password`.
    public var username: String?
    public var password: String?
    /// The logical database to `SELECT` after connecting.
    public var database: Int
    /// The longest a connect may take. While Redis is down, each attempt costs
    /// at most this, and attempts are spaced by a growing back-off.
    public var connectTimeout: Duration
    /// The longest a command may wait for its reply before its connection is
    /// discarded and replaced.
    public var commandTimeout: Duration
    /// Connections in the pool; commands on each are auto-pipelined, so a few
    /// are enough for many concurrent tasks.
    public var poolSize: Int
    /// The first wait before reconnecting after a failure; doubles up to `maximumReconnectDelay`.
    public var reconnectDelay: Duration
    public var maximumReconnectDelay: Duration
    /// How long a connection's thread keeps polling for the next command
    /// before it sleeps. A sequential caller's next command usually arrives
    /// within microseconds, and catching it saves a thread wake-up (tens of
    /// microseconds on a virtual machine); `.zero` never polls, for machines
    /// where an idle core must stay idle.
    public var idleSpin: Duration = .microseconds(50)
    /// How long a connection's thread polls its socket for a reply before it
    /// sleeps in the kernel until the reply comes. A local server usually
    /// answers within this, and the thread is then already running when the
    /// reply lands; the polling yields the core to other threads between
    /// polls. `.zero` always sleeps.
    public var replySpin: Duration = .microseconds(200)
    /// The most commands waiting to be written on one connection; more fail
    /// at once with `.overloaded` (a tier miss), so a stalled server never
    /// builds a backlog that grows with the request rate.
    public var maximumPendingCommands: Int = 4096
    /// The most argument bytes waiting on one connection (a single larger
    /// command is still accepted when nothing else waits).
    public var maximumPendingBytes: Int = 32 << 20

    public init(
        endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379), username: String? = nil, password: String? = nil,
        database: Int = 0, connectTimeout: Duration = .milliseconds(250), commandTimeout: Duration = .seconds(1),
        poolSize: Int = 2, reconnectDelay: Duration = .milliseconds(50), maximumReconnectDelay: Duration = .seconds(2)
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = max(1, poolSize)
        self.reconnectDelay = reconnectDelay
        self.maximumReconnectDelay = maximumReconnectDelay
    }

    /// Reads `redis://[user:password@]host[:port][/db]` (`redis://:password@host`
    /// for the default user) or
    /// `unix:///path/to/redis.sock[?db=N]`; other settings keep their defaults.
    ///
    /// - Throws: ``RedisError`` `.invalidURL`; its message shows the URL
    ///   with the password replaced by `***`.
    public init(url rawURL: String) throws(RedisError) {
        let url = Self.redacting(rawURL)
        guard let components = URLComponents(string: rawURL), let scheme = components.scheme?.lowercased() else {
            throw RedisError(.invalidURL, "not a URL: \(url)")
        }
        self.init()
        username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        switch scheme {
        case "redis":
            guard let host = components.host, !host.isEmpty else { throw RedisError(.invalidURL, "no host in \(url)") }
            let port = components.port ?? 6379
            guard (1...65535).contains(port) else { throw RedisError(.invalidURL, "port out of range in \(url)") }
            endpoint = .tcp(host: host, port: port)
            let path = components.path.drop { $0 == "/" }
            if !path.isEmpty {
                guard let database = Int(path), database >= 0 else {
                    throw RedisError(.invalidURL, "database must be a number in \(url)")
                }
                self.database = database
            }
        case "unix":
            guard !components.path.isEmpty else { throw RedisError(.invalidURL, "no socket path in \(url)") }
            endpoint = .unixSocket(path: components.path)
        default:
            throw RedisError(.invalidURL, "unsupported scheme \(scheme) in \(url) (use redis:// or unix://)")
        }
        if let db = components.queryItems?.first(where: { $0.name == "db" })?.value {
            guard let database = Int(db), database >= 0 else { throw RedisError(.invalidURL, "db must be a number in \(url)") }
            self.database = database
        }
    }

    /// `url` with the password of its user part replaced by `***`, for
    /// messages and logs: `redis://user:***@host`.
    public static func redacting(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<userInfo.index(after: colon)]) + "***" + String(url[at...])
    }
}

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The endpoint and settings, never the password.
    public var description: String {
        let user = username.map { "\($0)\(password == nil ? "" : ":***")@" } ?? (password == nil ? "" : ":***@")
        let place =
            switch endpoint {
            case .tcp(let host, let port): "redis://\(user)\(host):\(port)/\(database)"
            case .unixSocket(let path): "unix://\(user)\(path)?db=\(database)"
            }
        return "RedisConfiguration(\(place), poolSize: \(poolSize), commandTimeout: \(commandTimeout))"
    }

    public var debugDescription: String { description }
}
