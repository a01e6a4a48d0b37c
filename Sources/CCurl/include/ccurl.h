#ifndef CCURL_H
#define CCURL_H

/* The few libcurl functions, constants and layouts provider_exporter uses,
 * declared here so that building needs no curl headers (libcurl.so.4 is on
 * every machine that runs the Swift toolchain; its -dev package is not).
 * Every name is prefixed pe_ so this header compiles beside the real
 * <curl/curl.h>: Tests/e2e/check_curl_header.sh checks each constant and
 * layout below against it. */

#include <stddef.h>
#include <stdint.h>

/* Option numbers: CURLOPTTYPE_* base + index, as curl.h computes them. */
enum {
    PE_CURLOPT_WRITEDATA = 10001,
    PE_CURLOPT_URL = 10002,
    PE_CURLOPT_WRITEFUNCTION = 20011,
    PE_CURLOPT_POSTFIELDS = 10015,
    PE_CURLOPT_USERAGENT = 10018,
    PE_CURLOPT_LOW_SPEED_LIMIT = 19,
    PE_CURLOPT_LOW_SPEED_TIME = 20,
    PE_CURLOPT_HTTPHEADER = 10023,
    PE_CURLOPT_HEADERDATA = 10029,
    PE_CURLOPT_CUSTOMREQUEST = 10036,
    PE_CURLOPT_NOPROGRESS = 43,
    PE_CURLOPT_NOBODY = 44,
    PE_CURLOPT_FOLLOWLOCATION = 52,
    PE_CURLOPT_POSTFIELDSIZE = 60,
    PE_CURLOPT_SSL_VERIFYPEER = 64,
    PE_CURLOPT_CAINFO = 10065,
    PE_CURLOPT_FRESH_CONNECT = 74,
    PE_CURLOPT_FORBID_REUSE = 75,
    PE_CURLOPT_HEADERFUNCTION = 20079,
    PE_CURLOPT_HTTPGET = 80,
    PE_CURLOPT_SSL_VERIFYHOST = 81,
    PE_CURLOPT_DNS_CACHE_TIMEOUT = 92,
    PE_CURLOPT_NOSIGNAL = 99,
    PE_CURLOPT_ACCEPT_ENCODING = 10102,
    PE_CURLOPT_PRIVATE = 10103,
    PE_CURLOPT_TCP_NODELAY = 121,
    PE_CURLOPT_TIMEOUT_MS = 155,
    PE_CURLOPT_CONNECTTIMEOUT_MS = 156,
    PE_CURLOPT_CERTINFO = 172,
    PE_CURLOPT_CONNECT_TO = 10243,
    PE_CURLOPT_PROTOCOLS_STR = 10318,
};

enum {
    PE_CURLINFO_RESPONSE_CODE = 0x200000 + 2,
    PE_CURLINFO_REDIRECT_URL = 0x100000 + 31,
    PE_CURLINFO_CERTINFO = 0x400000 + 34,
    PE_CURLINFO_TOTAL_TIME_T = 0x600000 + 50,
    PE_CURLINFO_NAMELOOKUP_TIME_T = 0x600000 + 51,
    PE_CURLINFO_CONNECT_TIME_T = 0x600000 + 52,
    PE_CURLINFO_PRETRANSFER_TIME_T = 0x600000 + 53,
    PE_CURLINFO_STARTTRANSFER_TIME_T = 0x600000 + 54,
    PE_CURLINFO_APPCONNECT_TIME_T = 0x600000 + 56,
};

/* CURLcode values the client tells apart. */
enum {
    PE_CURLE_OK = 0,
    PE_CURLE_UNSUPPORTED_PROTOCOL = 1,
    PE_CURLE_URL_MALFORMAT = 3,
    PE_CURLE_COULDNT_RESOLVE_PROXY = 5,
    PE_CURLE_COULDNT_RESOLVE_HOST = 6,
    PE_CURLE_COULDNT_CONNECT = 7,
    PE_CURLE_WRITE_ERROR = 23,
    PE_CURLE_OPERATION_TIMEDOUT = 28,
    PE_CURLE_SSL_CONNECT_ERROR = 35,
    PE_CURLE_GOT_NOTHING = 52,
    PE_CURLE_SEND_ERROR = 55,
    PE_CURLE_RECV_ERROR = 56,
    PE_CURLE_SSL_CERTPROBLEM = 58,
    PE_CURLE_SSL_CIPHER = 59,
    PE_CURLE_PEER_FAILED_VERIFICATION = 60,
    PE_CURLE_SSL_CACERT_BADFILE = 77,
    PE_CURLE_SSL_ISSUER_ERROR = 83,
    PE_CURLE_SSL_PINNEDPUBKEYNOTMATCH = 90,
    PE_CURLE_SSL_INVALIDCERTSTATUS = 91,
};

enum { PE_CURLMSG_DONE = 1, PE_CURL_GLOBAL_ALL = 3 };

/* The multi handle's socket interface (see pe_curl_loop below). */
enum {
    PE_CURLMOPT_SOCKETFUNCTION = 20001,
    PE_CURLMOPT_SOCKETDATA = 10002,
    PE_CURLMOPT_TIMERFUNCTION = 20004,
    PE_CURLMOPT_TIMERDATA = 10005,
    PE_CURL_POLL_IN = 1,
    PE_CURL_POLL_OUT = 2,
    PE_CURL_POLL_REMOVE = 4,
    PE_CURL_CSELECT_IN = 1,
    PE_CURL_CSELECT_OUT = 2,
    PE_CURL_CSELECT_ERR = 4,
    PE_CURL_SOCKET_TIMEOUT = -1,
};

/* Layouts the wrappers read (checked against curl.h). */
struct pe_curl_slist {
    char *data;
    struct pe_curl_slist *next;
};

struct pe_curl_certinfo {
    int num_of_certs;
    struct pe_curl_slist **certinfo;
};

struct pe_curl_msg {
    int msg;
    void *easy_handle;
    union {
        void *whatever;
        int result;
    } data;
};

typedef size_t (*pe_curl_write_callback)(char *data, size_t size, size_t count, void *userdata);

int pe_curl_global_init(void);
const char *pe_curl_version(void);
void *pe_curl_easy_init(void);
void pe_curl_easy_cleanup(void *easy);
int pe_curl_setopt_long(void *easy, int option, long value);
int pe_curl_setopt_ptr(void *easy, int option, const void *value);
int pe_curl_setopt_callback(void *easy, int option, pe_curl_write_callback callback);
int pe_curl_getinfo_long(void *easy, int info, long *out);
int pe_curl_getinfo_off(void *easy, int info, int64_t *out);
int pe_curl_getinfo_string(void *easy, int info, const char **out);
int pe_curl_getinfo_certinfo(void *easy, struct pe_curl_certinfo **out);
const char *pe_curl_easy_strerror(int code);
struct pe_curl_slist *pe_curl_slist_append(struct pe_curl_slist *list, const char *value);
void pe_curl_slist_free_all(struct pe_curl_slist *list);

void *pe_curl_multi_init(void);
int pe_curl_multi_cleanup(void *multi);
int pe_curl_multi_add_handle(void *multi, void *easy);
int pe_curl_multi_remove_handle(void *multi, void *easy);
int pe_curl_multi_perform(void *multi, int *running);
int pe_curl_multi_poll(void *multi, int timeout_ms, int *numfds);
int pe_curl_multi_wakeup(void *multi);
/* The next finished transfer: 1 with its handle and result, 0 when none is left. */
int pe_curl_multi_next_done(void *multi, void **easy, int *result);

/* A multi handle driven through libcurl's socket interface on an epoll
 * descriptor of its own: only the sockets that are ready, and curl's timer,
 * are acted on, never a walk over every transfer. An eventfd wakes a wait
 * from another thread. */
typedef struct pe_curl_loop pe_curl_loop;
/* NULL if the multi handle, epoll or eventfd cannot be made. */
pe_curl_loop *pe_curl_loop_new(void);
void *pe_curl_loop_multi(pe_curl_loop *loop);
/* Waits at most `timeout_ms` (less when curl's timer is due sooner), then
 * lets curl act on every ready socket and on its timer if due. Returns the
 * number of events, or -1 when epoll failed. */
int pe_curl_loop_wait(pe_curl_loop *loop, int timeout_ms);
/* From any thread, until pe_curl_loop_free: the next or current wait returns. */
void pe_curl_loop_wakeup(pe_curl_loop *loop);
/* Frees the multi handle (remove its transfers first), the epoll and eventfd. */
void pe_curl_loop_free(pe_curl_loop *loop);

#endif
