import Foundation
import Hummingbird
import LLMCache
import LLMCacheRedis

extension Gateway {
    /// `/cache` routes, each behind `Authorization: Bearer <admin key>`:
    /// `GET /cache/stats` (this process's figures and, with Redis, what
    /// every process published), `POST /cache/invalidate {"tags": [...]}`,
    /// `POST /cache/bump-version`, `DELETE /cache`, `GET /cache/entries/{key}`.
    func addAdminRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/cache/stats") { request, _ in
            await self.respond {
                try self.authorize(request)
                var report = Self.report(self.stack.statistics)
                if let namespace = self.namespace {
                    do {
                        report["published"] = Self.report(try await namespace.publishedStatistics())
                    } catch {
                        report["published_error"] = "\(error)"
                    }
                }
                return try Self.json(Array(JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])))
            }
        }
        router.post("/cache/invalidate") { request, _ in
            await self.respond {
                try self.authorize(request)
                guard case .object(let fields) = try Self.parse(try await self.collect(request)),
                    case .array(let values) = fields["tags"]
                else { throw GatewayError(.badRequest, "expected {\"tags\": [\"…\"]}") }
                let tags = Set(values.compactMap { if case .string(let tag) = $0 { tag } else { nil } })
                guard !tags.isEmpty else { throw GatewayError(.badRequest, "expected at least one tag") }
                let removed = try await self.stack.invalidate(tags: tags)
                return try Self.json(Array(JSONSerialization.data(withJSONObject: ["tags": tags.sorted(), "removed": removed], options: [.sortedKeys])))
            }
        }
        router.post("/cache/bump-version") { request, _ in
            await self.respond {
                try self.authorize(request)
                let version = try await self.stack.bumpVersion()
                return Self.json(Array("{\"version\":\(version)}".utf8))
            }
        }
        router.get("/cache/entries/:key") { request, context in
            await self.respond {
                try self.authorize(request)
                return try await self.inspect(context.parameters.get("key") ?? "")
            }
        }
        router.delete("/cache") { request, _ in
            await self.respond {
                try self.authorize(request)
                if let namespace = self.namespace {
                    let deleted = try await namespace.removeAllEntries()
                    try await self.stack.removeAll()
                    return Self.json(Array("{\"flushed\":true,\"deleted_keys\":\(deleted)}".utf8))
                }
                try await self.stack.removeAll()
                return Self.json(Array("{\"flushed\":true}".utf8))
            }
        }
    }

    /// What `llmcache inspect` shows for `key`: an entry reference (the
    /// `X-LLMCache-Entry` header), an exact entry's 64-hex-digit hash in the
    /// current version, or a full Redis key name.
    func inspect(_ key: String) async throws -> Response {
        guard let namespace else { throw GatewayError(.notFound, "this gateway keeps no entries in Redis") }
        let name: String
        if key.hasPrefix(namespace.keyspace.prefix) {
            name = key
        } else if let reference = EntryReference(key) {
            name = String(decoding: namespace.keyspace.entryKey(reference.key, version: reference.namespaceVersion), as: UTF8.self)
        } else if let hash = CacheKey(hex: key) {
            name = String(decoding: namespace.keyspace.entryKey(hash, version: namespace.current), as: UTF8.self)
        } else {
            throw GatewayError(.badRequest, "\"\(key)\" is neither an entry reference, an entry hash nor a key of this namespace")
        }
        guard let report = try await KeyInspection.run(key: name, namespace: namespace) else {
            throw GatewayError(.notFound, "no entry \(key) (namespace version \(namespace.current))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Self.json(Array(try encoder.encode(report)))
    }

    func authorize(_ request: Request) throws(GatewayError) {
        guard let key = configuration.adminKey, let given = request.headers[.authorization],
            Self.constantTimeEqual(given, "Bearer \(key)")
        else { throw GatewayError(.unauthorized, "a valid admin key is required") }
    }

    /// Equal strings compare in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// What every process sharing the namespace has published (each
    /// gateway's `RedisStatisticsPublisher`), as JSON-ready values.
    static func report(_ published: PublishedStatistics) -> [String: Any] {
        [
            "requests": published.requests, "model_calls": published.computed, "coalesced": published.coalesced,
            "failed_calls": published.computeFailures, "instances": published.instances.map(\.name),
            "shared_flights": report(published.sharedFlights),
            "tiers": published.tiers.map { tier in
                [
                    "name": tier.name, "hits": tier.hits, "misses": tier.misses, "errors": tier.errors,
                    "hit_rate": tier.hitRate, "tokens_saved": tier.tokensSaved, "cost_saved": tier.costSaved,
                ] as [String: Any]
            },
        ]
    }

    /// Misses shared with other gateways of the namespace, as JSON-ready values.
    static func report(_ flights: CacheStatistics.SharedFlights) -> [String: Any] {
        [
            "leases": flights.leases, "answered_elsewhere": flights.answeredElsewhere,
            "wait_timeouts": flights.waitTimeouts, "failures": flights.failures,
        ]
    }

    /// This process's statistics as JSON-ready values.
    static func report(_ statistics: CacheStatistics) -> [String: Any] {
        [
            "requests": statistics.requests, "model_calls": statistics.computed, "coalesced": statistics.coalesced,
            "failed_calls": statistics.computeFailures, "hit_rate": statistics.hitRate,
            "tokens_saved": statistics.tokensSaved, "cost_saved": statistics.costSaved,
            "shared_flights": report(statistics.sharedFlights),
            "tiers": statistics.tiers.map { tier in
                [
                    "name": tier.name, "hits": tier.hits, "misses": tier.misses, "errors": tier.errors,
                    "breaker": "\(tier.breaker)", "lookup_p50_us": Double(tier.lookupP50.components.attoseconds) / 1e12
                        + Double(tier.lookupP50.components.seconds) * 1e6,
                ] as [String: Any]
            },
        ]
    }
}
