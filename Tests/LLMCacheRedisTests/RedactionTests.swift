import LLMCacheRedis
import Testing

/// Passwords never reach errors, logs or descriptions.
@Suite("Secret redaction")
struct RedactionTests {
    @Test func urlsInErrorsHideThePassword() {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://app:hunter2@cache.example:99999") }
        do {
            _ = try RedisConfiguration(url: "redis://app:hunter2@cache.example:99999")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("redis://app:***@cache.example"))
        }
        do {
            _ = try RedisConfiguration(url: "rediz://:s3cret@host")
        } catch {
            #expect(!"\(error)".contains("s3cret"))
        }
    }

    @Test func descriptionsHideThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://app:hunter2@127.0.0.1:6380/2")
        #expect(configuration.password == "hunter2")
        for text in ["\(configuration)", String(reflecting: configuration)] {
            #expect(!text.contains("hunter2"))
            #expect(text.contains("redis://app:***@127.0.0.1:6380/2"))
        }
        #expect(RedisConfiguration.redacting("redis://:pw@h:1/0") == "redis://:***@h:1/0")
        #expect(RedisConfiguration.redacting("redis://h:1") == "redis://h:1")
        #expect(RedisConfiguration.redacting("redis://user@h") == "redis://user@h")
    }
}
