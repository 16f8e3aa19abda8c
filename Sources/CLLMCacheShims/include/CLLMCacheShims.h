#pragma once
// Typed, non-variadic entry points for C APIs that Swift cannot call directly:
// curl_easy_setopt/curl_easy_getinfo are variadic, and hiredis exposes reply
// fields that Swift imports awkwardly. Each wrapper is a thin, prefixed pass-through.
#include <curl/curl.h>
#include <hiredis/hiredis.h>

CURLcode llmcache_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode llmcache_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode llmcache_curl_setopt_write_callback(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata));
CURLcode llmcache_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

/// hiredis's error flag, read without touching the context layout from Swift.
int llmcache_redis_context_error(const redisContext *context);
const char *llmcache_redis_context_errstr(const redisContext *context);
