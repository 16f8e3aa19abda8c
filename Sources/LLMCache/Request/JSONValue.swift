/// A JSON value with a canonical hash.
///
/// Tool definitions and response formats arrive as free-form JSON; two
/// definitions that differ only in key order or number formatting must key
/// the same answer, so they are held as values, not as text.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Feeds the value with object keys in sorted order, so key order never
    /// changes a fingerprint.
    public func fingerprint(into hasher: inout FingerprintHasher) {
        switch self {
        case .null: hasher.combine(field: "null", true)
        case .bool(let value): hasher.combine(field: "bool", value)
        case .number(let value): hasher.combine(field: "number", value)
        case .string(let value): hasher.combine(field: "string", value)
        case .array(let values):
            hasher.combine(count: values.count, field: "array")
            for value in values { value.fingerprint(into: &hasher) }
        case .object(let members):
            hasher.combine(count: members.count, field: "object")
            for key in members.keys.sorted() {
                hasher.combine(field: "key", key)
                members[key]!.fingerprint(into: &hasher)
            }
        }
    }
}
