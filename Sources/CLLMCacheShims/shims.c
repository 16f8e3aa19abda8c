#include "CLLMCacheShims.h"

CURLcode llmcache_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode llmcache_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode llmcache_curl_setopt_write_callback(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata)) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

CURLcode llmcache_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode llmcache_curl_setopt_header_callback(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata)) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

CURLcode llmcache_curl_setopt_xferinfo_callback(CURL *handle,
    int (*callback)(void *userdata, curl_off_t download_total, curl_off_t download_now,
                    curl_off_t upload_total, curl_off_t upload_now)) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

CURLcode llmcache_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
