#include "ctls.h"
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

/* OpenSSL's own prototypes, with its opaque types as void. They are declared
 * here, not in the public header, so that header can sit beside ssl.h. */
extern const void *TLS_server_method(void);
extern void *SSL_CTX_new(const void *method);
extern void SSL_CTX_free(void *ctx);
extern long SSL_CTX_ctrl(void *ctx, int cmd, long larg, void *parg);
extern uint64_t SSL_CTX_set_options(void *ctx, uint64_t options);
extern uint64_t SSL_CTX_clear_options(void *ctx, uint64_t options);
extern int SSL_CTX_set_cipher_list(void *ctx, const char *list);
extern int SSL_CTX_use_certificate(void *ctx, void *x509);
extern int SSL_CTX_use_PrivateKey(void *ctx, void *key);
extern int SSL_CTX_check_private_key(const void *ctx);
extern void SSL_CTX_set_verify(void *ctx, int mode, int (*callback)(int, void *));
extern void *SSL_CTX_get_cert_store(const void *ctx);
extern int SSL_CTX_add_client_CA(void *ctx, void *x509);
extern int X509_STORE_add_cert(void *store, void *x509);
extern void *BIO_new_mem_buf(const void *buffer, int length);
extern int BIO_free(void *bio);
extern void *PEM_read_bio_X509(void *bio, void **x509, void *callback, void *user);
extern void *PEM_read_bio_PrivateKey(void *bio, void **key, void *callback, void *user);
extern void X509_free(void *x509);
extern void EVP_PKEY_free(void *key);
extern void *X509_get_ext_d2i(const void *x509, int nid, int *critical, int *index);
extern int OPENSSL_sk_num(const void *stack);
extern void *OPENSSL_sk_value(const void *stack, int index);
extern void GENERAL_NAMES_free(void *names);
extern const unsigned char *ASN1_STRING_get0_data(const void *string);
extern int ASN1_STRING_length(const void *string);
extern void *SSL_new(void *ctx);
extern void SSL_free(void *ssl);
extern int SSL_set_fd(void *ssl, int fd);
extern void SSL_set_accept_state(void *ssl);
extern int SSL_read(void *ssl, void *buffer, int length);
extern int SSL_write(void *ssl, const void *buffer, int length);
extern int SSL_get_error(const void *ssl, int result);
extern int SSL_shutdown(void *ssl);
extern int SSL_pending(const void *ssl);
extern int SSL_is_init_finished(const void *ssl);
extern void *SSL_get1_peer_certificate(const void *ssl);
extern const char *SSL_get_version(const void *ssl);
extern unsigned long ERR_get_error(void);
extern void ERR_error_string_n(unsigned long error, char *buffer, size_t length);
extern void ERR_clear_error(void);

/* SSL_OP_NO_RENEGOTIATION, SSL_OP_CIPHER_SERVER_PREFERENCE (bits 30 and 22). */
static const uint64_t no_renegotiation = (uint64_t)1 << 30;
static const uint64_t server_preference = (uint64_t)1 << 22;

void *pe_tls_ctx_new(void) {
    void *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) return NULL;
    SSL_CTX_ctrl(ctx, PE_SSL_CTRL_MODE,
                 PE_SSL_MODE_ENABLE_PARTIAL_WRITE | PE_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | PE_SSL_MODE_RELEASE_BUFFERS, NULL);
    SSL_CTX_set_options(ctx, no_renegotiation);
    return ctx;
}

void pe_tls_ctx_free(void *ctx) { SSL_CTX_free(ctx); }

int pe_tls_ctx_set_versions(void *ctx, int min, int max) {
    return SSL_CTX_ctrl(ctx, PE_SSL_CTRL_SET_MIN_PROTO_VERSION, min, NULL) == 1
        && SSL_CTX_ctrl(ctx, PE_SSL_CTRL_SET_MAX_PROTO_VERSION, max, NULL) == 1;
}

int pe_tls_ctx_set_ciphers(void *ctx, const char *list) { return SSL_CTX_set_cipher_list(ctx, list); }

int pe_tls_ctx_set_groups(void *ctx, const char *list) {
    return SSL_CTX_ctrl(ctx, PE_SSL_CTRL_SET_GROUPS_LIST, 0, (void *)list) == 1;
}

void pe_tls_ctx_prefer_server_ciphers(void *ctx, int on) {
    if (on) SSL_CTX_set_options(ctx, server_preference);
    else SSL_CTX_clear_options(ctx, server_preference);
}

int pe_tls_ctx_use_certificates(void *ctx, const char *pem, int length) {
    void *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return 0;
    int count = 0;
    void *x509;
    while ((x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (count == 0) {
            int ok = SSL_CTX_use_certificate(ctx, x509);
            X509_free(x509);
            if (!ok) { BIO_free(bio); return 0; }
        } else if (SSL_CTX_ctrl(ctx, PE_SSL_CTRL_EXTRA_CHAIN_CERT, 0, x509) != 1) {
            /* The context owns a chain certificate once added; not on failure. */
            X509_free(x509);
            BIO_free(bio);
            return 0;
        }
        count++;
    }
    /* Reading past the last certificate queues a "no start line" error. */
    ERR_clear_error();
    BIO_free(bio);
    return count;
}

int pe_tls_ctx_use_key(void *ctx, const char *pem, int length) {
    void *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return 0;
    void *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (key == NULL) return 0;
    int ok = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    return ok == 1 && SSL_CTX_check_private_key(ctx) == 1;
}

int pe_tls_ctx_use_client_cas(void *ctx, const char *pem, int length) {
    void *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return 0;
    void *store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    void *x509;
    while ((x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        int ok = X509_STORE_add_cert(store, x509) && SSL_CTX_add_client_CA(ctx, x509);
        X509_free(x509);
        if (!ok) { BIO_free(bio); return 0; }
        count++;
    }
    ERR_clear_error();
    BIO_free(bio);
    return count;
}

/* RequestClientCert and RequireAnyClientCert: any certificate will do. */
static int accept_any(int preverified, void *store) {
    (void)preverified;
    (void)store;
    return 1;
}

void pe_tls_ctx_set_verify(void *ctx, int mode, int verify_chain) {
    SSL_CTX_set_verify(ctx, mode, verify_chain ? NULL : accept_any);
}

void pe_tls_last_error(char *buffer, size_t length) {
    unsigned long first = ERR_get_error();
    if (length > 0) buffer[0] = 0;
    if (first != 0) ERR_error_string_n(first, buffer, length);
    ERR_clear_error();
}

void *pe_tls_new(void *ctx, int fd) {
    void *ssl = SSL_new(ctx);
    if (ssl == NULL) return NULL;
    if (SSL_set_fd(ssl, fd) != 1) { SSL_free(ssl); return NULL; }
    SSL_set_accept_state(ssl);
    return ssl;
}

int pe_tls_read(void *ssl, void *buffer, int length, int *error) {
    ERR_clear_error();
    int n = SSL_read(ssl, buffer, length);
    *error = n > 0 ? PE_SSL_ERROR_NONE : SSL_get_error(ssl, n);
    return n;
}

int pe_tls_write(void *ssl, const void *buffer, int length, int *error) {
    ERR_clear_error();
    int n = SSL_write(ssl, buffer, length);
    *error = n > 0 ? PE_SSL_ERROR_NONE : SSL_get_error(ssl, n);
    return n;
}

int pe_tls_pending(void *ssl) { return SSL_pending(ssl); }
int pe_tls_handshake_done(void *ssl) { return SSL_is_init_finished(ssl); }
const char *pe_tls_protocol(void *ssl) { return SSL_get_version(ssl); }

static int append(char *buffer, int length, int used, const char *text, int size) {
    if (used + size + 1 >= length) return used;
    memcpy(buffer + used, text, (size_t)size);
    buffer[used + size] = '\n';
    return used + size + 1;
}

int pe_tls_peer_names(void *ssl, char *buffer, int length) {
    void *peer = SSL_get1_peer_certificate(ssl);
    if (length > 0) buffer[0] = 0;
    if (peer == NULL) return -1;
    void *names = X509_get_ext_d2i(peer, PE_NID_subject_alt_name, NULL, NULL);
    int count = 0, used = 0;
    for (int i = 0; names != NULL && i < OPENSSL_sk_num(names); i++) {
        const struct pe_general_name *name = OPENSSL_sk_value(names, i);
        const unsigned char *data = ASN1_STRING_get0_data(name->d);
        int size = ASN1_STRING_length(name->d);
        char ip[INET6_ADDRSTRLEN];
        int family = size == 4 ? AF_INET : size == 16 ? AF_INET6 : 0;
        switch (name->type) {
        case PE_GEN_DNS: case PE_GEN_EMAIL: case PE_GEN_URI:
            /* A name holding a newline or NUL could pass for two: skip it. */
            if (memchr(data, '\n', (size_t)size) || memchr(data, 0, (size_t)size)) continue;
            used = append(buffer, length, used, (const char *)data, size);
            break;
        case PE_GEN_IPADD:
            if (family == 0 || !inet_ntop(family, data, ip, sizeof ip)) continue;
            used = append(buffer, length, used, ip, (int)strlen(ip));
            break;
        default:
            continue;
        }
        count++;
    }
    if (used < length) buffer[used] = 0;
    if (names != NULL) GENERAL_NAMES_free(names);
    X509_free(peer);
    return count;
}

void pe_tls_free(void *ssl, int notify) {
    if (notify && SSL_is_init_finished(ssl)) SSL_shutdown(ssl);
    ERR_clear_error();
    SSL_free(ssl);
}
