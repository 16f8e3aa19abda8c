import ArgumentParser
import Foundation
import LLMCache
import LLMCacheRedis

/// `llmcache stats`: how the cache of a namespace performs and what it holds.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Hit rates and savings every process published, entry counts and memory of a namespace.",
        discussion: """
            Counters come from processes running a RedisStatisticsPublisher (batched, every 10 s by default). \
            Entry counts walk the namespace with SCAN; memory is MEMORY USAGE of up to --sample keys per kind, \
            scaled up when there are more (marked ≈).
            """)

    @Option(help: "Keys per kind measured with MEMORY USAGE; the rest are estimated from them.")
    var sample = 200

    @Option(help: "Processes that reported within this many seconds count as active.")
    var activeWithin = 900

    @Flag(help: "Only the published counters and the server's memory: do not walk the keys.")
    var skipEntries = false

    @Flag(help: "Set the published counters to zero after printing them.")
    var reset = false

    @OptionGroup var redis: RedisOptions

    func validate() throws {
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1") }
        guard activeWithin >= 1 else { throw ValidationError("--active-within must be at least 1 second") }
    }

    func run() async throws {
        let report = try await redis.withNamespace { namespace, client in
            let published = try await namespace.publishedStatistics()
            let entries = skipEntries
                ? nil : try await NamespaceInventory.measure(namespace: namespace, client: client, sample: sample)
            let server = try await StatsReport.Server.read(client: client)
            if reset { try await namespace.resetPublishedStatistics() }
            return StatsReport(
                namespace: namespace.keyspace.namespace, version: namespace.current, published: published,
                now: SystemCacheClock().now, activeWithin: .seconds(activeWithin), entries: entries, server: server,
                reset: reset)
        }
        print(redis.json ? try jsonLine(report) : report.table)
    }
}

/// What `llmcache stats` prints, as text or JSON.
struct StatsReport: Encodable {
    struct Tier: Encodable {
        var name: String
        var position: Int
        var lookups: Int
        var hits: Int
        var hitRate: Double
        var misses: Int
        var errors: Int
        var skipped: Int
        var stores: Int
        var storeErrors: Int
        var promotions: Int
        var decodeFailures: Int
        var tokensSaved: Int
        var costSaved: Double
        /// Lookups with a recorded duration (the latency histogram's samples).
        var latencySamples: Int
        var p50Ms: Double?
        var p99Ms: Double?
    }

    struct Totals: Encodable {
        var requests: Int
        var computed: Int
        var coalesced: Int
        var computeFailures: Int
        /// Requests the cacheability policy kept to exact tiers, or from the cache.
        var exactOnly: Int
        var notCached: Int
        /// Misses shared among the processes (see `CacheStatistics.SharedFlights`).
        var flightLeases: Int
        var answeredElsewhere: Int
        var flightWaitTimeouts: Int
        var flightFailures: Int
        var hitRate: Double
        var tokensSaved: Int
        var costSaved: Double
        var batches: Int
        var sinceMs: Int64?
    }

    struct Instance: Encodable {
        var name: String
        var lastReportMs: Int64
        var ageMs: Int64
        var active: Bool
    }

    struct Processes: Encodable {
        var active: Int
        var known: Int
        var activeWithinSeconds: Int
        var lastReportAgeMs: Int64?
        var instances: [Instance]
    }

    struct Server: Encodable {
        var redisVersion: String?
        var usedMemory: Int?
        /// 0: no limit.
        var maxmemory: Int?
        var maxmemoryPolicy: String?

        static func read(client: RedisClient) async throws -> Server {
            var fields: [String: String] = [:]
            for section in ["server", "memory"] {
                let text = try await client.execute(.info(section))
                for line in text.split(whereSeparator: \.isNewline) {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
                }
            }
            return Server(
                redisVersion: fields["redis_version"], usedMemory: fields["used_memory"].flatMap { Int($0) },
                maxmemory: fields["maxmemory"].flatMap { Int($0) }, maxmemoryPolicy: fields["maxmemory_policy"])
        }
    }

    var namespace: String
    var version: UInt64
    var nowMs: Int64
    var tiers: [Tier]
    var totals: Totals
    var processes: Processes
    var entries: NamespaceInventory?
    var server: Server
    var reset: Bool

    init(
        namespace: String, version: UInt64, published: PublishedStatistics, now: CacheTime, activeWithin: Duration,
        entries: NamespaceInventory?, server: Server, reset: Bool
    ) {
        self.namespace = namespace
        self.version = version
        nowMs = now.millisecondsSince1970
        tiers = published.tiers.map { tier in
            let samples = tier.lookupLatency.count
            return Tier(
                name: tier.name, position: tier.position, lookups: tier.lookups, hits: tier.hits, hitRate: tier.hitRate,
                misses: tier.misses, errors: tier.errors, skipped: tier.skipped, stores: tier.stores,
                storeErrors: tier.storeErrors, promotions: tier.promotions, decodeFailures: tier.decodeFailures,
                tokensSaved: tier.tokensSaved, costSaved: tier.costSaved, latencySamples: samples,
                p50Ms: samples == 0 ? nil : Format.milliseconds(tier.lookupLatency.percentile(0.50)),
                p99Ms: samples == 0 ? nil : Format.milliseconds(tier.lookupLatency.percentile(0.99)))
        }
        totals = Totals(
            requests: published.requests, computed: published.computed, coalesced: published.coalesced,
            computeFailures: published.computeFailures, exactOnly: published.exactOnly,
            notCached: published.notCached, flightLeases: published.sharedFlights.leases,
            answeredElsewhere: published.sharedFlights.answeredElsewhere,
            flightWaitTimeouts: published.sharedFlights.waitTimeouts, flightFailures: published.sharedFlights.failures,
            hitRate: published.hitRate, tokensSaved: published.tokensSaved,
            costSaved: published.costSaved, batches: published.batches, sinceMs: published.since?.millisecondsSince1970)
        let cutoff = now.advanced(by: .zero - activeWithin).millisecondsSince1970
        let instances = published.instances.map { instance in
            Instance(
                name: instance.name, lastReportMs: instance.lastReport.millisecondsSince1970,
                ageMs: max(0, now.millisecondsSince1970 - instance.lastReport.millisecondsSince1970),
                active: instance.lastReport.millisecondsSince1970 >= cutoff)
        }
        processes = Processes(
            active: instances.filter(\.active).count, known: instances.count,
            activeWithinSeconds: Int(activeWithin.components.seconds), lastReportAgeMs: instances.map(\.ageMs).min(),
            instances: instances)
        self.entries = entries
        self.server = server
        self.reset = reset
    }

    var table: String {
        var lines: [String] = []
        var heading = "namespace \(namespace), version \(version)"
        if let since = totals.sinceMs {
            heading += "; counters since \(Format.time(CacheTime(millisecondsSince1970: since)))"
                + " (\(Format.span(milliseconds: nowMs - since)) ago, \(Format.count(totals.batches, "batch", "batches")))"
        } else {
            heading += "; nothing published yet (attach a RedisStatisticsPublisher to the stack)"
        }
        lines.append(heading)
        var processLine = "processes: \(processes.active) reported in the last \(Format.span(milliseconds: Int64(processes.activeWithinSeconds) * 1000))"
        if let age = processes.lastReportAgeMs { processLine += ", last report \(Format.span(milliseconds: age)) ago" }
        processLine += "; \(processes.known) known"
        lines += [processLine, ""]

        var table = TextTable(
            ["tier", "lookups", "hits", "hit rate", "misses", "errors", "skipped", "stores", "promoted", "p50", "p99",
             "tokens saved", "cost saved"],
            rightAligned: Set(1...12))
        for tier in tiers {
            table.append([
                tier.name, "\(tier.lookups)", "\(tier.hits)", Format.percent(tier.hitRate), "\(tier.misses)",
                "\(tier.errors)", "\(tier.skipped)", "\(tier.stores)", "\(tier.promotions)",
                tier.p50Ms.map { Format.latency(.nanoseconds(Int64(($0 * 1e6).rounded()))) } ?? "–",
                tier.p99Ms.map { Format.latency(.nanoseconds(Int64(($0 * 1e6).rounded()))) } ?? "–",
                "\(tier.tokensSaved)", Format.money(tier.costSaved),
            ])
        }
        lines.append(table.rendered)
        lines.append(
            "requests \(totals.requests), model calls \(totals.computed), coalesced \(totals.coalesced), "
                + "failed calls \(totals.computeFailures), hit rate \(Format.percent(totals.hitRate)), "
                + "tokens saved \(totals.tokensSaved), cost saved \(Format.money(totals.costSaved))")
        if totals.exactOnly + totals.notCached > 0 {
            lines.append("cacheability policy: exact only \(totals.exactOnly), not cached \(totals.notCached)")
        }
        if totals.flightLeases + totals.answeredElsewhere + totals.flightWaitTimeouts + totals.flightFailures > 0 {
            lines.append(
                "shared flights: leases \(totals.flightLeases), answered by other processes \(totals.answeredElsewhere), "
                    + "wait timeouts \(totals.flightWaitTimeouts), coordinator failures \(totals.flightFailures)")
        }

        if let entries {
            lines.append("")
            var keys = TextTable(["entries", "keys", "vectors", "memory"], rightAligned: [1, 2, 3])
            for group in entries.groups {
                keys.append([
                    group.kind.rawValue + (group.currentVersion ? "" : " (older versions)"), "\(group.keys)",
                    group.vectors.map(String.init) ?? "", (group.memoryIsEstimate ? "≈ " : "") + Format.bytes(group.memoryBytes),
                ])
            }
            keys.append([
                "total", "\(entries.totalKeys)", "",
                (entries.memoryIsEstimate ? "≈ " : "") + Format.bytes(entries.totalMemoryBytes),
            ])
            lines.append(keys.rendered)
            let current = entries.containers.filter { $0.version == version }
            if !current.isEmpty {
                lines.append("")
                var containers = TextTable(["semantic container", "backend", "vectors"], rightAligned: [2])
                for container in current.prefix(10) {
                    containers.append([container.id, container.backend, "\(container.vectors)"])
                }
                lines.append(containers.rendered)
                if current.count > 10 { lines.append("… and \(current.count - 10) more containers (--json lists them all)") }
            }
            for index in entries.searchIndexes {
                lines.append(
                    "search index \(index.name): \(index.documents) documents"
                        + (index.memoryBytes.map { ", index memory \(Format.bytes($0))" } ?? ""))
            }
        }
        lines.append("")
        var serverLine = "server: Redis \(server.redisVersion ?? "?")"
        if let used = server.usedMemory { serverLine += ", used_memory \(Format.bytes(used))" }
        if let maximum = server.maxmemory { serverLine += maximum == 0 ? ", no maxmemory" : " of maxmemory \(Format.bytes(maximum))" }
        if let policy = server.maxmemoryPolicy { serverLine += ", policy \(policy)" }
        lines.append(serverLine)
        if reset { lines.append("published counters reset to zero") }
        return lines.joined(separator: "\n")
    }
}
