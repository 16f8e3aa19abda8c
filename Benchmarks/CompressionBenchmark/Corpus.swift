import Foundation
import LLMCacheTesting

/// Real English prose from this machine, cut into answer-sized chunks.
///
/// Why not generated text: zstd's ratio depends on real vocabulary and
/// phrasing, and templated text flatters compression and dictionaries
/// alike. Licences, package documentation and Python's docstrings are on
/// every Debian machine with Python, so the figures can be reproduced.
struct Corpus {
    /// Deduplicated chunks of 500–3000 bytes (nearly all ASCII), each made of whole paragraphs.
    var chunks: [[UInt8]] = []
    /// How many chunks came from each scanned root.
    var sources: [(root: String, chunks: Int)] = []

    static let minimumChunk = 500
    static let maximumChunk = 3000

    /// Scans the well-known roots that exist on this machine, in a fixed order.
    static func collect() -> Corpus {
        var corpus = Corpus()
        var seenParagraphs = Set<[UInt8]>()
        var sizes = ChunkSizes()
        for root in roots() {
            let before = corpus.chunks.count
            for path in files(under: root.path, matching: root.accepts) {
                guard let text = readText(path) else { continue }
                let pieces = path.hasSuffix(".py") ? docstrings(in: text) : [text[...]]
                for piece in pieces {
                    let fresh = paragraphs(in: piece).filter { seenParagraphs.insert(key($0)).inserted }
                    corpus.chunks += chunks(of: fresh, sizes: &sizes)
                }
            }
            corpus.sources.append((root.path, corpus.chunks.count - before))
        }
        return corpus
    }

    private struct Root {
        let path: String
        let accepts: (String) -> Bool
    }

    private static func roots() -> [Root] {
        let proseName: (String) -> Bool = { name in
            let lower = name.lowercased()
            return lower == "copyright" || lower.hasPrefix("readme") || lower == "news"
                || [".txt", ".md", ".rst"].contains { lower.hasSuffix($0) }
        }
        var roots = [
            Root(path: "/usr/share/common-licenses", accepts: { _ in true }),
            Root(path: "/usr/share/doc", accepts: proseName),
        ]
        for library in pythonLibraries() {
            // The standard library's own modules carry docstrings; packages carry .rst/.txt docs.
            roots.append(Root(path: library, accepts: { name in name.hasSuffix(".py") || proseName(name) }))
        }
        return roots.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// `lib/python3.X` of the `python3` on PATH, plus Debian's system one.
    private static func pythonLibraries() -> [String] {
        var libraries: [String] = []
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if process.terminationStatus == 0, !path.isEmpty { libraries.append(path) }
        }
        let system = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        libraries += system.filter { $0.hasPrefix("python3.") }.sorted().map { "/usr/lib/\($0)" }
        var seen = Set<String>()
        return libraries.filter { seen.insert(URL(fileURLWithPath: $0).resolvingSymlinksInPath().path).inserted }
    }

    private static func files(under root: String, matching accepts: (String) -> Bool) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasSuffix(".gz") || relative.contains("/test") || relative.contains("__pycache__") { continue }
            if accepts(name) { paths.append(root + "/" + relative) }
        }
        return paths.sorted()
    }

    /// The file's bytes, or nil for binaries, non-UTF-8 files, directories and huge files.
    private static func readText(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path), data.count < 4 << 20, !data.contains(0) else { return nil }
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        return bytes
    }

    /// Triple-quoted strings of a Python module: its docstrings, mostly.
    private static func docstrings(in source: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var opened: Int?
        var index = 0
        while index + 2 < source.count {
            if source[index] == 0x22, source[index + 1] == 0x22, source[index + 2] == 0x22 {
                if let start = opened {
                    if index - start >= 200 { pieces.append(source[start..<index]) }
                    opened = nil
                } else {
                    opened = index + 3
                }
                index += 3
            } else {
                index += 1
            }
        }
        return pieces
    }

    /// Blank-line separated paragraphs, lines trimmed (Debian's " ." counts as blank), prose only.
    private static func paragraphs(in text: ArraySlice<UInt8>) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty, looksLikeProse(current) { result.append(current) }
            current.removeAll(keepingCapacity: true)
        }
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                .reversed().drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }.reversed()
            if trimmed.isEmpty || trimmed.elementsEqual([0x2E]) {
                flush()
            } else {
                if !current.isEmpty { current.append(0x0A) }
                current += trimmed
            }
        }
        flush()
        return result
    }

    /// Mostly letters and spaces, at least eight words, and common English function words.
    private static func looksLikeProse(_ paragraph: [UInt8]) -> Bool {
        guard paragraph.count >= 40 else { return false }
        var letters = 0
        var spaces = 0
        var codeMarks = 0
        for byte in paragraph {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x80...: letters += 1
            case 0x20, 0x0A: spaces += 1
            case 0x7B, 0x7D, 0x3E, 0x3D: codeMarks += 1  // { } > =
            default: break
            }
        }
        let words = paragraph.split { $0 == 0x20 || $0 == 0x0A }
        let common: Set<String> = ["the", "of", "and", "to", "is", "a", "in", "that", "for", "or"]
        let commonCount = words.filter { $0.count <= 4 && common.contains(String(decoding: $0, as: UTF8.self).lowercased()) }.count
        return codeMarks == 0 && Double(letters + spaces) >= 0.85 * Double(paragraph.count)
            && words.count >= 8 && commonCount * 8 >= words.count
    }

    /// Paragraph reduced to lowercase ASCII letters, so reflowed copies of one licence count once.
    private static func key(_ paragraph: [UInt8]) -> [UInt8] {
        paragraph.compactMap { byte in
            switch byte {
            case 0x61...0x7A: byte
            case 0x41...0x5A: byte + 0x20
            default: nil
            }
        }
    }

    /// Consecutive paragraphs grouped into chunks whose target lengths are spread
    /// evenly over 500–3000 bytes (by a fixed-seed generator), as answers are.
    private static func chunks(of paragraphs: [[UInt8]], sizes: inout ChunkSizes) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        var target = sizes.next()
        func emit() {
            if current.count >= minimumChunk {
                result.append(current)
                target = sizes.next()
            }
            current = []
        }
        for paragraph in paragraphs {
            if paragraph.count > maximumChunk {
                emit()
                continue
            }
            if !current.isEmpty, current.count + 2 + paragraph.count > maximumChunk { emit() }
            if !current.isEmpty { current += [0x0A, 0x0A] }
            current += paragraph
            if current.count >= target { emit() }
        }
        emit()
        return result
    }

    /// Seeded sizes in 500...3000, so the corpus is the same on every run.
    struct ChunkSizes {
        var random = SeededRandomNumberGenerator(seed: 0x5EED)

        mutating func next() -> Int {
            minimumChunk + Int(random.next() % UInt64(maximumChunk - minimumChunk + 1))
        }
    }
}
