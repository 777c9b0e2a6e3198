/* Logging to stderr or a file (--log FILE, reopened on SIGHUP).
 * Messages that may carry attacker bytes must go through log_escape. */
#ifndef MITSU_LOG_H
#define MITSU_LOG_H
#include <stddef.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

int log_open(const char *path); /* NULL: stderr */
int log_reopen(void);
void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies s into out with control bytes and bytes >= 0x7f shown as \xNN. */
const char *log_escape(const char *s, char *out, size_t outlen);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
