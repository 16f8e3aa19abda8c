import Foundation

/// Where a Redis server is and how to talk to it.
public struct RedisConfiguration: Sendable, Hashable {
    /// How to reach the server.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    /// TLS for the connection (`rediss://` URLs); `nil` talks plain TCP.
    public var tls: RedisTLS?
    /// Cluster mode (`cluster=yes` in the URL): `endpoint` and the seeds
    /// are where the layout is first read; `nil` talks to one server.
    public var cluster: RedisCluster?
    /// Whether each connection sends `READONLY` (a cluster node's
    /// connections when replicas serve reads; see ``RedisCluster/readsFromReplicas``).
    var sendsReadOnly = false
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
        poolSize: Int = 2, reconnectDelay: Duration = .milliseconds(50), maximumReconnectDelay: Duration = .seconds(2),
        tls: RedisTLS? = nil
    ) {
        self.endpoint = endpoint
        self.tls = tls
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
    /// for the default user), the same with `rediss://` for TLS, or
    /// `unix:///path/to/redis.sock[?db=N]`; other settings keep their defaults.
    ///
    /// A `rediss://` URL may name TLS files and settings as query items:
    /// `ca_file=/path/ca.pem` (trust this CA instead of the system store),
    /// `cert_file=…` and `key_file=…` (a client certificate for mutual TLS),
    /// `server_name=…` (the name the certificate must carry, when it is not
    /// the host), `verify=none` (no certificate check: debugging only).
    ///
    /// `cluster=yes` connects to a Redis Cluster (or Valkey cluster) through
    /// the URL's host and any `seed=host:port` items: see ``RedisCluster``.
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
        case "redis", "rediss":
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
            throw RedisError(.invalidURL, "unsupported scheme \(scheme) in \(url) (use redis://, rediss:// or unix://)")
        }
        let items = components.queryItems ?? []
        if let mode = items.first(where: { $0.name == "cluster" })?.value {
            guard mode == "yes" || mode == "no" else { throw RedisError(.invalidURL, "cluster must be yes or no in \(url)") }
            if mode == "yes" { cluster = RedisCluster() }
        }
        if let reads = items.first(where: { $0.name == "read_from_replicas" })?.value {
            guard cluster != nil else { throw RedisError(.invalidURL, "read_from_replicas needs cluster=yes in \(url)") }
            guard reads == "yes" || reads == "no" else { throw RedisError(.invalidURL, "read_from_replicas must be yes or no in \(url)") }
            cluster?.readsFromReplicas = reads == "yes"
        }
        for item in items where item.name == "seed" {
            guard cluster != nil else { throw RedisError(.invalidURL, "seed needs cluster=yes in \(url)") }
            guard let value = item.value, let colon = value.lastIndex(of: ":"), colon != value.startIndex,
                let port = Int(value[value.index(after: colon)...]), (1...65535).contains(port)
            else { throw RedisError(.invalidURL, "seed must be host:port in \(url)") }
            cluster?.seeds.append(.tcp(host: String(value[..<colon]), port: port))
        }
        if scheme == "rediss" {
            tls = try RedisTLS(queryItems: items, url: url)
        } else if let item = items.first(where: { RedisTLS.queryNames.contains($0.name) }) {
            throw RedisError(.invalidURL, "\(item.name) needs a rediss:// URL in \(url)")
        }
        if let db = items.first(where: { $0.name == "db" })?.value {
            guard let database = Int(db), database >= 0 else { throw RedisError(.invalidURL, "db must be a number in \(url)") }
            self.database = database
        }
        if cluster != nil {
            guard case .tcp = endpoint else { throw RedisError(.invalidURL, "a cluster is reached over TCP, not \(url)") }
            guard database == 0 else { throw RedisError(.invalidURL, "a cluster has only database 0: \(url)") }
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
            case .tcp(let host, let port): "\(tls == nil ? "redis" : "rediss")://\(user)\(host):\(port)/\(database)"
            case .unixSocket(let path): "unix://\(user)\(path)?db=\(database)"
            }
        let mode = cluster.map { ", cluster with \($0.seeds.count + 1) seeds" } ?? ""
        return "RedisConfiguration(\(place)\(mode), poolSize: \(poolSize), commandTimeout: \(commandTimeout))"
    }

    public var debugDescription: String { description }
}

extension RedisConfiguration.Endpoint {
    /// `host:port` or the socket path, for messages.
    var displayName: String {
        switch self {
        case .tcp(let host, let port): "\(host):\(port)"
        case .unixSocket(let path): path
        }
    }
}

extension RedisTLS {
    /// The query items of a `rediss://` URL that set TLS options.
    static let queryNames: Set<String> = ["ca_file", "cert_file", "key_file", "server_name", "verify"]

    /// The settings of a `rediss://` URL's query items.
    init(queryItems: [URLQueryItem], url: String) throws(RedisError) {
        self.init()
        for item in queryItems where Self.queryNames.contains(item.name) {
            guard let value = item.value, !value.isEmpty else {
                throw RedisError(.invalidURL, "\(item.name) needs a value in \(url)")
            }
            switch item.name {
            case "ca_file": certificateAuthorityFile = value
            case "cert_file": certificateFile = value
            case "key_file": keyFile = value
            case "server_name": serverName = value
            default:
                guard value == "none" || value == "full" else {
                    throw RedisError(.invalidURL, "verify must be none or full in \(url)")
                }
                verifiesPeer = value == "full"
            }
        }
    }
}
