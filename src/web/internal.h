/* Private to src/web/: the server state and the handlers' reply. */
#ifndef MITSU_WEB_INTERNAL_H
#define MITSU_WEB_INTERNAL_H
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "core/buf.h"
#include "web/web.h"

struct MHD_Connection;
struct MHD_Daemon;

/* A whole-table aggregate (stats, ports) costs a full scan: kept a while. */
enum { WEB_CACHE_STATS, WEB_CACHE_PORTS, WEB_NCACHE };
struct web_cache {
	struct buf body;
	long long max_id; /* flows' max(id) when computed */
	double t;	  /* monotonic seconds */
};

struct web {
	struct MHD_Daemon *d;
	struct web_cfg cfg; /* strings below are our own copies */
	char *db, *store, *token, *user, *hash, *proxy_header;
	bool auth;	     /* any authentication configured */
	struct web_geo *geo; /* NULL without --mmdb */
	unsigned port;
	pthread_mutex_t stats_mu;
	web_stats_fn stats;
	void *stats_user;
	atomic_int stopping;
	pthread_mutex_t cache_mu;
	struct web_cache cache[WEB_NCACHE];
	atomic_ullong requests, unauthorized, errors, sse_clients;
};

/* What a handler answers: a body (JSON by default) or an open file. */
struct web_reply {
	int status;
	const char *ctype;
	struct buf body;
	int fd; /* >= 0: send this file instead of body */
	uint64_t fdsize;
	char filename[128]; /* Content-Disposition: attachment */
	bool sse;	    /* /api/events: the handler set up nothing; server streams */
};

/* api.c: the JSON endpoints.  arg(c, name) looks a query parameter up. */
const char *web_arg(struct MHD_Connection *c, const char *name);
void web_api_sessions(struct web *w, struct MHD_Connection *c, struct web_reply *r);
void web_api_session(struct web *w, const char *id, struct web_reply *r);
void web_api_stats(struct web *w, struct web_reply *r);
void web_api_ports(struct web *w, struct web_reply *r);
void web_api_alerts(struct web *w, struct MHD_Connection *c, struct web_reply *r);
void web_api_tokens(struct web *w, struct web_reply *r);
void web_api_metrics(struct web *w, struct web_reply *r);
void web_api_health(struct web *w, struct web_reply *r);
void web_api_pcap(struct web *w, struct MHD_Connection *c, struct web_reply *r);
/* Writes {"error": msg} with status. */
void web_error(struct web_reply *r, int status, const char *msg);

/* Opens the database read-only with REGEXP.  Returns 0, or -errno with the
 * reply already set to an error. */
int web_db_open(struct web *w, sqlite3 **db, struct web_reply *r);
/* Statements on this thread's connections are interrupted after seconds
 * from now (web_db_open sets WEB_QUERY_SECONDS). */
#define WEB_QUERY_SECONDS 15.0
void web_db_deadline(double seconds);
/* max(id) of table, 0 if empty or missing. */
long long web_db_max_id(sqlite3 *db, const char *table);

/* assets: the embedded UI (generated from web/ by tools/embed.sh). */
struct web_asset {
	const char *path; /* "/index.html" */
	const char *ctype;
	const unsigned char *data;
	size_t len;
};
extern const struct web_asset web_assets[]; /* ends with a NULL path */

#endif
