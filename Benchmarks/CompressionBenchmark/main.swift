// Measures PayloadCodec on real English answers: ratio and MB/s at levels
// 1, 3 and 9, without and with a 16 KB dictionary trained on a disjoint
// split. One answer per call, as a cache writes and reads them.
//
//   swift run -c release CompressionBenchmark [--runs N] [--json] [--dump-corpus FILE]
import BenchmarkSupport
import Foundation
import LLMCache
import LLMCacheTesting

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

let runs = max(1, BenchmarkReport.argument("runs").flatMap(Int.init) ?? 5)
let corpus = Corpus.collect()
guard corpus.chunks.count >= 100 else {
    log("Found only \(corpus.chunks.count) prose chunks; is /usr/share/common-licenses there?")
    exit(1)
}

// A fixed shuffle, then every fifth chunk is held out for measuring: the
// dictionary never sees the answers it is measured on.
var shuffleRandom = SeededRandomNumberGenerator(seed: 42)
let shuffled = corpus.chunks.shuffled(using: &shuffleRandom)
let test = shuffled.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
let training = shuffled.enumerated().filter { $0.offset % 5 != 0 }.map(\.element)
let testBytes = test.reduce(0) { $0 + $1.count }
log("Corpus: \(corpus.chunks.count) chunks (\(training.count) training, \(test.count) test)")
for (root, count) in corpus.sources { log("  \(count) from \(root)") }

if let path = BenchmarkReport.argument("dump-corpus") {
    let object = ["training": training.map { String(decoding: $0, as: UTF8.self) },
                  "test": test.map { String(decoding: $0, as: UTF8.self) }]
    try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    log("Wrote the corpus to \(path)")
}

var trainedDictionary: CompressionDictionary?
let trainingNanoseconds = nanoseconds {
    trainedDictionary = try? CompressionDictionary.train(samples: training, capacity: 16 * 1024)
}
guard let trained = trainedDictionary else {
    log("Dictionary training failed")
    exit(1)
}

/// Median ratio and throughput of one configuration over `runs` runs.
func measure(_ codec: PayloadCodec, name: String, chunks: [[UInt8]], runs: Int) throws -> BenchmarkReport {
    let bytes = Double(chunks.reduce(0) { $0 + $1.count })
    var frames = try chunks.map { try codec.encode($0) }  // warm-up, and the frames to decode
    var compress: [Double] = []
    var decompress: [Double] = []
    for _ in 0..<runs {
        compress.append(bytes * 1e3 / (try nanoseconds {
            for index in chunks.indices { frames[index] = try codec.encode(chunks[index]) }
        }))
        var decoded = 0
        decompress.append(bytes * 1e3 / (try nanoseconds {
            for frame in frames { decoded &+= try codec.decode(frame).count }
        }))
        precondition(Double(decoded) == bytes, "round trip lost bytes")
    }
    let encoded = frames.reduce(0) { $0 + $1.count }
    let headers = frames.reduce(0) { $0 + headerSize($1) }
    var report = BenchmarkReport(name: name)
    report.add("ratio", bytes / Double(encoded))
    report.add("ratio_without_frame_header", bytes / Double(encoded - headers))
    report.add("compress_MBps_median", median(compress))
    report.add("decompress_MBps_median", median(decompress))
    return report
}

/// Bytes before the body, from the frame layout documented on PayloadCodec.
func headerSize(_ frame: [UInt8]) -> Int {
    var offset = 3
    while frame[offset] & 0x80 != 0 { offset += 1 }
    return offset + 1 + (frame[2] & 2 != 0 ? 4 : 0) + 4
}

var report = BenchmarkReport(name: "CompressionBenchmark")
report.add("runs", runs)
report.add("corpus_chunks", corpus.chunks.count)
report.add("training_chunks", training.count)
report.add("test_chunks", test.count)
report.add("test_bytes", testBytes)
report.add("mean_test_chunk_bytes", testBytes / test.count)
var sources = BenchmarkReport(name: "sources")
for (root, count) in corpus.sources { sources.add(root, count) }
report.add("sources", sources)
report.add("dictionary_bytes", trained.bytes.count)
report.add("dictionary_training_ms", trainingNanoseconds / 1e6)

for level in [1, 3, 9] {
    log("Measuring level \(level)…")
    let dictionary = try CompressionDictionary(bytes: trained.bytes, level: level)
    report.add("level\(level)", try measure(PayloadCodec(configuration: .init(level: level)), name: "level \(level)", chunks: test, runs: runs))
    report.add(
        "level\(level)_dictionary",
        try measure(
            PayloadCodec(configuration: .init(dictionary: dictionary)), name: "level \(level), 16 KB dictionary",
            chunks: test, runs: runs
        )
    )
}

// Frames below the threshold are only checksummed and copied: this bounds
// the codec's own overhead per answer, apart from zstd.
report.add("stored", try measure(
    PayloadCodec(configuration: .init(compressionThreshold: .max)), name: "stored, no compression", chunks: test, runs: runs
))
report.emit()
