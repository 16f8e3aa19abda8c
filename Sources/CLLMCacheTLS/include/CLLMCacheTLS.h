#pragma once
#include <stddef.h>

/// A TLS client over a connected, non-blocking socket, with OpenSSL behind an
/// opaque interface so that no OpenSSL type reaches Swift.

typedef struct llmcache_tls_context llmcache_tls_context;
typedef struct llmcache_tls_session llmcache_tls_session;

/// A client context: TLS 1.2 or newer; peer verification against `ca_file`
/// (PEM), or the system store when it is NULL; an optional client certificate
/// and key (PEM) for mutual TLS. NULL on failure, with the reason in `error`.
llmcache_tls_context *llmcache_tls_context_new(const char *ca_file, const char *certificate_file,
                                               const char *key_file, int verify_peer,
                                               char *error, size_t error_size);
void llmcache_tls_context_free(llmcache_tls_context *context);

/// Runs the handshake on `fd` (non-blocking) within `timeout_ms`. `server_name`
/// is sent as SNI (unless it is an IP address) and checked against the
/// certificate (DNS name or IP address). NULL on failure, with the reason.
llmcache_tls_session *llmcache_tls_connect(llmcache_tls_context *context, int fd, const char *server_name,
                                           int timeout_ms, char *error, size_t error_size);

/// Bytes read (> 0); 0 when nothing can be read without blocking; -1 when the
/// peer closed the connection or the session failed (reason in `error`).
long llmcache_tls_read(llmcache_tls_session *session, void *buffer, size_t size, char *error, size_t error_size);

/// Bytes written (> 0); 0 when the socket cannot take more now; -1 on failure.
long llmcache_tls_write(llmcache_tls_session *session, const void *buffer, size_t size, char *error,
                        size_t error_size);

/// Decrypted bytes waiting inside the session (the socket may look idle).
int llmcache_tls_pending(llmcache_tls_session *session);

/// Sends close_notify (best effort, never blocks) and frees the session.
void llmcache_tls_close(llmcache_tls_session *session);
