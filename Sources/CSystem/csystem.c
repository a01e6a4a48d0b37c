#define _GNU_SOURCE
#include "csystem.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <zlib.h>

int cs_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int cs_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) { return ctl(epfd, EPOLL_CTL_ADD, fd, events, data); }
int cs_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data) { return ctl(epfd, EPOLL_CTL_MOD, fd, events, data); }
int cs_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

int cs_epoll_wait(int epfd, cs_event *out, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        out[i].events = evs[i].events;
        out[i].data = evs[i].data.u64;
    }
    return n;
}

int cs_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int cs_accept(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

void cs_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }

size_t cs_gzip_bound(size_t len) {
    // deflateBound for the zlib wrapper plus the larger gzip header and trailer.
    return compressBound(len) + 32;
}

int cs_gzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len, int level) {
    if (in_len > 0xFFFFFFFFu || *out_len > 0xFFFFFFFFu) return Z_BUF_ERROR;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    // 15 window bits + 16 selects the gzip wrapper.
    int rc = deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) return rc;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out;
    zs.avail_out = (uInt)*out_len;
    rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? 0 : (rc == Z_OK ? Z_BUF_ERROR : rc);
}

void *cs_gzip_stream_new(int level) {
    z_stream *zs = calloc(1, sizeof *zs);
    if (zs == NULL) return NULL;
    if (deflateInit2(zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(zs);
        return NULL;
    }
    return zs;
}

int cs_gzip_stream_write(void *stream, const uint8_t *in, size_t in_len, size_t *in_used,
                         uint8_t *out, size_t out_len, size_t *out_used, int finish) {
    z_stream *zs = stream;
    // zlib counts in uInt: a larger piece is taken in part, and the caller loops.
    uInt in_n = in_len > 0x40000000u ? 0x40000000u : (uInt)in_len;
    uInt out_n = out_len > 0x40000000u ? 0x40000000u : (uInt)out_len;
    zs->next_in = (Bytef *)in;
    zs->avail_in = in_n;
    zs->next_out = out;
    zs->avail_out = out_n;
    int rc = deflate(zs, finish && in_n == in_len ? Z_FINISH : Z_NO_FLUSH);
    *in_used = in_n - zs->avail_in;
    *out_used = out_n - zs->avail_out;
    if (rc == Z_STREAM_END) return 1;
    if (rc == Z_OK || rc == Z_BUF_ERROR) return 0; // Z_BUF_ERROR: no progress possible, call again with room
    return rc < 0 ? rc : -1;
}

void cs_gzip_stream_free(void *stream) {
    if (stream == NULL) return;
    deflateEnd(stream);
    free(stream);
}

void cs_malloc_trim(void) { malloc_trim(0); }

/* libcrypt (libxcrypt) ships on every Debian system; its header only with
   libcrypt-dev, so the one function used is declared here. Its work area,
   struct crypt_data, is 32768 bytes. */
char *crypt_rn(const char *phrase, const char *setting, void *data, int size);
#define CS_CRYPT_DATA_SIZE 32768

int cs_crypt_verify(const char *password, const char *hash) {
    void *data = calloc(1, CS_CRYPT_DATA_SIZE);
    if (data == NULL) return 0;
    const char *out = crypt_rn(password, hash, data, CS_CRYPT_DATA_SIZE);
    int ok = 0;
    if (out != NULL && out[0] != '*') {
        size_t n = strlen(hash), m = strlen(out);
        unsigned char diff = n != m;
        for (size_t i = 0; i < n && i < m; i++) diff |= (unsigned char)(out[i] ^ hash[i]);
        ok = diff == 0;
    }
    explicit_bzero(data, CS_CRYPT_DATA_SIZE);
    free(data);
    return ok;
}
