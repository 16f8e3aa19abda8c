import Foundation
import LLMCache
import Testing

@Suite("Request fingerprints")
struct FingerprintTests {
    private func key(_ request: some CacheableRequest) -> CacheKey { CacheKey(request: request) }

    private func scope(_ request: some CacheableRequest) -> CacheKey {
        var hasher = FingerprintHasher()
        request.semanticScope(into: &hasher)
        return hasher.finalize()
    }

    private func decode(_ json: String) throws -> ChatRequest {
        try JSONDecoder().decode(ChatRequest.self, from: Data(json.utf8))
    }

    @Test func keyOrderAndFloatFormattingDoNotChangeTheKey() throws {
        let a = try decode(
            #"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.7,"top_p":0.90,"#
                + #""tools":[{"type":"function","function":{"name":"f","parameters":{"b":1,"a":2}}}]}"#)
        let b = try decode(
            #"{"tools":[{"function":{"parameters":{"a":2.0,"b":1e0},"name":"f"},"type":"function"}],"#
                + #""top_p":0.9,"temperature":0.70,"messages":[{"content":"hi","role":"user"}],"model":"m"}"#)
        #expect(key(a) == key(b))
    }

    @Test func defaultsWrittenOutOrLeftOutGiveTheSameKey() {
        let bare = ChatRequest(model: "m", messages: [.user("hi")])
        let explicit = ChatRequest(
            model: "m", messages: [.user("hi")], temperature: 1, topP: 1, stop: [], tools: [],
            presencePenalty: 0, frequencyPenalty: -0.0)
        #expect(key(bare) == key(explicit))
        #expect(key(ChatRequest(model: "m", messages: [.user("hi")], stop: ["a", "b"]))
            == key(ChatRequest(model: "m", messages: [.user("hi")], stop: ["b", "a"])))
    }

    @Test func everyParameterThatChangesTheAnswerChangesTheKey() {
        let base = ChatRequest(model: "m", messages: [.system("s"), .user("hi")])
        var variants: [ChatRequest] = []
        func variant(_ change: (inout ChatRequest) -> Void) {
            var copy = base
            change(&copy)
            variants.append(copy)
        }
        variant { $0.model = "other" }
        variant { $0.messages[1].content = "hi!" }
        variant { $0.messages[0].content = "other system" }
        variant { $0.messages[1].role = .assistant }
        variant { $0.messages[1].name = "bob" }
        variant { $0.temperature = 0 }
        variant { $0.topP = 0.5 }
        variant { $0.maxTokens = 10 }
        variant { $0.stop = ["\n"] }
        variant { $0.tools = [.object(["type": .string("function")])] }
        variant { $0.toolChoice = .string("none") }
        variant { $0.responseFormat = .object(["type": .string("json_object")]) }
        variant { $0.seed = 0 }
        variant { $0.seed = 1 }
        variant { $0.presencePenalty = 0.5 }
        variant { $0.frequencyPenalty = 0.5 }
        variant { $0.templateVersion = "v2" }
        variant { $0.messages.append(.user("again")) }
        let keys = [key(base)] + variants.map(key)
        #expect(Set(keys).count == keys.count, "every variant must have its own key")
    }

    @Test func fieldBoundariesCannotCollide() {
        let a = ChatRequest(model: "m", messages: [.user("ab"), .user("c")])
        let b = ChatRequest(model: "m", messages: [.user("a"), .user("bc")])
        #expect(key(a) != key(b))
        #expect(key("ab") != key("a"))
    }

    @Test func semanticTextIsTheLastUserMessageOnly() {
        #expect(ChatRequest(model: "m", messages: [.system("s"), .user("q")]).semanticText == "q")
        let toolTurn = ChatMessage(role: .tool, content: "42", toolCallID: "c1")
        #expect(ChatRequest(model: "m", messages: [.user("q"), toolTurn]).semanticText == nil)
        #expect("plain".semanticText == "plain")
    }

    @Test func scopeCoversModelSystemPromptAndHistoryButNotTheQuestion() {
        let base = ChatRequest(model: "m", messages: [.system("s"), .user("q1")])
        let paraphrase = ChatRequest(model: "m", messages: [.system("s"), .user("another wording")])
        #expect(scope(base) == scope(paraphrase))
        #expect(scope(base) != scope(ChatRequest(model: "m2", messages: [.system("s"), .user("q1")])))
        #expect(scope(base) != scope(ChatRequest(model: "m", messages: [.system("s2"), .user("q1")])))
        // The same follow-up in two different conversations must not share a scope.
        let first = ChatRequest(
            model: "m", messages: [.system("s"), .user("Tell me about Paris"), .assistant("…"), .user("How big is it?")])
        let second = ChatRequest(
            model: "m", messages: [.system("s"), .user("Tell me about Tokyo"), .assistant("…"), .user("How big is it?")])
        #expect(first.semanticText == second.semanticText)
        #expect(scope(first) != scope(second))
    }

    @Test func partitionSeparatesKeysAndScopes() {
        let a = CacheQuery(request: "q", partition: "tenant-a")
        let b = CacheQuery(request: "q", partition: "tenant-b")
        let none = CacheQuery(request: "q")
        #expect(a.key != b.key && a.key != none.key)
        #expect(a.scope != b.scope && a.scope != none.scope)
    }

    @Test func keyRoundTripsThroughBytesAndHex() throws {
        let original = key("hello")
        let rebuilt = try #require(CacheKey(bytes: original.bytes))
        #expect(rebuilt == original)
        #expect(original.hex.count == 64)
        #expect(original.hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(CacheKey(bytes: [1, 2, 3]) == nil)
    }

    @Test func chatRequestDecodesASingleStopString() throws {
        let request = try decode(#"{"model":"m","messages":[],"stop":"END"}"#)
        #expect(request.stop == ["END"])
    }
}
