#ifndef CTLS_H
#define CTLS_H

/* The few OpenSSL (libssl 3) functions the listener's TLS uses, wrapped so that
 * building needs no OpenSSL headers: libssl.so.3 and libcrypto.so.3 are on every
 * machine libcurl is (libcurl links them), their -dev package is not. Every
 * name is prefixed pe_ so this header compiles beside the real <openssl/ssl.h>:
 * Tests/e2e/check_tls_header.sh checks each constant and layout below against it. */

#include <stddef.h>
#include <stdint.h>

enum {
    PE_TLS1_VERSION = 0x0301,
    PE_TLS1_1_VERSION = 0x0302,
    PE_TLS1_2_VERSION = 0x0303,
    PE_TLS1_3_VERSION = 0x0304,
};

enum {
    PE_SSL_ERROR_NONE = 0,
    PE_SSL_ERROR_SSL = 1,
    PE_SSL_ERROR_WANT_READ = 2,
    PE_SSL_ERROR_WANT_WRITE = 3,
    PE_SSL_ERROR_SYSCALL = 5,
    PE_SSL_ERROR_ZERO_RETURN = 6,
};

enum {
    PE_SSL_VERIFY_NONE = 0x00,
    PE_SSL_VERIFY_PEER = 0x01,
    PE_SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 0x02,
};

/* Internal: the ctrl commands, modes, options and name types the wrappers use. */
enum {
    PE_SSL_CTRL_EXTRA_CHAIN_CERT = 14,
    PE_SSL_CTRL_MODE = 33,
    PE_SSL_CTRL_SET_GROUPS_LIST = 92,
    PE_SSL_CTRL_SET_MIN_PROTO_VERSION = 123,
    PE_SSL_CTRL_SET_MAX_PROTO_VERSION = 124,
    PE_SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1,
    PE_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2,
    PE_SSL_MODE_RELEASE_BUFFERS = 0x10,
    PE_GEN_EMAIL = 1,
    PE_GEN_DNS = 2,
    PE_GEN_URI = 6,
    PE_GEN_IPADD = 7,
    PE_NID_subject_alt_name = 85,
};

/* OpenSSL's GENERAL_NAME: a type and a union of pointers (checked against x509v3.h). */
struct pe_general_name {
    int type;
    void *d;
};

/* A server context: TLS_server_method, partial writes, released buffers, no renegotiation. */
void *pe_tls_ctx_new(void);
void pe_tls_ctx_free(void *ctx);
int pe_tls_ctx_set_versions(void *ctx, int min, int max);
int pe_tls_ctx_set_ciphers(void *ctx, const char *list);
int pe_tls_ctx_set_groups(void *ctx, const char *list);
void pe_tls_ctx_prefer_server_ciphers(void *ctx, int on);
/* PEM text: the first certificate is the server's, the rest its chain. Returns the count read. */
int pe_tls_ctx_use_certificates(void *ctx, const char *pem, int length);
/* PEM text: the private key, which must match the certificate. 1 on success. */
int pe_tls_ctx_use_key(void *ctx, const char *pem, int length);
/* PEM text: CA certificates that verify clients and are named to them. Returns the count read. */
int pe_tls_ctx_use_client_cas(void *ctx, const char *pem, int length);
/* mode: PE_SSL_VERIFY_*; verify_chain 0 accepts any certificate the client sends. */
void pe_tls_ctx_set_verify(void *ctx, int mode, int verify_chain);
/* The oldest queued OpenSSL error as text (the queue is then cleared); "" when none. */
void pe_tls_last_error(char *buffer, size_t length);

/* One server-side connection on a non-blocking socket. */
void *pe_tls_new(void *ctx, int fd);
/* SSL_read / SSL_write; on n <= 0, *error is SSL_get_error's answer. */
int pe_tls_read(void *ssl, void *buffer, int length, int *error);
int pe_tls_write(void *ssl, const void *buffer, int length, int *error);
int pe_tls_pending(void *ssl);
int pe_tls_handshake_done(void *ssl);
const char *pe_tls_protocol(void *ssl);
/* The client certificate's subject alternative names (DNS, e-mail, URI, IP),
 * one per line, into buffer; the count, or -1 when the client sent none. */
int pe_tls_peer_names(void *ssl, char *buffer, int length);
/* Frees the connection; with notify, first sends close_notify if it can
 * without blocking (only while the socket is still this connection's). */
void pe_tls_free(void *ssl, int notify);

#endif
