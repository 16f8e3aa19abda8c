import Foundation
import LLMCache

/// How the commands print figures: short, unit-bearing, and the same
/// everywhere.
enum Format {
    /// `512 B`, `1.5 KiB`, `12.0 MiB`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// `42.0%`.
    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    /// Money with six decimals: saved amounts per request are fractions of a cent.
    static func money(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    /// `850ns`, `12.3µs`, `4.5ms`, `1.2s`: lookup latencies.
    static func latency(_ duration: Duration) -> String {
        let nanoseconds = seconds(duration) * 1e9
        if nanoseconds == 0 { return "–" }
        if nanoseconds < 1_000 { return "\(Int(nanoseconds))ns" }
        if nanoseconds < 1_000_000 { return String(format: "%.1fµs", nanoseconds / 1e3) }
        if nanoseconds < 1_000_000_000 { return String(format: "%.1fms", nanoseconds / 1e6) }
        return String(format: "%.2fs", nanoseconds / 1e9)
    }

    /// `45s`, `12m 3s`, `5h 2m`, `3d 4h`: ages and TTLs.
    static func span(milliseconds: Int64) -> String {
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        let seconds = milliseconds / 1_000
        if seconds < 60 { return String(format: "%.1fs", Double(milliseconds) / 1_000) }
        if seconds < 3_600 { return units(seconds / 60, "m", seconds % 60, "s") }
        if seconds < 86_400 { return units(seconds / 3_600, "h", seconds % 3_600 / 60, "m") }
        return units(seconds / 86_400, "d", seconds % 86_400 / 3_600, "h")
    }

    /// `5m 3s`, or `5m` when the smaller unit is zero.
    private static func units(_ large: Int64, _ largeUnit: String, _ small: Int64, _ smallUnit: String) -> String {
        small == 0 ? "\(large)\(largeUnit)" : "\(large)\(largeUnit) \(small)\(smallUnit)"
    }

    /// `1 batch`, `3 batches`.
    static func count(_ value: Int, _ singular: String, _ plural: String) -> String {
        "\(value) \(value == 1 ? singular : plural)"
    }

    /// `2026-11-22T08:31:05Z`.
    static func time(_ time: CacheTime) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(time.millisecondsSince1970) / 1_000))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Milliseconds as a JSON-friendly number, to the nearest 100 ns.
    static func milliseconds(_ duration: Duration) -> Double {
        (seconds(duration) * 1e7).rounded() / 1e4
    }

    /// Text on one line, cut to `limit` characters with an ellipsis.
    static func preview(_ text: String, limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}

/// A command that ran but could not do what was asked (a missing key, say):
/// printed as `Error: …` with a failing exit status, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One JSON object on one line, keys sorted and in snake case.
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
