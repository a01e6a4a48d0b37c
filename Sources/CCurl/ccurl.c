#include "ccurl.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* libcurl's own prototypes, with its opaque types as void. They are declared
 * here, not in the public header, so that header can sit beside curl.h. */
extern int curl_global_init(long flags);
extern char *curl_version(void);
extern void *curl_easy_init(void);
extern void curl_easy_cleanup(void *easy);
extern int curl_easy_setopt(void *easy, int option, ...);
extern int curl_easy_getinfo(void *easy, int info, ...);
extern const char *curl_easy_strerror(int code);
extern struct pe_curl_slist *curl_slist_append(struct pe_curl_slist *list, const char *value);
extern void curl_slist_free_all(struct pe_curl_slist *list);
extern void *curl_multi_init(void);
extern int curl_multi_cleanup(void *multi);
extern int curl_multi_add_handle(void *multi, void *easy);
extern int curl_multi_remove_handle(void *multi, void *easy);
extern int curl_multi_perform(void *multi, int *running);
extern int curl_multi_poll(void *multi, void *extra_fds, unsigned extra_nfds, int timeout_ms, int *numfds);
extern int curl_multi_wakeup(void *multi);
extern struct pe_curl_msg *curl_multi_info_read(void *multi, int *msgs_in_queue);
extern int curl_multi_setopt(void *multi, int option, ...);
extern int curl_multi_socket_action(void *multi, int sockfd, int ev_bitmask, int *running_handles);

int pe_curl_global_init(void) { return curl_global_init(PE_CURL_GLOBAL_ALL); }
const char *pe_curl_version(void) { return curl_version(); }
void *pe_curl_easy_init(void) { return curl_easy_init(); }
void pe_curl_easy_cleanup(void *easy) { curl_easy_cleanup(easy); }
int pe_curl_setopt_long(void *easy, int option, long value) { return curl_easy_setopt(easy, option, value); }
int pe_curl_setopt_ptr(void *easy, int option, const void *value) { return curl_easy_setopt(easy, option, value); }
int pe_curl_setopt_callback(void *easy, int option, pe_curl_write_callback callback) {
    return curl_easy_setopt(easy, option, callback);
}
int pe_curl_getinfo_long(void *easy, int info, long *out) { return curl_easy_getinfo(easy, info, out); }
int pe_curl_getinfo_off(void *easy, int info, int64_t *out) { return curl_easy_getinfo(easy, info, out); }
int pe_curl_getinfo_string(void *easy, int info, const char **out) { return curl_easy_getinfo(easy, info, out); }
int pe_curl_getinfo_certinfo(void *easy, struct pe_curl_certinfo **out) {
    return curl_easy_getinfo(easy, PE_CURLINFO_CERTINFO, out);
}
const char *pe_curl_easy_strerror(int code) { return curl_easy_strerror(code); }
struct pe_curl_slist *pe_curl_slist_append(struct pe_curl_slist *list, const char *value) {
    return curl_slist_append(list, value);
}
void pe_curl_slist_free_all(struct pe_curl_slist *list) { curl_slist_free_all(list); }

void *pe_curl_multi_init(void) { return curl_multi_init(); }
int pe_curl_multi_cleanup(void *multi) { return curl_multi_cleanup(multi); }
int pe_curl_multi_add_handle(void *multi, void *easy) { return curl_multi_add_handle(multi, easy); }
int pe_curl_multi_remove_handle(void *multi, void *easy) { return curl_multi_remove_handle(multi, easy); }
int pe_curl_multi_perform(void *multi, int *running) { return curl_multi_perform(multi, running); }
int pe_curl_multi_poll(void *multi, int timeout_ms, int *numfds) {
    return curl_multi_poll(multi, NULL, 0, timeout_ms, numfds);
}
int pe_curl_multi_wakeup(void *multi) { return curl_multi_wakeup(multi); }

int pe_curl_multi_next_done(void *multi, void **easy, int *result) {
    int left = 0;
    struct pe_curl_msg *msg;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg == PE_CURLMSG_DONE) {
            *easy = msg->easy_handle;
            *result = msg->data.result;
            return 1;
        }
    }
    return 0;
}

struct pe_curl_loop {
    void *multi;
    int epfd;
    int wakefd;
    /* When curl's timer is due (monotonic microseconds), or -1 for none. */
    int64_t due_us;
};

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* curl says which events a socket waits for; a new socket with a reused
 * number is added, a closed one was already dropped by the kernel. */
static int on_socket(void *easy, int fd, int what, void *userp, void *socketp) {
    (void)easy;
    (void)socketp;
    pe_curl_loop *loop = userp;
    if (what == PE_CURL_POLL_REMOVE) {
        epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event ev = {0};
    ev.events = (what & PE_CURL_POLL_IN ? EPOLLIN : 0) | (what & PE_CURL_POLL_OUT ? EPOLLOUT : 0);
    ev.data.fd = fd;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
        if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
    }
    return 0;
}

static int on_timer(void *multi, long timeout_ms, void *userp) {
    (void)multi;
    pe_curl_loop *loop = userp;
    loop->due_us = timeout_ms < 0 ? -1 : now_us() + (int64_t)timeout_ms * 1000;
    return 0;
}

pe_curl_loop *pe_curl_loop_new(void) {
    pe_curl_loop *loop = calloc(1, sizeof *loop);
    if (loop == NULL) return NULL;
    loop->due_us = -1;
    loop->multi = curl_multi_init();
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.fd = loop->wakefd;
    if (loop->multi == NULL || loop->epfd < 0 || loop->wakefd < 0 ||
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) != 0) {
        pe_curl_loop_free(loop);
        return NULL;
    }
    curl_multi_setopt(loop->multi, PE_CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(loop->multi, PE_CURLMOPT_SOCKETDATA, loop);
    curl_multi_setopt(loop->multi, PE_CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(loop->multi, PE_CURLMOPT_TIMERDATA, loop);
    return loop;
}

void *pe_curl_loop_multi(pe_curl_loop *loop) { return loop->multi; }

int pe_curl_loop_wait(pe_curl_loop *loop, int timeout_ms) {
    if (loop->due_us >= 0) {
        int64_t left = loop->due_us - now_us();
        int64_t ms = left <= 0 ? 0 : (left + 999) / 1000;
        if (ms < timeout_ms) timeout_ms = (int)ms;
    }
    struct epoll_event events[64];
    int n = epoll_wait(loop->epfd, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) return -1;
    int running = 0;
    for (int i = 0; i < n; i++) {
        int fd = events[i].data.fd;
        if (fd == loop->wakefd) {
            uint64_t count;
            while (read(fd, &count, sizeof count) > 0) {}
            continue;
        }
        uint32_t e = events[i].events;
        int flags = (e & (EPOLLIN | EPOLLHUP) ? PE_CURL_CSELECT_IN : 0) | (e & EPOLLOUT ? PE_CURL_CSELECT_OUT : 0) |
                    (e & EPOLLERR ? PE_CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(loop->multi, fd, flags, &running);
    }
    if (loop->due_us >= 0 && now_us() >= loop->due_us) {
        loop->due_us = -1;
        curl_multi_socket_action(loop->multi, PE_CURL_SOCKET_TIMEOUT, 0, &running);
    }
    return n < 0 ? 0 : n;
}

void pe_curl_loop_wakeup(pe_curl_loop *loop) {
    uint64_t one = 1;
    ssize_t written = write(loop->wakefd, &one, sizeof one);
    (void)written; /* a full counter already wakes the wait */
}

void pe_curl_loop_free(pe_curl_loop *loop) {
    if (loop == NULL) return;
    if (loop->multi != NULL) curl_multi_cleanup(loop->multi);
    if (loop->epfd >= 0) close(loop->epfd);
    if (loop->wakefd >= 0) close(loop->wakefd);
    free(loop);
}
