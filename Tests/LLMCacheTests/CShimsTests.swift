import CLLMCacheShims
import Testing

@Suite("C shims")
struct CShimsTests {
    @Test func typedCurlOptionsReachCurl() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(llmcache_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 1_500) == CURLE_OK)
        #expect(llmcache_curl_setopt_pointer(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK)
        #expect(llmcache_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        // An unknown option is refused, which shows the call really reached curl.
        #expect(llmcache_curl_setopt_long(handle, CURLoption(rawValue: 99_999), 1) != CURLE_OK)
        var code = -1
        #expect(llmcache_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
        #expect(code == 0, "no request made yet")
    }

    @Test func callbackAndDoubleShimsReachCurl() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
            _, size, count, _ in size * count
        }
        let progress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
            _, _, _, _, _ in 0
        }
        #expect(llmcache_curl_setopt_header_callback(handle, header) == CURLE_OK)
        #expect(llmcache_curl_setopt_xferinfo_callback(handle, progress) == CURLE_OK)
        var seconds = -1.0
        #expect(llmcache_curl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &seconds) == CURLE_OK)
        #expect(seconds == 0, "no connection made yet")
    }
}
