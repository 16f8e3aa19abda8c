/// An OpenAI-style chat completion request.
///
/// Encodes to and decodes from the `/v1/chat/completions` JSON body, and
/// conforms to ``CacheableRequest`` so that a closure taking it can be cached
/// in one line.
public struct ChatRequest: Sendable, Hashable, Codable {
    public var model: String
    public var messages: [ChatMessage]
    /// Sampling temperature; `nil` means the API default of 1.
    public var temperature: Double?
    /// Nucleus sampling; `nil` means the API default of 1.
    public var topP: Double?
    public var maxTokens: Int?
    /// Stop sequences; their order does not matter to the model, nor to the key.
    public var stop: [String]?
    /// Tool definitions as JSON; key order inside them does not change the key.
    public var tools: [JSONValue]?
    public var toolChoice: JSONValue?
    public var responseFormat: JSONValue?
    public var seed: Int?
    /// How many choices to generate; `nil` means the API default of 1.
    public var n: Int?
    /// Whether to return log probabilities of the output tokens.
    public var logprobs: Bool?
    /// How many most likely tokens to return at each position, with `logprobs`.
    public var topLogprobs: Int?
    /// `nil` means the API default of 0.
    public var presencePenalty: Double?
    /// `nil` means the API default of 0.
    public var frequencyPenalty: Double?
    /// The version of the prompt template that produced `messages`. Not sent
    /// to the model: bump it when you change a template and want new answers.
    public var templateVersion: String?

    public init(
        model: String,
        messages: [ChatMessage],
        temperature: Double? = nil,
        topP: Double? = nil,
        maxTokens: Int? = nil,
        stop: [String]? = nil,
        tools: [JSONValue]? = nil,
        toolChoice: JSONValue? = nil,
        responseFormat: JSONValue? = nil,
        seed: Int? = nil,
        presencePenalty: Double? = nil,
        frequencyPenalty: Double? = nil,
        templateVersion: String? = nil,
        n: Int? = nil,
        logprobs: Bool? = nil,
        topLogprobs: Int? = nil
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.seed = seed
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.templateVersion = templateVersion
        self.n = n
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, stop, tools, seed, n, logprobs
        case topLogprobs = "top_logprobs"
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case toolChoice = "tool_choice"
        case responseFormat = "response_format"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case templateVersion = "template_version"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        // The API accepts a single string or an array.
        if let single = try? container.decodeIfPresent(String.self, forKey: .stop) {
            stop = [single]
        } else {
            stop = try container.decodeIfPresent([String].self, forKey: .stop)
        }
        tools = try container.decodeIfPresent([JSONValue].self, forKey: .tools)
        toolChoice = try container.decodeIfPresent(JSONValue.self, forKey: .toolChoice)
        responseFormat = try container.decodeIfPresent(JSONValue.self, forKey: .responseFormat)
        seed = try container.decodeIfPresent(Int.self, forKey: .seed)
        presencePenalty = try container.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try container.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        templateVersion = try container.decodeIfPresent(String.self, forKey: .templateVersion)
        n = try container.decodeIfPresent(Int.self, forKey: .n)
        logprobs = try container.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try container.decodeIfPresent(Int.self, forKey: .topLogprobs)
    }

    /// Writes the body an OpenAI-compatible server expects; the template
    /// version stays on this side (it is a cache concern, not a model parameter).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(messages, forKey: .messages)
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(topP, forKey: .topP)
        try container.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try container.encodeIfPresent(stop, forKey: .stop)
        try container.encodeIfPresent(tools, forKey: .tools)
        try container.encodeIfPresent(toolChoice, forKey: .toolChoice)
        try container.encodeIfPresent(responseFormat, forKey: .responseFormat)
        try container.encodeIfPresent(seed, forKey: .seed)
        try container.encodeIfPresent(presencePenalty, forKey: .presencePenalty)
        try container.encodeIfPresent(frequencyPenalty, forKey: .frequencyPenalty)
        try container.encodeIfPresent(n, forKey: .n)
        try container.encodeIfPresent(logprobs, forKey: .logprobs)
        try container.encodeIfPresent(topLogprobs, forKey: .topLogprobs)
    }
}

extension ChatRequest: CacheableRequest {
    public func fingerprint(into hasher: inout FingerprintHasher) {
        combineAnswerShape(into: &hasher)
        hasher.combine(count: messages.count, field: "messages")
        for message in messages { message.fingerprint(into: &hasher) }
        hasher.combine(field: "temperature", temperature ?? 1)
        hasher.combine(field: "top_p", topP ?? 1)
        hasher.combine(field: "presence_penalty", presencePenalty ?? 0)
        hasher.combine(field: "frequency_penalty", frequencyPenalty ?? 0)
        hasher.combine(field: "max_tokens", Int64(maxTokens ?? -1))
        hasher.combine(field: "seed_present", seed != nil)
        hasher.combine(field: "seed", Int64(seed ?? 0))
        combineStops(into: &hasher)
        combineChoiceShape(into: &hasher)
    }

    /// The last message, when the user wrote it; any other final turn (a tool
    /// result, say) is never answered from a paraphrase.
    public var semanticText: String? {
        guard let last = messages.last, last.role == .user else { return nil }
        return last.content
    }

    /// The model, the template, tools and output format, the output limits
    /// (`max_tokens`, `stop`, `n`, `logprobs`), and every turn before the
    /// last: a follow-up question only matches follow-ups to the same
    /// conversation, never another conversation's, and an answer shaped by
    /// one set of limits never serves a request that asked for other limits.
    public func semanticScope(into hasher: inout FingerprintHasher) {
        combineAnswerShape(into: &hasher)
        combineOutputLimits(into: &hasher)
        let earlier = messages.dropLast()
        hasher.combine(count: earlier.count, field: "history")
        for message in earlier { message.fingerprint(into: &hasher) }
    }

    /// The parameters that bound the shape of the output: its length, where
    /// it stops, how many choices, whether token probabilities come with it.
    /// `n` and the log-probability fields count only when set to something
    /// other than the API default, so keys of requests without them stay as
    /// they were.
    private func combineOutputLimits(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "max_tokens", Int64(maxTokens ?? -1))
        combineStops(into: &hasher)
        combineChoiceShape(into: &hasher)
    }

    private func combineStops(into hasher: inout FingerprintHasher) {
        let stops = Set(stop ?? []).sorted()
        hasher.combine(count: stops.count, field: "stop")
        for sequence in stops { hasher.combine(field: "stop", sequence) }
    }

    private func combineChoiceShape(into hasher: inout FingerprintHasher) {
        if let n, n != 1 { hasher.combine(field: "n", Int64(n)) }
        if logprobs == true {
            hasher.combine(field: "logprobs", true)
            hasher.combine(field: "top_logprobs", Int64(topLogprobs ?? 0))
        }
    }

    /// The parts that decide what kind of answer is possible at all.
    private func combineAnswerShape(into hasher: inout FingerprintHasher) {
        hasher.combine(field: "kind", "chat")
        hasher.combine(field: "model", model)
        hasher.combine(field: "template_version", templateVersion ?? "")
        let tools = self.tools ?? []
        hasher.combine(count: tools.count, field: "tools")
        for tool in tools { tool.fingerprint(into: &hasher) }
        (toolChoice ?? .null).fingerprint(into: &hasher)
        (responseFormat ?? .null).fingerprint(into: &hasher)
    }
}
