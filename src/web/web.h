/* The web dashboard: a read-only JSON API over the record store, pcap
 * downloads from the local store, Prometheus /metrics, server-sent events,
 * and the UI (web/ sources embedded at build time), on libmicrohttpd.
 *
 * Every request opens the SQLite database read-only (WAL: readers never
 * block the analyzer).  Only GET and HEAD exist; nothing changes state.
 * Bound to a non-loopback address, it refuses to start without
 * authentication (a token, a user and crypt(3) hash, or a trusted proxy). */
#ifndef MITSU_WEB_H
#define MITSU_WEB_H
#include <stddef.h>

#include "core/addr.h"

struct sensor_stats;
struct web;

/* Fills *st with the live sensor counters; returns 0, or -errno when there
 * are none (yet).  Called from the server's threads. */
typedef int (*web_stats_fn)(void *user, struct sensor_stats *st);

#define WEB_DEFAULT_LISTEN "127.0.0.1:8080"
#define WEB_MAX_PROXIES 16

struct web_cfg {
	const char *listen;		      /* "ADDR:PORT" (default WEB_DEFAULT_LISTEN) */
	const char *db;			      /* SQLite record store */
	const char *store;		      /* local store folder: pcap downloads (NULL: none) */
	const char *auth_token;		      /* Bearer TOKEN, or Basic with TOKEN as password */
	const char *auth_user;		      /* with auth_hash: Basic user:password */
	const char *auth_hash;		      /* crypt(3) hash of the password ($6$, $y$, ...) */
	struct cidr proxies[WEB_MAX_PROXIES]; /* whose proxy_user_header counts */
	int nproxies;
	const char *proxy_user_header; /* e.g. X-Forwarded-User */
	const char *mmdb[4];	       /* MaxMind DBs: country / AS of sources */
	int nmmdb;
	web_stats_fn stats; /* may be NULL */
	void *stats_user;
};

void web_cfg_defaults(struct web_cfg *cfg);

/* Binds and starts serving on the server's own threads.  Returns 0,
 * -EADDRINUSE (port taken), -EACCES (non-loopback without authentication),
 * -EINVAL (bad listen address or options) or another -errno; err says why. */
int web_start(const struct web_cfg *cfg, struct web **out, char *err, size_t errlen);
/* Replaces the counters source (NULL detaches it, e.g. before the sensor is
 * freed); waits for a call in progress to return. */
void web_set_stats(struct web *w, web_stats_fn fn, void *user);
/* The bound port (useful with port 0). */
unsigned web_port(const struct web *w);
/* Ends event streams, stops the threads, frees w.  NULL is fine. */
void web_stop(struct web *w);

#endif
