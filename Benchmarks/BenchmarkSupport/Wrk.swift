import Foundation

/// `wrk` (the Debian package), the HTTP load generator: a process of its
/// own, written in C on epoll, so a figure measures the server and not the
/// client's overhead.
public enum Wrk {
    /// What one run measured.
    public struct Result: Sendable {
        public var requestsPerSecond: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        /// Responses outside 2xx and 3xx, plus socket errors.
        public var errors: Int
    }

    /// Runs `wrk --latency` against `url` with `connections` connections on
    /// `threads` threads for `seconds`; each request is a POST of `body`, or
    /// with `uniqueBodies` a body whose `{n}` becomes a number no other
    /// request of the run has (every request a miss).
    public static func run(
        url: String, body: String? = nil, uniqueBodies: Bool = false, connections: Int = 1, threads: Int = 1,
        seconds: Int = 3
    ) throws -> Result {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-wrk-\(UUID()).lua")
        try Data(luaScript(body: body, unique: uniqueBodies).utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "wrk", "--latency", "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "-s", script.path, url,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = parse(text) else {
            throw WrkFailure(description: "wrk failed (is the Debian package wrk installed?):\n\(text)")
        }
        return result
    }

    /// The Lua that shapes each request.
    static func luaScript(body: String?, unique: Bool) -> String {
        guard let body else { return "" }
        let quoted = body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let head = """
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"

            """
        guard unique else { return head + "wrk.body = \"\(quoted)\"\n" }
        // Each thread numbers its requests from its own large offset.
        return head + """
            local counter = 0
            local offset = 0
            function setup(thread) thread:set("offset", math.random(1, 1000000000) * 1000000) end
            function init(args) counter = offset end
            function request()
              counter = counter + 1
              local text = string.gsub("\(quoted)", "{n}", tostring(counter))
              return wrk.format(nil, nil, nil, text)
            end

            """
    }

    /// Requests/sec, the 50% and 99% latency lines, and the error counts.
    static func parse(_ text: String) -> Result? {
        func microseconds(_ value: Substring) -> Double? {
            let units: [(String, Double)] = [("us", 1), ("ms", 1000), ("s", 1_000_000)]
            for (unit, scale) in units where value.hasSuffix(unit) {
                return Double(value.dropLast(unit.count)).map { $0 * scale }
            }
            return nil
        }
        var result = Result(requestsPerSecond: 0, p50Microseconds: 0, p99Microseconds: 0, errors: 0)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            switch first {
            case "50%": result.p50Microseconds = fields.count > 1 ? microseconds(fields[1]) ?? 0 : 0
            case "99%": result.p99Microseconds = fields.count > 1 ? microseconds(fields[1]) ?? 0 : 0
            case "Requests/sec:": result.requestsPerSecond = fields.count > 1 ? Double(fields[1]) ?? 0 : 0
            case "Non-2xx": result.errors += Int(fields.last ?? "") ?? 0
            case "Socket":
                // Socket errors: connect 0, read 0, write 0, timeout 0
                result.errors += fields.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            default: break
            }
        }
        return result.requestsPerSecond > 0 ? result : nil
    }
}

/// A load run (or a peer's measurement script) that did not complete.
public struct WrkFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
