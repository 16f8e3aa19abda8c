import Foundation
import LLMCache
import Synchronization

/// A cache tier written in this example, to show that `CacheTier` is open:
/// an append-only write-ahead log on a file, with an index in memory.
///
/// Every store, tag invalidation and `removeAll` is appended to the file as
/// one JSON line *before* the index changes, so a new process that opens the
/// same file replays it and answers what an earlier one stored. A production
/// log would also `fsync` (on a thread of its own, never the cooperative
/// pool), compact itself and bound its size; this one is kept short.
final class WriteAheadLogTier: CacheTier {
    let name = "wal"
    var matching: TierMatching { .exact }
    let file: URL
    private let clock: any CacheClock
    private let state: Mutex<State>

    private struct State {
        var index: [String: CacheEntry] = [:]
        var handle: FileHandle
        var records = 0
    }

    /// One line of the log.
    private struct Record: Codable {
        enum Operation: String, Codable { case store, invalidate, clear }
        var operation: Operation
        var key: String?
        /// `CacheEntry.serialized()`, base64.
        var entry: String?
        var tags: [String]?
    }

    /// Opens (or creates) the log at `file` and replays it.
    init(file: URL, clock: any CacheClock = SystemCacheClock()) throws {
        if !FileManager.default.fileExists(atPath: file.path),
            !FileManager.default.createFile(atPath: file.path, contents: nil)
        {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        var state = State(handle: try FileHandle(forUpdating: file))
        let contents = try state.handle.readToEnd() ?? Data()
        for line in contents.split(separator: UInt8(ascii: "\n")) {
            // A torn last line (a crash mid-append) is skipped, not fatal.
            guard let record = try? JSONDecoder().decode(Record.self, from: line) else { continue }
            _ = Self.apply(record, to: &state.index)
            state.records += 1
        }
        self.file = file
        self.clock = clock
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { try? $0.handle.close() }
    }

    /// Entries the index holds now.
    var count: Int { state.withLock { $0.index.count } }
    /// Lines in the log: every store, invalidation and clear so far.
    var recordCount: Int { state.withLock { $0.records } }

    func lookup(_ query: CacheQuery) async throws -> CacheHit? {
        let now = clock.now
        let entry = state.withLock { $0.index[query.key.hex] }
        guard let entry, entry.namespaceVersion == query.namespaceVersion, !entry.isExpired(at: now) else { return nil }
        return CacheHit(entry: entry.touched(at: now))
    }

    func store(_ entry: CacheEntry, for query: CacheQuery) async throws {
        try append(Record(operation: .store, key: query.key.hex, entry: Data(entry.serialized()).base64EncodedString()))
    }

    @discardableResult
    func invalidate(tags: Set<String>) async throws -> Int {
        try append(Record(operation: .invalidate, tags: tags.sorted()))
    }

    func removeAll() async throws {
        try append(Record(operation: .clear))
    }

    /// Drops entries of other versions from the index; the log keeps them,
    /// and after a replay lookups never serve them (they compare versions).
    func namespaceVersionDidChange(to version: UInt64) async {
        state.withLock { state in state.index = state.index.filter { $0.value.namespaceVersion == version } }
    }

    /// Writes the record, then applies it (the log is always ahead of the
    /// index); returns how many entries it removed.
    @discardableResult
    private func append(_ record: Record) throws -> Int {
        var line = try JSONEncoder().encode(record)
        line.append(UInt8(ascii: "\n"))
        return try state.withLock { state in
            try state.handle.seekToEnd()
            try state.handle.write(contentsOf: line)
            state.records += 1
            return Self.apply(record, to: &state.index)
        }
    }

    /// Applies one record to the index; returns how many entries it removed.
    private static func apply(_ record: Record, to index: inout [String: CacheEntry]) -> Int {
        let before = index.count
        switch record.operation {
        case .store:
            guard let key = record.key, let encoded = record.entry.flatMap({ Data(base64Encoded: $0) }),
                let entry = try? CacheEntry(serialized: Array(encoded))
            else { return 0 }
            index[key] = entry
            return 0
        case .invalidate:
            let tags = Set(record.tags ?? [])
            index = index.filter { $0.value.tags.isDisjoint(with: tags) }
        case .clear:
            index.removeAll()
        }
        return before - index.count
    }
}
