#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A `model.safetensors` file, memory-mapped read-only, with its float32
/// tensors available by name.
///
/// The format is an 8-byte little-endian header length, a JSON header mapping
/// each tensor name to `dtype`, `shape` and `data_offsets` (relative to the end
/// of the header), then the raw data. Mapping instead of reading keeps the
/// 90 MB of weights out of the heap and shared between processes; tensors are
/// pointers into the mapping, valid for as long as this object lives.
///
/// Every problem (missing file, truncated or malformed header, a tensor that is
/// absent, not F32, of the wrong shape or outside the file) is an
/// ``EmbeddingError`` naming the file and pointing at `scripts/model.sh`.
final class SafeTensorsFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and never changes after init; the
    // copies of misaligned tensors are written once, under `copiesLock`.

    /// One entry of the JSON header.
    struct TensorInfo: Decodable, Sendable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    /// The header's tensors by name; `__metadata__` (free-form strings) is skipped.
    struct Header: Decodable {
        let tensors: [String: TensorInfo]

        private struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            var tensors: [String: TensorInfo] = [:]
            for key in container.allKeys where key.stringValue != "__metadata__" {
                tensors[key.stringValue] = try container.decode(TensorInfo.self, forKey: key)
            }
            self.tensors = tensors
        }
    }

    /// The file's path, for error messages.
    let path: String
    /// Every tensor the header lists.
    let tensors: [String: TensorInfo]

    private let mapping: UnsafeRawPointer
    private let mappedLength: Int
    /// Where the data section starts in the mapping (8 + header length).
    private let dataStart: Int
    /// Tensors whose data is not 4-byte aligned in the file, copied once.
    private let copiesLock = NSLock()
    private var copies: [UnsafeMutableBufferPointer<Float>] = []

    /// Maps the file at `url` and validates its header (not yet the tensors:
    /// see ``floats(_:shape:)``).
    init(contentsOf url: URL) throws(EmbeddingError) {
        let path = url.path
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw EmbeddingError(
                .modelFileMissing, "cannot open the model weights \(path) (\(reason)): \(EmbeddingError.fetchHint)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            throw EmbeddingError(
                .modelFileMissing, "cannot read the model weights \(path) (\(reason)): \(EmbeddingError.fetchHint)")
        }
        let length = Int(status.st_size)
        guard length >= 8 else {
            throw Self.malformed(path, "it is \(length) bytes long, too short for a safetensors header")
        }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            throw EmbeddingError(
                .modelFileMissing, "cannot map the model weights \(path) (\(reason)): \(EmbeddingError.fetchHint)")
        }
        let base = UnsafeRawPointer(mapped)
        do throws(EmbeddingError) {
            // The header length is little-endian; the loop makes no assumption
            // about the host's byte order or the pointer's alignment.
            var headerLength: UInt64 = 0
            for index in 0..<8 {
                headerLength |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << (8 * UInt64(index))
            }
            guard headerLength > 0, headerLength <= UInt64(length - 8) else {
                throw Self.malformed(
                    path, "its header length \(headerLength) does not fit in the file's \(length) bytes")
            }
            let headerBytes = Data(bytes: base + 8, count: Int(headerLength))
            let header: Header
            do {
                header = try JSONDecoder().decode(Header.self, from: headerBytes)
            } catch {
                throw Self.malformed(path, "its header is not the JSON safetensors expects (\(error))")
            }
            tensors = header.tensors
            dataStart = 8 + Int(headerLength)
        } catch {
            munmap(mapped, length)
            throw error
        }
        mapping = base
        mappedLength = length
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping), mappedLength)
        for copy in copies { copy.deallocate() }
    }

    /// Tells the kernel the mapped pages read so far are not needed: a
    /// private read-only mapping is never dirty, so they are simply dropped
    /// from this process's resident memory and read again from the (cached)
    /// file if touched. Called once the weights that are copied at load time
    /// have been copied.
    func releaseResidentPages() {
        madvise(UnsafeMutableRawPointer(mutating: mapping), mappedLength, MADV_DONTNEED)
    }

    /// The F32 tensor `name`, which must have exactly `shape`; its elements in
    /// row-major order (the last dimension varies fastest).
    ///
    /// Valid while this file object is alive.
    func floats(_ name: String, shape: [Int]) throws(EmbeddingError) -> UnsafeBufferPointer<Float> {
        guard let info = tensors[name] else {
            throw Self.malformed(path, "it has no tensor \(name)")
        }
        guard info.dtype == "F32" else {
            throw Self.malformed(path, "tensor \(name) is \(info.dtype), expected F32")
        }
        guard info.shape == shape else {
            throw Self.malformed(path, "tensor \(name) has shape \(info.shape), expected \(shape)")
        }
        let count = shape.reduce(1, *)
        guard info.dataOffsets.count == 2, info.dataOffsets[0] >= 0,
            info.dataOffsets[1] - info.dataOffsets[0] == count * MemoryLayout<Float>.size,
            dataStart + info.dataOffsets[1] <= mappedLength
        else {
            throw Self.malformed(
                path, "tensor \(name) has data offsets \(info.dataOffsets) that do not match its shape or the file size")
        }
        let start = mapping + dataStart + info.dataOffsets[0]
        if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
            return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: count)
        }
        // The format does not promise alignment; copy rather than misread.
        let copy = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        UnsafeMutableRawBufferPointer(copy).copyMemory(from: UnsafeRawBufferPointer(start: start, count: count * 4))
        copiesLock.withLock { copies.append(copy) }
        return UnsafeBufferPointer(copy)
    }

    static func malformed(_ path: String, _ problem: String) -> EmbeddingError {
        EmbeddingError(
            .malformedModelFile,
            "the model weights \(path) are not usable: \(problem); \(EmbeddingError.fetchHint)")
    }
}
