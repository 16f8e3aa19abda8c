import Foundation

/// redisvl's figures on the same vectors, from `scripts/redisvl.sh` (which
/// runs Benchmarks/redisvl/check.py), so the tier can be compared with the
/// Python library in the same run rather than with a figure from another day.
struct RedisvlFigures: Decodable {
    let entries: Int
    let lookupP50Microseconds: Double
    let topOneAgreement: Double
    let storesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case entries
        case lookupP50Microseconds = "lookup_p50_us"
        case topOneAgreement = "top1_agreement"
        case storesPerSecond = "stores_per_second"
    }

    /// Stores `stored` in a redisvl `SemanticCache` on the server at `url` and
    /// times `check` for each of `queries`, `runs` times.
    static func measure(url: String, stored: [[Float]], queries: [[Float]], runs: Int) throws -> RedisvlFigures {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("llmcache-redisvl-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let storedFile = folder.appendingPathComponent("stored.f32")
        let queriesFile = folder.appendingPathComponent("queries.f32")
        try littleEndianBytes(stored).write(to: storedFile)
        try littleEndianBytes(queries).write(to: queriesFile)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "scripts/redisvl.sh")
        process.arguments = [
            "--url", url, "--stored", storedFile.path, "--queries", queriesFile.path,
            "--dimensions", "\(stored.first?.count ?? 0)", "--runs", "\(runs)",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RedisvlFailure(status: process.terminationStatus)
        }
        return try JSONDecoder().decode(RedisvlFigures.self, from: data)
    }

    private static func littleEndianBytes(_ rows: [[Float]]) -> Data {
        Data(rows.flatMap(float32Bytes))
    }
}

/// A vector as Redis and numpy read it: float32 components, little-endian.
func float32Bytes(_ vector: [Float]) -> [UInt8] {
    vector.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
}

/// `scripts/redisvl.sh` exited with an error (its messages went to stderr).
struct RedisvlFailure: Error, CustomStringConvertible {
    let status: Int32
    var description: String { "scripts/redisvl.sh exited with status \(status)" }
}
