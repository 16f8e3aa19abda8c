import LLMCacheMeasurement
import Foundation

/// One measured phase of `llmcache bench`.
struct BenchPhase: Encodable, Sendable {
    /// A stable name for scripts (`exact_hit`, `semantic_lookup`, …).
    var id: String
    /// What a person reads in the table.
    var name: String
    var samples: Int
    var p50Us: Double
    var p99Us: Double
    var opsPerSecond: Double

    init(id: String, name: String, sample: LatencySample) {
        self.id = id
        self.name = name
        samples = sample.count
        p50Us = Self.rounded(sample.p50)
        p99Us = Self.rounded(sample.p99)
        opsPerSecond = sample.operationsPerSecond.rounded()
    }

    /// Two decimals: more would be noise, and keeps the JSON readable.
    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

/// What `llmcache bench` prints: a table, or one JSON object with `--json`.
struct BenchReport: Encodable, Sendable {
    /// `host:port` or the socket path; never the password.
    var server: String
    /// The namespace the run used and deleted.
    var namespace: String
    var iterations: Int
    var concurrency: Int
    var entries: Int
    var answerBytes: Int
    var storedFrameBytes = 0
    /// The semantic index the server offered (or the one forced).
    var semanticBackend: String?
    /// Semantic lookups that returned an answer (LSH may miss a few).
    var semanticHits: Int?
    var phases: [BenchPhase] = []
    /// An exact-tier hit's p50 over a bare `GET`'s.
    var exactHitOverBareGet: Double?

    init(server: String, namespace: String, settings: BenchSuite.Settings, answerBytes: Int) {
        self.server = server
        self.namespace = namespace
        iterations = settings.iterations
        concurrency = settings.concurrency
        entries = settings.entries
        self.answerBytes = answerBytes
    }

    /// The p50 of phase `id` over that of phase `baseline`: an exact-tier
    /// hit over a bare `GET` is the cost of the tier itself.
    func ratio(of id: String, to baseline: String) -> Double? {
        guard let phase = phases.first(where: { $0.id == id }),
            let base = phases.first(where: { $0.id == baseline }), base.p50Us > 0
        else { return nil }
        return (phase.p50Us / base.p50Us * 100).rounded() / 100
    }

    func table() -> String {
        let width = max(40, phases.map(\.name.count).max() ?? 0)
        func cell(_ text: String, _ size: Int) -> String { String(repeating: " ", count: max(0, size - text.count)) + text }
        var lines = [
            "llmcache bench: \(server), namespace \(namespace) (deleted afterwards)",
            "\(grouped(iterations)) timed operations per phase (per task when concurrent); answer \(grouped(answerBytes)) bytes, "
                + "\(grouped(storedFrameBytes)) stored",
            "",
            "phase".padding(toLength: width, withPad: " ", startingAt: 0) + cell("p50", 11) + cell("p99", 11) + cell("ops/s", 12),
        ]
        for phase in phases {
            lines.append(
                phase.name.padding(toLength: width, withPad: " ", startingAt: 0) + cell(duration(phase.p50Us), 11)
                    + cell(duration(phase.p99Us), 11) + cell(grouped(Int(phase.opsPerSecond)), 12))
        }
        lines.append("")
        if let ratio = exactHitOverBareGet {
            lines.append("exact-tier hit / bare GET (p50): \(String(format: "%.2f", ratio))×")
        }
        if let semanticBackend, let semanticHits {
            let lookups = phases.first { $0.id == "semantic_lookup" }?.samples ?? 0
            lines.append(
                "semantic backend: \(semanticBackend); lookups answered: \(grouped(semanticHits)) of \(grouped(lookups))")
        } else {
            lines.append("semantic phases skipped (--entries 0)")
        }
        return lines.joined(separator: "\n")
    }

    /// Microseconds as a person reads them: 3.1 µs, 145 µs, 1.26 ms.
    private func duration(_ microseconds: Double) -> String {
        switch microseconds {
        case ..<10: String(format: "%.1f µs", microseconds)
        case ..<1_000: String(format: "%.0f µs", microseconds)
        case ..<10_000: String(format: "%.2f ms", microseconds / 1_000)
        default: String(format: "%.1f ms", microseconds / 1_000)
        }
    }
}

/// 1234567 → "1,234,567", as the tables print counts.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}
