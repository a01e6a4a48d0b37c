#include "ccurl.h"

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
