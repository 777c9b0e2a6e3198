/* Alert options, shared by `mitsu run`, `mitsu sensor` (and their config
 * file, same names) and `mitsu analyze`.  Commands put ALERT_LONG_OPTIONS
 * into their getopt table and hand matches to alert_opts_apply. */
#ifndef MITSU_ALERT_OPTS_H
#define MITSU_ALERT_OPTS_H
#include <stddef.h>

#include "alert/hub.h"

#define ALERT_NOPTS 12
/* getopt entries with values base .. base + ALERT_NOPTS - 1 */
/* clang-format off */
#define ALERT_LONG_OPTIONS(base)                                        \
	{"alert-on", required_argument, NULL, (base) + 0},              \
	{"alert-window", required_argument, NULL, (base) + 1},          \
	{"alert-ignore", required_argument, NULL, (base) + 2},          \
	{"alert-throttle", required_argument, NULL, (base) + 3},        \
	{"alert-timeout", required_argument, NULL, (base) + 4},         \
	{"alert-retries", required_argument, NULL, (base) + 5},         \
	{"webhook", required_argument, NULL, (base) + 6},               \
	{"syslog", required_argument, NULL, (base) + 7},                \
	{"email", required_argument, NULL, (base) + 8},                 \
	{"exec", required_argument, NULL, (base) + 9},                  \
	{"alert-queue", required_argument, NULL, (base) + 10},          \
	{"alert-ignore-file", required_argument, NULL, (base) + 11}
/* clang-format on */

/* The help text, a literal so commands can append it to theirs. */
#define ALERT_OPTIONS_HELP                                                                         \
	"alerts (see README, Alerts):\n"                                                           \
	"      --alert-on any        IDS mode: one alert per source and window naming the\n"       \
	"                            ports it touched (port scan, sweep, single contact...)\n"     \
	"      --alert-on tags[:T,T] an alert for every flow with these tags (all if none)\n"      \
	"      --alert-window S      IDS aggregation window (default 60)\n"                        \
	"      --alert-ignore RULE   never alert for RULE (repeatable): comma-separated\n"         \
	"                            CIDR, PORT[-PORT], net:, port:, tag:NAME, token:ID,\n"        \
	"                            kind:KIND; e.g. 10.0.0.5 or 10.1.0.0/16,port:443\n"           \
	"      --alert-ignore-file F one RULE per line ('#' comments)\n"                           \
	"      --alert-throttle N/S  at most N alerts per (kind, source, token) every S\n"         \
	"                            seconds to the channels, then a summary (default 5/300;\n"    \
	"                            0 = no limit); every alert is still stored\n"                 \
	"      --webhook URL[,FMT]   POST each alert as JSON; FMT json (default), slack,\n"        \
	"                            mattermost, discord or teams (repeatable)\n"                  \
	"      --syslog TARGET       RFC 5424: local (/dev/log), unix:PATH, udp://H:P or\n"        \
	"                            tcp://H:P [,facility=local0] (repeatable)\n"                  \
	"      --email URL,from=A,to=B[,starttls][,user=U,password-file=F]\n"                      \
	"                            mail each alert via smtp:// or smtps:// (repeatable)\n"       \
	"      --exec PROG[,ARG...]  run PROG (absolute path, no shell) with the alert JSON\n"     \
	"                            on stdin; exit status 0 = delivered (repeatable)\n"           \
	"      --alert-timeout S     per delivery attempt (default 10)\n"                          \
	"      --alert-retries N     retries per alert and channel, backoff 1,2,4.. s (default "   \
	"3)\n"                                                                                     \
	"      --alert-queue N       alerts waiting for the hub at most (default 16384)\n"

/* Applies option number idx (0 .. ALERT_NOPTS-1) with its argument.
 * 0, or -EINVAL/-ENOMEM with a one-line message in err. */
int alert_opts_apply(struct alert_hub_cfg *cfg, int idx, const char *arg, char *err, size_t errlen);

#endif
