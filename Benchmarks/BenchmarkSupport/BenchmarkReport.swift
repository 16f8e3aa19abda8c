import Foundation

/// Collects a benchmark's figures and prints them either as a human-readable
/// table or, with `--json` on the command line, as exactly one JSON object,
/// so scripts can compare runs without scraping text.
public struct BenchmarkReport: Sendable {
    /// The benchmark's name, printed as the report's title and as `"benchmark"` in JSON.
    public let name: String
    private var figures: [(String, Figure)] = []

    /// One measured value; numbers keep their unit in the key name (e.g. `p50_us`).
    public enum Figure: Sendable {
        case number(Double)
        case integer(Int)
        case text(String)
        case group(BenchmarkReport)
    }

    public init(name: String) { self.name = name }

    /// True when the user asked for machine-readable output.
    public static var wantsJSON: Bool { CommandLine.arguments.contains("--json") }

    /// The value following `--name` on the command line, if any.
    public static func argument(_ name: String) -> String? {
        let arguments = CommandLine.arguments
        guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    public mutating func add(_ key: String, _ value: Double) { figures.append((key, .number(value))) }
    public mutating func add(_ key: String, _ value: Int) { figures.append((key, .integer(value))) }
    public mutating func add(_ key: String, _ value: String) { figures.append((key, .text(value))) }
    public mutating func add(_ key: String, _ group: BenchmarkReport) { figures.append((key, .group(group))) }

    /// Prints the report in the format the command line asked for.
    public func emit() {
        if Self.wantsJSON {
            var object = jsonObject()
            object["benchmark"] = name
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(text(indent: ""))
        }
    }

    private func jsonObject() -> [String: Any] {
        var object: [String: Any] = [:]
        for (key, figure) in figures {
            switch figure {
            case .number(let value): object[key] = value.isFinite ? (value * 1000).rounded() / 1000 : 0
            case .integer(let value): object[key] = value
            case .text(let value): object[key] = value
            case .group(let group): object[key] = group.jsonObject()
            }
        }
        return object
    }

    private func text(indent: String) -> String {
        var lines = ["\(indent)\(name)"]
        for (key, figure) in figures {
            switch figure {
            case .number(let value): lines.append("\(indent)  \(key): \(String(format: "%.3f", value))")
            case .integer(let value): lines.append("\(indent)  \(key): \(value)")
            case .text(let value): lines.append("\(indent)  \(key): \(value)")
            case .group(let group): lines.append(group.text(indent: indent + "  "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
