import LLMCache
import LLMCacheTesting
import Testing

/// Payloads for the codec tests: random bytes and English-like answers.
enum CodecFixtures {
    static let words = """
        the a an and or but if then because while when where which who what how why this that these those \
        is are was were be been being have has had do does did can could will would should may might must \
        cache answer question model request response token prompt user system message server client memory \
        disk network latency throughput compression dictionary payload frame header checksum version format \
        error result value key entry tier store read write hit miss expire policy size limit byte buffer \
        time second minute hour day week month year people person world life work place group number part \
        problem fact hand eye case point government company program city country home water room mother area \
        money story issue side kind head house service friend father power game line end member law car name \
        president team minute idea body information back parent face others level office door health art war \
        history party morning reason research girl guy moment air teacher force education good new first last \
        long great little own other old right big high different small large next early young important few \
        public bad same able make know take see come think look want give use find tell ask seem feel try \
        leave call keep let begin show hear play run move live believe hold bring happen provide sit stand \
        lose pay meet include continue set learn change lead understand watch follow stop create speak allow \
        add spend grow open walk win offer remember love consider appear buy wait serve die send expect build \
        stay fall cut reach kill remain suggest raise pass sell require report decide pull explain carefully \
        quickly usually often always never sometimes together however therefore instead already still also
        """.split(separator: " ").map(String.init)

    static func randomBytes(_ count: Int, _ random: inout SeededRandomNumberGenerator) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: random.next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// One answer: a few English-like sentences from the word list.
    static func answer(sentences: ClosedRange<Int>, _ random: inout SeededRandomNumberGenerator) -> String {
        (0..<Int.random(in: sentences, using: &random)).map { _ in
            let sentence = (0..<Int.random(in: 6...16, using: &random))
                .map { _ in words[Int.random(in: words.indices, using: &random)] }
                .joined(separator: " ")
            return sentence.prefix(1).uppercased() + String(sentence.dropFirst()) + "."
        }.joined(separator: " ")
    }

    /// At least `count` bytes of English-like text.
    static func text(_ count: Int, _ random: inout SeededRandomNumberGenerator) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 2048)
        while bytes.count < count { bytes += Array((answer(sentences: 8...8, &random) + "\n").utf8) }
        return Array(bytes.prefix(count))
    }

    static func answers(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { _ in Array(answer(sentences: 3...9, &random).utf8) }
    }

    /// Trained once for the whole suite; training takes a moment.
    static let dictionary: CompressionDictionary? = try? CompressionDictionary.train(samples: answers(1500, seed: 1))
    static let otherDictionary: CompressionDictionary? = try? CompressionDictionary.train(samples: answers(1500, seed: 2))
}

/// The error code `decode` throws for `frame`, or nil when it decodes.
private func decodeFailure(_ codec: PayloadCodec, _ frame: [UInt8]) -> CacheError.Code? {
    do {
        _ = try codec.decode(frame)
        return nil
    } catch {
        return error.code
    }
}

private func flipping(_ frame: [UInt8], bit: Int) -> [UInt8] {
    var copy = frame
    copy[bit / 8] ^= 1 << UInt8(bit % 8)
    return copy
}

/// Byte offset where the body starts, read from the documented header layout.
private func bodyOffset(_ frame: [UInt8]) -> Int {
    var offset = 3
    while frame[offset] & 0x80 != 0 { offset += 1 }
    return offset + 1 + (frame[2] & 2 != 0 ? 4 : 0) + 4
}

@Suite("PayloadCodec")
struct PayloadCodecTests {
    let codec = PayloadCodec()

    @Test func storedFrameHasTheDocumentedLayout() throws {
        let frame = try codec.encode(Array("abc".utf8))
        // magic, version 1, no flags, length 3, XXH32("abc") = 0x32D153FF little-endian, body.
        #expect(frame == [0xCA, 0x01, 0x00, 0x03, 0xFF, 0x53, 0xD1, 0x32, 0x61, 0x62, 0x63])
        #expect(try codec.encode([UInt8]()) == [0xCA, 0x01, 0x00, 0x00, 0x05, 0x5D, 0xCC, 0x02])
    }

    @Test func checksumMatchesXXH32ReferenceVectors() throws {
        // Reference values from the xxhash C library (via Python's xxhash 3.x) for bytes (i * 31 + 7) & 0xFF.
        let expected: [Int: UInt32] = [
            1: 0x002E_0D32, 3: 0xACA1_7380, 4: 0x073F_AA82, 5: 0x16AC_9537, 15: 0x9F29_F87B,
            16: 0x3F6C_9665, 17: 0xE048_ECDB, 31: 0x00F1_525C, 32: 0xEE42_E668, 33: 0x770B_5126,
            100: 0x7593_6EB8, 1000: 0xA793_E7C7, 4099: 0x7440_2DEF,
        ]
        let stored = PayloadCodec(configuration: .init(compressionThreshold: .max))
        for (count, checksum) in expected {
            let body = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }
            let frame = try stored.encode(body)
            let field = frame[(bodyOffset(frame) - 4)..<bodyOffset(frame)]
            let actual = field.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(actual == checksum, "XXH32 of \(count) bytes")
        }
    }

    @Test(arguments: [1, 3, 9])
    func roundTripsRandomPayloads(level: Int) throws {
        let codec = PayloadCodec(configuration: .init(level: level))
        var random = SeededRandomNumberGenerator(seed: UInt64(level))
        let sizes = [0, 1, 2, 7, 127, 128, 255, 256, 257, 300, 1000, 4096, 16_383, 16_384, 100_000]
        for size in sizes {
            let invalidUTF8 = (0..<size).map { [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0][$0 % 6] as UInt8 }
            let payloads = [
                ("random", CodecFixtures.randomBytes(size, &random)),
                ("text", CodecFixtures.text(size, &random)),
                ("invalid UTF-8", invalidUTF8),
            ]
            for (kind, payload) in payloads {
                let frame = try codec.encode(payload)
                #expect(try codec.decode(frame) == payload, "\(kind), \(size) bytes, level \(level)")
                let compressed = frame[2] & 1 != 0
                if kind == "random" || size < 256 {
                    #expect(!compressed && frame.count == bodyOffset(frame) + size, "\(kind), \(size) bytes stored")
                } else {
                    #expect(compressed && frame.count < size, "\(kind), \(size) bytes compressed")
                }
            }
        }
    }

    @Test func roundTripsTenMegabytePayload() throws {
        var random = SeededRandomNumberGenerator(seed: 10)
        let text = CodecFixtures.text(10_000_000, &random)
        let frame = try codec.encode(text)
        #expect(frame.count < text.count / 2)
        #expect(try codec.decode(frame) == text)
        let noise = CodecFixtures.randomBytes(10_000_000, &random)
        let stored = try codec.encode(noise)
        #expect(stored.count == bodyOffset(stored) + noise.count)
        #expect(try codec.decode(stored) == noise)
    }

    @Test func higherLevelsCompressTextAtLeastAsWell() throws {
        var random = SeededRandomNumberGenerator(seed: 11)
        let text = CodecFixtures.text(200_000, &random)
        let sizes = try [1, 3, 9].map { try PayloadCodec(configuration: .init(level: $0)).encode(text).count }
        #expect(sizes[0] >= sizes[1] && sizes[1] >= sizes[2], "\(sizes)")
        #expect(sizes[0] > sizes[2])
    }

    @Test func acceptsEveryCollectionShape() throws {
        var random = SeededRandomNumberGenerator(seed: 12)
        let payload = CodecFixtures.text(3000, &random)
        let expected = try codec.encode(payload)
        let padded = [0x00, 0x01] + payload + [0x02]
        #expect(try codec.encode(padded[2..<(2 + payload.count)]) == expected)
        #expect(try codec.encode(payload.lazy.map { $0 }) == expected)
        #expect(try payload.withUnsafeBytes { try codec.encode($0) } == expected)
        let framed = [0xEE] + expected + [0xEE]
        #expect(try codec.decode(framed[1..<(framed.count - 1)]) == payload)
        #expect(try expected.withUnsafeBytes { try codec.decode($0) } == payload)
    }

    @Test(arguments: [1, 3, 9])
    func roundTripsWithTrainedDictionary(level: Int) throws {
        let trained = try #require(CodecFixtures.dictionary)
        let dictionary = try CompressionDictionary(bytes: trained.bytes, level: level)
        #expect(dictionary.id == trained.id && dictionary.id != 0)
        let withDictionary = PayloadCodec(configuration: .init(dictionary: dictionary))
        let plain = PayloadCodec(configuration: .init(level: level))
        var plainTotal = 0
        var dictionaryTotal = 0
        for answer in CodecFixtures.answers(200, seed: 99) {
            let frame = try withDictionary.encode(answer)
            #expect(try withDictionary.decode(frame) == answer)
            #expect(try PayloadCodec(configuration: .init(dictionary: trained)).decode(frame) == answer)
            if answer.count >= 256 {
                #expect(frame[2] == 0b11, "compressed with the dictionary")
                let id = frame[(bodyOffset(frame) - 8)..<(bodyOffset(frame) - 4)].reversed()
                    .reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                #expect(id == dictionary.id)
            }
            plainTotal += try plain.encode(answer).count
            dictionaryTotal += frame.count
        }
        #expect(Double(dictionaryTotal) < 0.8 * Double(plainTotal), "\(dictionaryTotal) vs \(plainTotal)")
    }

    @Test func zstdFramesLeaveTheDictionaryIDToTheHeader() throws {
        let (_, frames) = try sampleFrames()
        for (kind, _, frame) in frames.dropFirst() {
            let zstd = bodyOffset(frame)
            #expect(Array(frame[zstd..<(zstd + 4)]) == [0x28, 0xB5, 0x2F, 0xFD], "\(kind): zstd magic")
            // Frame header descriptor: bits 0-1 give the size of zstd's dictionary ID field.
            #expect(frame[zstd + 4] & 0x03 == 0, "\(kind): no dictionary ID inside the zstd frame")
        }
    }

    @Test func dictionaryFramesNeedTheSameDictionary() throws {
        let dictionary = try #require(CodecFixtures.dictionary)
        let other = try #require(CodecFixtures.otherDictionary)
        try #require(dictionary.id != other.id)
        let rawContent = try CompressionDictionary(bytes: CodecFixtures.answers(50, seed: 3).flatMap { $0 })
        var random = SeededRandomNumberGenerator(seed: 4)
        let answer = CodecFixtures.text(600, &random)
        let frame = try PayloadCodec(configuration: .init(dictionary: dictionary)).encode(answer)
        try #require(frame[2] == 0b11)
        #expect(decodeFailure(PayloadCodec(), frame) == .missingCompressionDictionary)
        #expect(decodeFailure(PayloadCodec(configuration: .init(dictionary: other)), frame) == .missingCompressionDictionary)
        #expect(decodeFailure(PayloadCodec(configuration: .init(dictionary: rawContent)), frame) == .missingCompressionDictionary)
        let rawFrame = try PayloadCodec(configuration: .init(dictionary: rawContent)).encode(answer)
        #expect(decodeFailure(PayloadCodec(configuration: .init(dictionary: dictionary)), rawFrame) == .missingCompressionDictionary)
        #expect(try PayloadCodec(configuration: .init(dictionary: rawContent)).decode(rawFrame) == answer)
    }

    @Test func rawContentDictionaryGetsAStableChecksumID() throws {
        let content = CodecFixtures.answers(50, seed: 3).flatMap { $0 }
        let first = try CompressionDictionary(bytes: content)
        let again = try CompressionDictionary(bytes: content, level: 9)
        let different = try CompressionDictionary(bytes: Array(content.dropFirst()))
        #expect(first.id != 0 && first.id == again.id && first.id != different.id)
        #expect(first.bytes == content)
    }

    @Test func smallBodiesDoNotNeedTheDictionary() throws {
        let dictionary = try #require(CodecFixtures.dictionary)
        let small = Array("A short answer.".utf8)
        let frame = try PayloadCodec(configuration: .init(dictionary: dictionary)).encode(small)
        #expect(frame[2] == 0)
        #expect(try PayloadCodec().decode(frame) == small)
    }

    @Test func dictionaryErrorsAreCompressionFailed() {
        let tooFew = #expect(throws: CacheError.self) {
            try CompressionDictionary.train(samples: [Array("one".utf8), Array("two".utf8), Array("three".utf8)])
        }
        #expect(tooFew?.code == .compressionFailed)
        #expect(throws: CacheError.self) { try CompressionDictionary.train(samples: []) }
        let empty = #expect(throws: CacheError.self) { try CompressionDictionary(bytes: []) }
        #expect(empty?.code == .compressionFailed)
        // zstd's dictionary magic followed by garbage instead of entropy tables.
        var random = SeededRandomNumberGenerator(seed: 5)
        let malformed = #expect(throws: CacheError.self) {
            try CompressionDictionary(bytes: [0x37, 0xA4, 0x30, 0xEC] + CodecFixtures.randomBytes(200, &random))
        }
        #expect(malformed?.code == .compressionFailed)
    }

    /// A stored, a compressed and a dictionary-compressed frame of known bodies, with a codec that reads all three.
    private func sampleFrames() throws -> (PayloadCodec, [(kind: String, body: [UInt8], frame: [UInt8])]) {
        let dictionary = try #require(CodecFixtures.dictionary)
        let reader = PayloadCodec(configuration: .init(dictionary: dictionary))
        var random = SeededRandomNumberGenerator(seed: 6)
        let bodies = [60, 700, 400].map { CodecFixtures.text($0, &random) }
        let frames = [
            ("stored", bodies[0], try PayloadCodec().encode(bodies[0])),
            ("compressed", bodies[1], try PayloadCodec().encode(bodies[1])),
            ("dictionary", bodies[2], try reader.encode(bodies[2])),
        ]
        try #require(frames.map { $0.2[2] } == [0, 1, 3])
        return (reader, frames)
    }

    @Test func everyTruncationThrowsCorruptPayload() throws {
        let (reader, frames) = try sampleFrames()
        for (kind, _, frame) in frames {
            for length in 0..<frame.count {
                #expect(decodeFailure(reader, Array(frame.prefix(length))) == .corruptPayload, "\(kind) cut to \(length)")
            }
            #expect(decodeFailure(reader, frame + [0]) == .corruptPayload, "\(kind) with a trailing byte")
        }
    }

    @Test func everySingleByteDeletionThrows() throws {
        let (reader, frames) = try sampleFrames()
        for (kind, _, frame) in frames {
            for index in frame.indices {
                var damaged = frame
                damaged.remove(at: index)
                #expect(decodeFailure(reader, damaged) != nil, "\(kind) without byte \(index)")
            }
        }
    }

    /// The checksum covers the uncompressed body, so a flip is either caught or
    /// lands on one of the few bits zstd ignores and decodes to the same body;
    /// it never yields different bytes. Stored bodies have no such bits.
    @Test func bodyBitFlipsNeverDecodeToOtherBytes() throws {
        let (reader, frames) = try sampleFrames()
        for (kind, body, frame) in frames {
            var caught = 0
            let bits = (bodyOffset(frame) * 8)..<(frame.count * 8)
            for bit in bits {
                do {
                    let decoded = try reader.decode(flipping(frame, bit: bit))
                    #expect(decoded == body, "\(kind) bit \(bit) decoded to other bytes")
                } catch {
                    #expect(error.code == .corruptPayload, "\(kind) bit \(bit)")
                    caught += 1
                }
            }
            #expect(caught == bits.count || (kind != "stored" && caught * 100 >= bits.count * 95), "\(kind): \(caught) of \(bits.count)")
        }
    }

    @Test func headerBitFlipsNeverDecode() throws {
        let (reader, frames) = try sampleFrames()
        for (kind, _, frame) in frames {
            let checksumField = (bodyOffset(frame) - 4)..<bodyOffset(frame)
            for bit in 0..<(bodyOffset(frame) * 8) {
                let failure = decodeFailure(reader, flipping(frame, bit: bit))
                #expect(failure != nil, "\(kind) header bit \(bit)")
                switch bit / 8 {
                case 0: #expect(failure == .corruptPayload, "\(kind) magic bit \(bit)")
                case 1: #expect(failure == .unsupportedPayloadFormat, "\(kind) version bit \(bit)")
                case checksumField: #expect(failure == .corruptPayload, "\(kind) checksum bit \(bit)")
                default: break
                }
            }
        }
    }

    @Test func headerFieldsAreValidated() throws {
        let frame = try codec.encode(Array("Hello, cache.".utf8))
        func with(_ index: Int, _ value: UInt8) -> [UInt8] {
            var copy = frame
            copy[index] = value
            return copy
        }
        #expect(decodeFailure(codec, with(0, 0xCB)) == .corruptPayload)
        #expect(decodeFailure(codec, with(1, 2)) == .unsupportedPayloadFormat)
        #expect(decodeFailure(codec, with(1, 0)) == .unsupportedPayloadFormat)
        for flags: UInt8 in [0x04, 0x08, 0x10, 0x80, 0x02, 0x06] {
            #expect(decodeFailure(codec, with(2, flags)) == .unsupportedPayloadFormat, "flags \(flags)")
        }
        // Lengths: non-canonical, longer than five bytes, above 32 bits, and a mismatched stored length.
        let checksum = Array(frame[4..<8])
        let body = Array(frame[8...])
        let prefix: [UInt8] = [0xCA, 0x01, 0x00]
        #expect(decodeFailure(codec, prefix + [0x8D, 0x00] + checksum + body) == .corruptPayload)
        #expect(decodeFailure(codec, prefix + [0x80, 0x80, 0x80, 0x80, 0x80, 0x01] + checksum + body) == .corruptPayload)
        #expect(decodeFailure(codec, prefix + [0xFF, 0xFF, 0xFF, 0xFF, 0x1F] + checksum + body) == .corruptPayload)
        #expect(decodeFailure(codec, prefix + [0x0C] + checksum + body) == .corruptPayload)
    }

    @Test func compressedLengthMismatchThrowsCorruptPayload() throws {
        var random = SeededRandomNumberGenerator(seed: 8)
        let frame = try codec.encode(CodecFixtures.text(1000, &random))
        try #require(frame[2] == 1 && frame[3] == 0xE8 && frame[4] == 0x07)
        for length: UInt8 in [0x06, 0x08] {
            var damaged = frame
            damaged[4] = length
            #expect(decodeFailure(codec, damaged) == .corruptPayload, "length \(length)")
        }
    }

    @Test func lengthsOverTheLimitThrowPayloadTooLarge() throws {
        var random = SeededRandomNumberGenerator(seed: 9)
        let payload = CodecFixtures.text(5000, &random)
        let small = PayloadCodec(configuration: .init(maximumDecodedSize: 4096))
        #expect(decodeFailure(small, try codec.encode(payload)) == .payloadTooLarge)
        #expect(decodeFailure(small, try codec.encode(payload.prefix(4096))) == nil)
        let tooLarge = #expect(throws: CacheError.self) { try small.encode(payload) }
        #expect(tooLarge?.code == .payloadTooLarge)
        // A 12-byte frame claiming 4 GiB - 1: rejected before anything is allocated.
        let bomb: [UInt8] = [0xCA, 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0, 0, 0x28, 0xB5, 0x2F, 0xFD]
        #expect(decodeFailure(codec, bomb) == .payloadTooLarge)
    }

    @Test func randomGarbageNeverDecodes() throws {
        var random = SeededRandomNumberGenerator(seed: 13)
        let (reader, frames) = try sampleFrames()
        for round in 0..<3000 {
            var bytes = CodecFixtures.randomBytes(Int.random(in: 0...64, using: &random), &random)
            if round % 2 == 0, bytes.count >= 3 {
                bytes[0] = 0xCA
                bytes[1] = 0x01
                bytes[2] &= 0x03
            }
            #expect(decodeFailure(reader, bytes) != nil, "garbage \(bytes)")
        }
        for round in 0..<3000 {
            let (kind, _, frame) = frames[round % frames.count]
            var damaged = frame
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                damaged[Int.random(in: damaged.indices, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if damaged != frame { #expect(decodeFailure(reader, damaged) != nil, "\(kind) mutated") }
        }
    }

    @Test func concurrentUseRoundTrips() async throws {
        let dictionary = try #require(CodecFixtures.dictionary)
        let codecs = [PayloadCodec(), PayloadCodec(configuration: .init(level: 9, dictionary: dictionary))]
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures = 0
                    for (index, answer) in CodecFixtures.answers(100, seed: UInt64(100 + task)).enumerated() {
                        let codec = codecs[index % 2]
                        if (try? codec.decode(codec.encode(answer))) != answer { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
