/// Vectors as the FP32 blobs Redis stores and searches: little-endian
/// IEEE 754 single precision, four bytes per component.
enum VectorBytes {
    static func encode(_ vector: [Float]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for component in vector {
            withUnsafeBytes(of: component.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// The vector in `bytes`, or `nil` unless it holds exactly `dimensions` components.
    static func decode(_ bytes: [UInt8], dimensions: Int) -> [Float]? {
        guard bytes.count == dimensions * 4 else { return nil }
        return (0..<dimensions).map { index in
            let offset = index * 4
            let bits = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
