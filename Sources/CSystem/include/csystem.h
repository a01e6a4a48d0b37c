#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <stddef.h>
#include <stdint.h>

/// One readiness event, unpacked: glibc's `struct epoll_event` is packed on
/// x86_64, which Swift cannot lay out reliably, so the wrapper copies it.
typedef struct {
    uint32_t events;
    uint64_t data;
} cs_event;

enum {
    CS_EPOLLIN = 0x001,
    CS_EPOLLOUT = 0x004,
    CS_EPOLLERR = 0x008,
    CS_EPOLLHUP = 0x010,
    CS_EPOLLRDHUP = 0x2000,
    CS_EPOLLEXCLUSIVE = 1u << 28,
};

int cs_epoll_create(void);
int cs_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int cs_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data);
int cs_epoll_del(int epfd, int fd);
/// Waits up to `timeout_ms`; returns the number of events written to `out`, or -1.
int cs_epoll_wait(int epfd, cs_event *out, int max, int timeout_ms);

/// A non-blocking, close-on-exec eventfd.
int cs_eventfd(void);
/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
int cs_accept(int fd);

/// Names the calling thread (at most 15 bytes are kept).
void cs_set_thread_name(const char *name);

/// Upper bound of the gzip output for `len` input bytes.
size_t cs_gzip_bound(size_t len);
/// Compresses `in` into a complete gzip member in `out` (capacity `*out_len`,
/// which receives the size written). Returns 0 on success, a zlib error otherwise.
int cs_gzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len, int level);

/// A gzip member written in pieces: `cs_gzip_stream_new` starts one (NULL if
/// zlib cannot), each `cs_gzip_stream_write` compresses what fits of `in` into
/// `out` and reports how much of each it used (`finish` ends the member: call
/// it until it returns 1), `cs_gzip_stream_free` releases it. Returns 0 while
/// more is to come, 1 once the member is complete, or a negative zlib error.
void *cs_gzip_stream_new(int level);
int cs_gzip_stream_write(void *stream, const uint8_t *in, size_t in_len, size_t *in_used,
                         uint8_t *out, size_t out_len, size_t *out_used, int finish);
void cs_gzip_stream_free(void *stream);

/// 1 if `password` hashes to `hash` under libcrypt (bcrypt `$2a$`/`$2b$`/`$2y$`
/// among others), else 0. The result is compared in constant time and the work
/// area is wiped.
int cs_crypt_verify(const char *password, const char *hash);

/// malloc_trim(0): returns free heap pages to the system.
void cs_malloc_trim(void);

#endif
