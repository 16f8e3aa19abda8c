#pragma once
// Typed, non-variadic entry points for C APIs that Swift cannot call directly:
// curl_easy_setopt and curl_easy_getinfo are variadic. Each wrapper is a thin,
// prefixed pass-through for one argument type.
#include <curl/curl.h>

CURLcode llmcache_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode llmcache_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode llmcache_curl_setopt_write_callback(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata));
CURLcode llmcache_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode llmcache_curl_setopt_header_callback(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata));
CURLcode llmcache_curl_setopt_xferinfo_callback(CURL *handle,
    int (*callback)(void *userdata, curl_off_t download_total, curl_off_t download_now,
                    curl_off_t upload_total, curl_off_t upload_now));
CURLcode llmcache_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);
