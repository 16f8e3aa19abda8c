import ArgumentParser
import Configuration
import LLMCache
import LLMCacheGateway

/// Everything `llmcache serve` is told, read through swift-configuration
/// from (highest first) its flags, `LLMCACHE_*` environment variables and a
/// JSON file, with defaults that serve on loopback in front of OpenAI.
///
/// | key | environment | default |
/// |---|---|---|
/// | `host`, `port` | `LLMCACHE_HOST`, `LLMCACHE_PORT` | 127.0.0.1, 8080 |
/// | `upstream.url`, `upstream.key`, `upstream.timeoutSeconds`, `upstream.maxConcurrency` | `LLMCACHE_UPSTREAM_URL`… | api.openai.com, none (forward the caller's), 120, 128 |
/// | `callers.keys`, `callers.shareAnswers` | `LLMCACHE_CALLERS_KEYS` (comma-separated)… | any caller, false |
/// | `namespaces.selectable` | `LLMCACHE_NAMESPACES_SELECTABLE` | none |
/// | `admin.key` | `LLMCACHE_ADMIN_KEY` | none (admin routes off) |
/// | `limits.maxBodyBytes` | `LLMCACHE_LIMITS_MAX_BODY_BYTES` | 4 MiB |
/// | `redis.url`, `namespace` | `LLMCACHE_REDIS_URL`, `LLMCACHE_NAMESPACE` | redis://127.0.0.1:6379, llmcache |
/// | `memory.maxEntries`, `semantic.enabled`, `cache.ttlSeconds` | … | 10000, true, 3600 |
/// | `stream.replaySpeed` | `LLMCACHE_STREAM_REPLAY_SPEED` | 0 (unpaced; 1 = the model's pace) |
/// | `flight.shared`, `flight.leaseSeconds`, `flight.waitSeconds` | `LLMCACHE_FLIGHT_SHARED`… | true, 30, 30 |
struct ServeSettings {
    var gateway: GatewayConfiguration
    var redisURL: String
    var namespace: String
    var memoryEntries: Int
    var semantic: Bool
    var ttl: Duration
    /// Whether gateways sharing the namespace share misses (one upstream
    /// call for identical requests arriving at several gateways at once).
    var sharedFlights: Bool
    var leaseDuration: Duration
    var waitBudget: Duration

    init(_ config: ConfigReader) throws {
        let port = try config.setting("port", default: 8080) { try config.requiredInt(forKey: $0) }
        guard (0...65535).contains(port) else { throw ValidationError("port must be from 0 to 65535, not \(port)") }
        let timeout = try config.setting("upstream.timeoutSeconds", default: 120) { try config.requiredDouble(forKey: $0) }
        let concurrency = try config.setting("upstream.maxConcurrency", default: 128) { try config.requiredInt(forKey: $0) }
        let maxBody = try config.setting("limits.maxBodyBytes", default: 4 << 20) { try config.requiredInt(forKey: $0) }
        let speed = try config.setting("stream.replaySpeed", default: 0) { try config.requiredDouble(forKey: $0) }
        memoryEntries = try config.setting("memory.maxEntries", default: 10_000) { try config.requiredInt(forKey: $0) }
        let ttl = try config.setting("cache.ttlSeconds", default: 3600) { try config.requiredDouble(forKey: $0) }
        guard timeout > 0, concurrency > 0, maxBody > 0, speed >= 0, memoryEntries > 0, ttl > 0 else {
            throw ValidationError(
                "upstream.timeoutSeconds, upstream.maxConcurrency, limits.maxBodyBytes, memory.maxEntries and cache.ttlSeconds must be positive, stream.replaySpeed at least 0")
        }
        let callerKeys: [String]? = try config.setting("callers.keys", default: nil) { try config.requiredStringArray(forKey: $0, isSecret: true) }
        gateway = GatewayConfiguration(
            host: try config.setting("host", default: "127.0.0.1") { try config.requiredString(forKey: $0) }, port: port,
            upstream: try config.setting("upstream.url", default: "https://api.openai.com/v1") { try config.requiredString(forKey: $0) },
            upstreamKey: try config.setting("upstream.key", default: nil) { try config.requiredString(forKey: $0, isSecret: true) },
            callerKeys: callerKeys.map(Set.init),
            sharesAnswersAcrossCallers: try config.setting("callers.shareAnswers", default: false) { try config.requiredBool(forKey: $0) },
            selectableNamespaces: Set(try config.setting("namespaces.selectable", default: []) { try config.requiredStringArray(forKey: $0) }),
            adminKey: try config.setting("admin.key", default: nil) { try config.requiredString(forKey: $0, isSecret: true) },
            maxBodyBytes: maxBody, upstreamTimeout: .milliseconds(Int64(timeout * 1000)), maxUpstreamConcurrency: concurrency,
            streamCaching: StreamCaching(pacing: speed == 0 ? .unpaced : .recorded(speed: speed)))
        redisURL = try config.setting("redis.url", default: "redis://127.0.0.1:6379") { try config.requiredString(forKey: $0) }
        namespace = try config.setting("namespace", default: "llmcache") { try config.requiredString(forKey: $0) }
        semantic = try config.setting("semantic.enabled", default: true) { try config.requiredBool(forKey: $0) }
        self.ttl = .milliseconds(Int64(ttl * 1000))
        sharedFlights = try config.setting("flight.shared", default: true) { try config.requiredBool(forKey: $0) }
        let lease = try config.setting("flight.leaseSeconds", default: 30) { try config.requiredDouble(forKey: $0) }
        let wait = try config.setting("flight.waitSeconds", default: 30) { try config.requiredDouble(forKey: $0) }
        guard lease > 0, wait >= 0 else {
            throw ValidationError("flight.leaseSeconds must be positive, flight.waitSeconds at least 0")
        }
        leaseDuration = .milliseconds(Int64(lease * 1000))
        waitBudget = .milliseconds(Int64(wait * 1000))
    }

    /// The reader `serve` uses: `flags` first, then the environment
    /// (`LLMCACHE_` and the key in capitals, `.` as `_`), then the JSON file
    /// at `file` (which must exist when named).
    static func reader(flags: [AbsoluteConfigKey: ConfigValue], file: String?) async throws -> ConfigReader {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags), EnvironmentVariablesProvider().prefixKeys(with: "llmcache"),
        ]
        if let file {
            let location = ConfigReader(provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(file), isSecret: false)]))
            do {
                providers.append(try await FileProvider<JSONSnapshot>(config: location))
            } catch {
                throw ValidationError("cannot read the settings file \(file): \(error)")
            }
        }
        return ConfigReader(providers: providers)
    }
}

extension ConfigReader {
    /// The value of `key` read by `read`, or `defaultValue` when no provider
    /// has it; a value that is there but of the wrong type (`LLMCACHE_PORT=abc`)
    /// is an error naming the key, never silently the default.
    func setting<Value>(
        _ key: ConfigKey, default defaultValue: Value, _ read: (ConfigKey) throws -> Value
    ) throws -> Value {
        do {
            return try read(key)
        } catch {
            let present =
                string(forKey: key) != nil || int(forKey: key) != nil || double(forKey: key) != nil
                || bool(forKey: key) != nil || stringArray(forKey: key) != nil
            guard present else { return defaultValue }
            throw ValidationError("the setting \(key) has a value of the wrong type: \(error)")
        }
    }
}
