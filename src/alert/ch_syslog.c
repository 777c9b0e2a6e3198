/* Syslog channel: RFC 5424 messages to the local socket (/dev/log or
 * unix:PATH, datagrams), or to a remote collector over UDP (one message per
 * datagram, RFC 5426) or TCP (octet-counted framing, RFC 6587 3.4.1).
 * Spec: local | unix:PATH | udp://HOST:PORT | tcp://HOST:PORT, then
 * optionally ",facility=NAME" (kern..local7 or a number; default local0). */
#include "alert/chan.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

enum { SL_UNIX, SL_UDP, SL_TCP };

struct syslog_ch {
	int type;
	char path[108];
	char host[256], port[16];
	int facility;
	unsigned timeout_s;
	int fd;
	char hostname[256];
};

static const char *const facilities[] = {
    "kern",   "user",	"mail",	    "daemon", "auth",	"syslog", "lpr",    "news",
    "uucp",   "cron",	"authpriv", "ftp",    "ntp",	"audit",  "alert",  "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7",
};

static int severity(const char *kind)
{
	if (!strcmp(kind, "token") || !strcmp(kind, "cloudtrail"))
		return 1; /* alert: someone used bait */
	if (!strcmp(kind, "summary"))
		return 6; /* informational */
	return 4;	  /* warning: contact, tags */
}

/* PARAM-VALUE: '"', '\' and ']' escaped; control bytes dropped. */
static int sd_value(struct buf *out, const char *v)
{
	int ret = 0;

	for (; !ret && *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\' || c == ']')
			ret = buf_putc(out, '\\');
		if (!ret && c >= 0x20 && c != 0x7f)
			ret = buf_putc(out, c);
	}
	return ret;
}

/* HOSTNAME, APP-NAME: PRINTUSASCII (33-126), "-" when empty. */
static int header_word(struct buf *out, const char *v, size_t max)
{
	size_t n = 0;
	int ret = 0;

	for (; !ret && *v && n < max; v++)
		if (*v > 32 && *v < 127)
			ret = buf_putc(out, *v), n++;
	return ret ? ret : n ? 0 : buf_putc(out, '-');
}

int alert_syslog_format(const struct alert_msg *m, int facility, const char *host, int pid,
			struct buf *out)
{
	time_t sec = (time_t)m->ts;
	struct tm tm;
	char ts[64];
	int ret;

	gmtime_r(&sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((m->ts - (double)sec) * 1e6) % 1000000);
	ret = buf_printf(out, "<%d>1 %s ", facility * 8 + severity(m->kind), m->ts > 0 ? ts : "-");
	ret = ret ? ret : header_word(out, host, 255);
	ret = ret ? ret : buf_printf(out, " mitsu %d ", pid);
	ret = ret ? ret : header_word(out, m->kind, 32);
	ret = ret ? ret : buf_puts(out, " [mitsu@32473 kind=\"");
	ret = ret ? ret : sd_value(out, m->kind);
	if (!ret && m->src[0]) {
		ret = buf_puts(out, "\" src=\"");
		ret = ret ? ret : sd_value(out, m->src);
	}
	ret = ret ? ret : buf_puts(out, "\"] ");
	for (const char *p = m->text; !ret && *p; p++) /* MSG: one line */
		ret = buf_putc(out, (unsigned char)*p < 0x20 ? ' ' : *p);
	return ret;
}

static int parse_facility(const char *v)
{
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(v, facilities[i]))
			return (int)i;
	n = strtol(v, &end, 10);
	return *v && !*end && n >= 0 && n <= 23 ? (int)n : -1;
}

static int parse_target(struct syslog_ch *s, char *t)
{
	char *colon;

	if (!strcmp(t, "local")) {
		s->type = SL_UNIX;
		snprintf(s->path, sizeof(s->path), "/dev/log");
		return 0;
	}
	if (!strncmp(t, "unix:", 5)) {
		s->type = SL_UNIX;
		return t[5] && strlen(t + 5) < sizeof(s->path) ? (strcpy(s->path, t + 5), 0) : -1;
	}
	if (!strncmp(t, "udp://", 6) || !strncmp(t, "tcp://", 6)) {
		s->type = t[0] == 'u' ? SL_UDP : SL_TCP;
		t += 6;
		if (*t == '[') { /* [v6]:port */
			char *rb = strchr(t, ']');
			if (!rb || rb[1] != ':')
				return -1;
			*rb = 0;
			colon = rb + 1;
			t++;
		} else if (!(colon = strrchr(t, ':'))) {
			return -1;
		}
		*colon = 0;
		if (!*t || strlen(t) >= sizeof(s->host) || !colon[1] ||
		    strlen(colon + 1) >= sizeof(s->port))
			return -1;
		strcpy(s->host, t);
		strcpy(s->port, colon + 1);
		return 0;
	}
	return -1;
}

static int syslog_open(const char *spec, unsigned timeout_s, void **state, char *err, size_t errlen)
{
	struct syslog_ch *s = calloc(1, sizeof(*s));
	char *copy = strdup(spec), *opt;
	int ret = -EINVAL;

	if (!s || !copy) {
		ret = -ENOMEM;
		goto fail;
	}
	s->fd = -1;
	s->facility = 16;
	s->timeout_s = timeout_s ? timeout_s : 1;
	if ((opt = strchr(copy, ',')))
		*opt++ = 0;
	if (parse_target(s, copy))
		goto bad;
	for (char *save = NULL, *o = opt ? strtok_r(opt, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save))
		if (strncmp(o, "facility=", 9) || (s->facility = parse_facility(o + 9)) < 0)
			goto bad;
	if (gethostname(s->hostname, sizeof(s->hostname) - 1))
		s->hostname[0] = 0;
	free(copy);
	*state = s;
	return 0;
bad:
	snprintf(err, errlen,
		 "syslog: bad target '%s' (local, unix:PATH, udp://HOST:PORT or "
		 "tcp://HOST:PORT, then optionally ,facility=NAME)",
		 spec);
fail:
	free(copy);
	free(s);
	return ret;
}

/* Connects within the timeout (non-blocking connect + poll). */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, unsigned timeout_s)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int fl = fcntl(fd, F_GETFL), soerr = 0;
	socklen_t sl = sizeof(soerr);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, sa, len) && errno != EINPROGRESS)
		return -errno;
	if (poll(&p, 1, (int)timeout_s * 1000) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr)
		return soerr ? -soerr : -errno;
	fcntl(fd, F_SETFL, fl);
	return 0;
}

static int set_timeouts(int fd, unsigned timeout_s)
{
	struct timeval tv = {.tv_sec = timeout_s};

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int syslog_connect(struct syslog_ch *s, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = s->type == SL_TCP ? SOCK_STREAM : SOCK_DGRAM};
	struct addrinfo *ai = NULL;
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	int ret, gai;

	if (s->type == SL_UNIX) {
		strcpy(un.sun_path, s->path);
		s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ret = s->fd < 0						   ? -errno
		      : connect(s->fd, (struct sockaddr *)&un, sizeof(un)) ? -errno
									   : 0;
		if (ret)
			snprintf(err, errlen, "%s: %s", s->path, strerror(-ret));
		return ret;
	}
	if ((gai = getaddrinfo(s->host, s->port, &hints, &ai))) {
		snprintf(err, errlen, "%s: %s", s->host, gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	s->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	ret =
	    s->fd < 0 ? -errno : connect_timeout(s->fd, ai->ai_addr, ai->ai_addrlen, s->timeout_s);
	if (!ret)
		set_timeouts(s->fd, s->timeout_s);
	else
		snprintf(err, errlen, "%s:%s: %s", s->host, s->port, strerror(-ret));
	freeaddrinfo(ai);
	return ret;
}

/* The collector closed the connection (EOF or an error waiting to be read):
 * a send would still "succeed" into the void. */
static bool peer_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static int syslog_send(void *state, const struct alert_msg *m, char *err, size_t errlen)
{
	struct syslog_ch *s = state;
	struct buf msg = {0}, frame = {0};
	const struct buf *out = &msg;
	int ret;

	if ((ret = alert_syslog_format(m, s->facility, s->hostname, (int)getpid(), &msg)))
		goto out;
	if (s->type == SL_TCP) {
		if ((ret = buf_printf(&frame, "%zu ", msg.len)) ||
		    (ret = buf_append(&frame, msg.p, msg.len)))
			goto out;
		out = &frame;
	}
	if (s->type == SL_TCP && s->fd >= 0 && peer_closed(s->fd)) {
		close(s->fd); /* else the first message after a collector restart is lost */
		s->fd = -1;
	}
	if (s->fd < 0 && (ret = syslog_connect(s, err, errlen)))
		goto out;
	if (send(s->fd, out->p, out->len, MSG_NOSIGNAL) != (ssize_t)out->len) {
		ret = errno ? -errno : -EIO;
		snprintf(err, errlen, "send: %s", strerror(errno));
	}
out:
	if (ret && s->fd >= 0) { /* reconnect on the next attempt */
		close(s->fd);
		s->fd = -1;
	}
	buf_free(&msg);
	buf_free(&frame);
	return ret;
}

static void syslog_close(void *state)
{
	struct syslog_ch *s = state;

	if (s && s->fd >= 0)
		close(s->fd);
	free(s);
}

const struct alert_chan_ops alert_ch_syslog = {
    .name = "syslog",
    .open = syslog_open,
    .send = syslog_send,
    .close = syslog_close,
};
