/* Alert options, shared by `mitsu run`, `mitsu sensor` (and their config
 * file, same names) and `mitsu analyze`.  Commands put ALERT_LONG_OPTIONS
 * into their getopt table and hand matches to alert_opts_apply. */
#ifndef MITSU_ALERT_OPTS_H
#define MITSU_ALERT_OPTS_H
#include <stddef.h>

#include "alert/hub.h"

#define ALERT_NOPTS 12
/* getopt entries with values base .. base + ALERT_NOPTS - 1 */
#define ALERT_LONG_OPTIONS(base)                                                                   \
	{"alert-on", required_argument, NULL, (base) + 0},                                         \
	{"alert-window", required_argument, NULL, (base) + 1},                                     \
	{"alert-ignore", required_argument, NULL, (base) + 2},                                     \
	{"alert-throttle", required_argument, NULL, (base) + 3},                                   \
	{"alert-timeout", required_argument, NULL, (base) + 4},                                    \
	{"alert-retries", required_argument, NULL, (base) + 5},                                    \
	{"webhook", required_argument, NULL, (base) + 6},                                          \
	{"syslog", required_argument, NULL, (base) + 7},                                           \
	{"email", required_argument, NULL, (base) + 8},                                            \
	{"exec", required_argument, NULL, (base) + 9},                                             \
	{"alert-queue", required_argument, NULL, (base) + 10},                                     \
	{"alert-ignore-file", required_argument, NULL, (base) + 11}

extern const char alert_options_help[];

/* Applies option number idx (0 .. ALERT_NOPTS-1) with its argument.
 * 0, or -EINVAL/-ENOMEM with a one-line message in err. */
int alert_opts_apply(struct alert_hub_cfg *cfg, int idx, const char *arg, char *err,
		     size_t errlen);

#endif
