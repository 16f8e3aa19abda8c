#include "CLLMCacheTLS.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct llmcache_tls_context { SSL_CTX *ctx; };
struct llmcache_tls_session { SSL *ssl; };

static void describe(char *error, size_t size, const char *what) {
    unsigned long code = ERR_get_error();
    char reason[256] = "";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    if (reason[0]) snprintf(error, size, "%s: %s", what, reason);
    else snprintf(error, size, "%s", what);
}

llmcache_tls_context *llmcache_tls_context_new(const char *ca_file, const char *certificate_file,
                                               const char *key_file, int verify_peer,
                                               char *error, size_t error_size) {
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) { describe(error, error_size, "cannot create a TLS context"); return NULL; }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (verify_peer) {
        int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                             : SSL_CTX_set_default_verify_paths(ctx);
        if (loaded != 1) {
            char what[512];
            snprintf(what, sizeof what, "cannot load CA certificates from %s", ca_file ? ca_file : "the system store");
            describe(error, error_size, what);
            SSL_CTX_free(ctx);
            return NULL;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (certificate_file) {
        if (SSL_CTX_use_certificate_chain_file(ctx, certificate_file) != 1) {
            char what[512];
            snprintf(what, sizeof what, "cannot load the client certificate %s", certificate_file);
            describe(error, error_size, what);
            SSL_CTX_free(ctx);
            return NULL;
        }
        const char *key = key_file ? key_file : certificate_file;
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
            char what[512];
            snprintf(what, sizeof what, "cannot use the client key %s", key);
            describe(error, error_size, what);
            SSL_CTX_free(ctx);
            return NULL;
        }
    }
    llmcache_tls_context *context = malloc(sizeof *context);
    context->ctx = ctx;
    return context;
}

void llmcache_tls_context_free(llmcache_tls_context *context) {
    if (!context) return;
    SSL_CTX_free(context->ctx);
    free(context);
}

static long milliseconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

static int is_ip_address(const char *name) {
    unsigned char address[16];
    return inet_pton(AF_INET, name, address) == 1 || inet_pton(AF_INET6, name, address) == 1;
}

llmcache_tls_session *llmcache_tls_connect(llmcache_tls_context *context, int fd, const char *server_name,
                                           int timeout_ms, char *error, size_t error_size) {
    ERR_clear_error();
    /* OpenSSL writes with write(2), which raises SIGPIPE on a connection the
       server closed; the calling thread (a connection's own) gets EPIPE instead. */
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL);
    SSL *ssl = SSL_new(context->ctx);
    if (!ssl) { describe(error, error_size, "cannot create a TLS session"); return NULL; }
    SSL_set_fd(ssl, fd);
    if (server_name && server_name[0]) {
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        if (is_ip_address(server_name)) {
            X509_VERIFY_PARAM_set1_ip_asc(param, server_name);
        } else {
            SSL_set_tlsext_host_name(ssl, server_name);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            X509_VERIFY_PARAM_set1_host(param, server_name, 0);
        }
    }
    long deadline = milliseconds_now() + timeout_ms;
    for (;;) {
        int result = SSL_connect(ssl);
        if (result == 1) break;
        int reason = SSL_get_error(ssl, result);
        short events = reason == SSL_ERROR_WANT_READ ? POLLIN : reason == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (events == 0) {
            long verify = SSL_get_verify_result(ssl);
            if (verify != X509_V_OK) {
                snprintf(error, error_size, "the server's certificate was refused: %s",
                         X509_verify_cert_error_string(verify));
                ERR_clear_error();
            } else if (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
                snprintf(error, error_size, "the TLS handshake failed: %s",
                         errno ? strerror(errno) : "the server closed the connection");
            } else {
                describe(error, error_size, "the TLS handshake failed");
            }
            SSL_free(ssl);
            return NULL;
        }
        long left = deadline - milliseconds_now();
        struct pollfd descriptor = { .fd = fd, .events = events, .revents = 0 };
        if (left <= 0 || poll(&descriptor, 1, (int)left) == 0) {
            snprintf(error, error_size, "the TLS handshake timed out after %d ms", timeout_ms);
            SSL_free(ssl);
            return NULL;
        }
    }
    llmcache_tls_session *session = malloc(sizeof *session);
    session->ssl = ssl;
    return session;
}

/* What a read or write that did not complete means: 0 when it must wait for
   the socket, -1 with the reason in `error` when the session is over. */
static long failed_transfer(llmcache_tls_session *session, int result, const char *what, char *error,
                            size_t error_size) {
    switch (SSL_get_error(session->ssl, result)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        snprintf(error, error_size, "the server closed the TLS session");
        return -1;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            snprintf(error, error_size, "%s", errno ? strerror(errno) : "the server closed the connection");
            return -1;
        }
        /* fall through */
    default:
        describe(error, error_size, what);
        return -1;
    }
}

long llmcache_tls_read(llmcache_tls_session *session, void *buffer, size_t size, char *error, size_t error_size) {
    ERR_clear_error();
    size_t count = 0;
    int result = SSL_read_ex(session->ssl, buffer, size, &count);
    if (result == 1) return (long)count;
    return failed_transfer(session, result, "TLS read failed", error, error_size);
}

long llmcache_tls_write(llmcache_tls_session *session, const void *buffer, size_t size, char *error,
                        size_t error_size) {
    ERR_clear_error();
    size_t count = 0;
    int result = SSL_write_ex(session->ssl, buffer, size, &count);
    if (result == 1) return (long)count;
    return failed_transfer(session, result, "TLS write failed", error, error_size);
}

int llmcache_tls_pending(llmcache_tls_session *session) { return SSL_pending(session->ssl); }

void llmcache_tls_close(llmcache_tls_session *session) {
    if (!session) return;
    SSL_shutdown(session->ssl);
    ERR_clear_error();
    SSL_free(session->ssl);
    free(session);
}
