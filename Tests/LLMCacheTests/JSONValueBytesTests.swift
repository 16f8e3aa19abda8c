import Foundation
import Testing

@testable import LLMCache

@Suite("JSONValue read and written as bytes")
struct JSONValueBytesTests {
    static let samples = [
        #"{"model":"m","messages":[{"role":"user","content":"Capital of France?"}],"temperature":0.7,"n":1}"#,
        #"  [1, -2.5, 3e2, 0.000001, 12345678901234, true, false, null, "", {}, []]  "#,
        #"{"esc":"quote \" slash \/ back \\ tab \t nl \n cr \r bs \b ff \f uni \u00e9 \u2603 pair \ud83d\ude00","é":"naïve ☃"}"#,
        #"{"nested":{"a":[{"b":[[[{"c":"d"}]]]}]},"z":-0,"big":1.7976931348623157e308}"#,
    ]

    @Test(arguments: samples)
    func readsWhatJSONDecoderReads(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let value = try JSONValue(parsing: Array(text.utf8))
        #expect(value == expected)
        // The canonical text reads back as the same value, with either reader.
        let canonical = value.canonicalJSON()
        #expect(try JSONValue(parsing: canonical) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(canonical)) == value)
    }

    @Test func canonicalTextSortsKeysAndWritesIntegersPlainly() throws {
        let value = try JSONValue(parsing: Array(#"{"b": 2.0, "a": [1.5, "x\u0001"], "c": null}"#.utf8))
        #expect(String(decoding: value.canonicalJSON(), as: UTF8.self) == #"{"a":[1.5,"x\u0001"],"b":2,"c":null}"#)
    }

    @Test func randomValuesSurviveARoundTrip() throws {
        var random = SplitMix64(seed: 7)
        func make(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .number((Double.random(in: -1e6...1e6, using: &random) * 1000).rounded() / 1000)
            case 3:
                let scalars = (0..<Int.random(in: 0..<8, using: &random)).map { _ in
                    Character(Unicode.Scalar([0x22, 0x5C, 0x0A, 0x41, 0xE9, 0x2603, 0x1F600, 0x01][Int.random(in: 0..<8, using: &random)])!)
                }
                return .string(String(scalars))
            case 4: return .array((0..<Int.random(in: 0..<4, using: &random)).map { _ in make(depth + 1) })
            default:
                return .object(Dictionary((0..<Int.random(in: 0..<4, using: &random)).map { ("k\($0)", make(depth + 1)) }) { $1 })
            }
        }
        for _ in 0..<500 {
            let value = make(0)
            #expect(try JSONValue(parsing: value.canonicalJSON()) == value)
        }
    }

    @Test(arguments: [
        "", "   ", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "+1", "tru", "nul", "\"open", "{\"a\" 1}",
        "[1] 2", "\"\\x\"", "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\\u12\"", "\"tab\there\"", "1e999", "{1:2}",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNestingWithoutCrashing() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x22]) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(deep.utf8)) }
        let allowed = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: Array(allowed.utf8))) != nil)
    }
}
