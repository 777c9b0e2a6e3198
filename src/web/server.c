/* The dashboard's HTTP server: libmicrohttpd with a thread per connection
 * (a request opens SQLite on its own thread; an event stream sleeps on its
 * own), authentication, routing, and the security headers every response
 * carries. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "web/geo.h"
#include "web/internal.h"
#include "web/params.h"

/* No inline script or style anywhere, nothing from another origin, never
 * framed: an attacker's bytes that slip into markup still cannot run. */
#define WEB_CSP                                                                                    \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                \
	"form-action 'self'; frame-ancestors 'none'"

void web_cfg_defaults(struct web_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = WEB_DEFAULT_LISTEN;
}

static void web_headers(struct MHD_Response *resp, const char *ctype)
{
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=()");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (ctype)
		MHD_add_response_header(resp, "Content-Type", ctype);
}

/* Peer address as struct ipaddr; false for other families. */
static bool web_peer(struct MHD_Connection *c, struct ipaddr *a)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(a, 0, sizeof(*a));
	if (sa && sa->sa_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa && sa->sa_family == AF_INET6) {
		a->family = AF_INET6;
		memcpy(a->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* The proxy's user header, only when the peer is a configured proxy. */
static bool web_proxy_ok(struct web *w, struct MHD_Connection *c)
{
	struct ipaddr a;
	const char *u;

	if (!w->cfg.nproxies || !w->proxy_header || !web_peer(c, &a))
		return false;
	for (int i = 0; i < w->cfg.nproxies; i++) {
		if (!cidr_contains(&w->cfg.proxies[i], &a))
			continue;
		u = MHD_lookup_connection_value(c, MHD_HEADER_KIND, w->proxy_header);
		return u && *u;
	}
	return false;
}

static bool web_password_ok(struct web *w, const char *user, const char *pass)
{
	struct crypt_data *cd;
	const char *h;
	bool ok = false;

	if (w->token)
		return web_const_eq(pass, strlen(pass), w->token, strlen(w->token));
	if (!w->user || !w->hash || !web_const_eq(user, strlen(user), w->user, strlen(w->user)))
		return false;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	h = crypt_r(pass, w->hash, cd);
	ok = h && *h != '*' && web_const_eq(h, strlen(h), w->hash, strlen(w->hash));
	free(cd);
	return ok;
}

/* 0: let in; 401: ask for credentials; 421: wrong Host for a loopback
 * dashboard without authentication (DNS rebinding). */
static int web_check_auth(struct web *w, struct MHD_Connection *c)
{
	const char *hdr, *tok;
	char user[256], pass[256];
	size_t toklen;

	if (!w->auth)
		return web_host_is_loopback(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"))
			   ? 0
			   : 421;
	if (web_proxy_ok(w, c))
		return 0;
	hdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (w->token && !web_parse_bearer(hdr, &tok, &toklen) &&
	    web_const_eq(tok, toklen, w->token, strlen(w->token)))
		return 0;
	if (!web_parse_basic(hdr, user, sizeof(user), pass, sizeof(pass)) &&
	    web_password_ok(w, user, pass))
		return 0;
	return 401;
}

static const struct web_asset *web_find_asset(const char *url)
{
	if (!strcmp(url, "/"))
		url = "/index.html";
	for (const struct web_asset *a = web_assets; a->path; a++)
		if (!strcmp(a->path, url))
			return a;
	return NULL;
}

/* /api/... and the rest; fills r. */
static void web_route(struct web *w, struct MHD_Connection *c, const char *url, struct web_reply *r)
{
	const struct web_asset *a;

	if (!strcmp(url, "/api/sessions"))
		web_api_sessions(w, c, r);
	else if (!strncmp(url, "/api/session/", 13))
		web_api_session(w, url + 13, r);
	else if (!strcmp(url, "/api/stats"))
		web_api_stats(w, r);
	else if (!strcmp(url, "/api/ports"))
		web_api_ports(w, r);
	else if (!strcmp(url, "/api/alerts"))
		web_api_alerts(w, c, r);
	else if (!strcmp(url, "/api/tokens"))
		web_api_tokens(w, r);
	else if (!strcmp(url, "/api/pcap"))
		web_api_pcap(w, c, r);
	else if (!strcmp(url, "/api/events"))
		r->sse = true;
	else if (!strcmp(url, "/metrics"))
		web_api_metrics(w, r);
	else if (!strcmp(url, "/healthz"))
		web_api_health(w, r);
	else if ((a = web_find_asset(url))) {
		r->status = 200;
		r->ctype = a->ctype;
		buf_append(&r->body, a->data, a->len);
	} else
		web_error(r, 404, "not found");
}

/* ---- server-sent events: the newest flow and alert ids, once a second ---- */

struct web_sse {
	struct web *w;
	sqlite3 *db;
	long long flows, alerts;
	unsigned idle;
	bool started;
};

static int web_sse_event(struct web_sse *s, char *buf, size_t max)
{
	long long f, a;
	int n;

	web_db_deadline(WEB_QUERY_SECONDS);
	f = web_db_max_id(s->db, "flows");
	a = web_db_max_id(s->db, "alerts");
	if (!s->started) {
		s->started = true;
		s->flows = f;
		s->alerts = a;
		return snprintf(
		    buf, max,
		    "retry: 3000\nevent: hello\ndata: {\"flows\":%lld,\"alerts\":%lld}\n\n", f, a);
	}
	if (f == s->flows && a == s->alerts)
		return 0;
	n = snprintf(buf, max,
		     "event: update\ndata: "
		     "{\"flows\":%lld,\"alerts\":%lld,\"new_flows\":%lld,\"new_alerts\":%lld}\n\n",
		     f, a, f > s->flows ? f - s->flows : 0, a > s->alerts ? a - s->alerts : 0);
	s->flows = f;
	s->alerts = a;
	return n;
}

static ssize_t web_sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_sse *s = cls;
	int n;

	(void)pos;
	if (max < 256)
		return 0;
	for (;;) {
		if (atomic_load(&s->w->stopping))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (s->started) {
			for (int i = 0; i < 4 && !atomic_load(&s->w->stopping); i++)
				usleep(250 * 1000);
			if (atomic_load(&s->w->stopping))
				return MHD_CONTENT_READER_END_OF_STREAM;
		}
		n = web_sse_event(s, buf, max);
		if (n > 0 && (size_t)n < max) {
			s->idle = 0;
			return n;
		}
		if (++s->idle >= 10) { /* a comment keeps proxies and timeouts happy */
			s->idle = 0;
			memcpy(buf, ": ping\n\n", 8);
			return 8;
		}
	}
}

static void web_sse_free(void *cls)
{
	struct web_sse *s = cls;

	atomic_fetch_sub(&s->w->sse_clients, 1);
	sqlite3_close(s->db);
	free(s);
}

static struct MHD_Response *web_sse_response(struct web *w, struct web_reply *r)
{
	struct web_sse *s = calloc(1, sizeof(*s));
	struct MHD_Response *resp;

	if (!s) {
		web_error(r, 500, "out of memory");
		return NULL;
	}
	s->w = w;
	if (web_db_open(w, &s->db, r)) {
		free(s);
		return NULL;
	}
	atomic_fetch_add(&w->sse_clients, 1);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, web_sse_read, s,
						 web_sse_free);
	if (!resp) {
		web_sse_free(s);
		web_error(r, 500, "out of memory");
		return NULL;
	}
	r->status = 200;
	return resp;
}

/* ---- replies ---- */

static struct MHD_Response *web_make_response(struct web *w, struct web_reply *r)
{
	struct MHD_Response *resp;
	char disp[192];

	if (r->sse && (resp = web_sse_response(w, r))) {
		web_headers(resp, "text/event-stream; charset=utf-8");
		MHD_add_response_header(resp, "X-Accel-Buffering", "no");
		return resp;
	}
	if (r->fd >= 0) {
		resp = MHD_create_response_from_fd64(r->fdsize, r->fd);
		if (!resp) {
			close(r->fd);
			r->fd = -1;
			return NULL;
		}
		r->fd = -1;
		web_headers(resp, r->ctype);
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", r->filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
		return resp;
	}
	resp = MHD_create_response_from_buffer(r->body.len, r->body.p ? r->body.p : (void *)"",
					       MHD_RESPMEM_MUST_COPY);
	if (resp)
		web_headers(resp, r->ctype ? r->ctype : "application/json; charset=utf-8");
	return resp;
}

static enum MHD_Result web_send(struct web *w, struct MHD_Connection *c, struct web_reply *r)
{
	struct MHD_Response *resp = web_make_response(w, r);
	enum MHD_Result ret;

	if (r->fd >= 0)
		close(r->fd);
	buf_free(&r->body);
	if (!resp)
		return MHD_NO;
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate",
					"Basic realm=\"mitsu\", charset=\"UTF-8\"");
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	if (r->status >= 500)
		atomic_fetch_add(&w->errors, 1);
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result web_handle(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static int first_call;
	struct web *w = cls;
	struct web_reply r = {.status = 200, .fd = -1};
	int auth;

	(void)version;
	(void)upload;
	if (!*con_cls) { /* headers only so far */
		*con_cls = &first_call;
		return MHD_YES;
	}
	if (*upload_size) { /* a body we do not want: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&w->requests, 1);
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		web_error(&r, 405, "read-only: only GET and HEAD");
		return web_send(w, c, &r);
	}
	auth = web_check_auth(w, c);
	if (auth) {
		atomic_fetch_add(&w->unauthorized, 1);
		web_error(&r, auth,
			  auth == 401 ? "authentication required"
				      : "this dashboard answers only to a loopback Host");
		return web_send(w, c, &r);
	}
	web_route(w, c, url, &r);
	return web_send(w, c, &r);
}

/* Binds ourselves so that "port taken" is a clear -EADDRINUSE. */
static int web_listen(const struct web_cfg *cfg, int *fdp, unsigned *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, ret;

	if (web_parse_listen(cfg->listen, &ss, &len)) {
		snprintf(err, errlen, "--listen %s: expected ADDR:PORT or [IPV6]:PORT",
			 cfg->listen);
		return -EINVAL;
	}
	if (!web_sockaddr_is_loopback((struct sockaddr *)&ss) && !cfg->auth_token &&
	    !(cfg->auth_user && cfg->auth_hash) && !(cfg->nproxies && cfg->proxy_user_header)) {
		snprintf(err, errlen,
			 "refusing to serve %s without authentication: a non-loopback address "
			 "needs --auth TOKEN, --auth-user/--auth-hash or --trust-proxy with "
			 "--proxy-user-header",
			 cfg->listen);
		return -EACCES;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64))
		goto fail;
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	*fdp = fd;
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s", cfg->listen, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static char *web_dup(const char *s, bool *nomem)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*nomem = true;
	return d;
}

static int web_copy_cfg(struct web *w, const struct web_cfg *cfg)
{
	bool nomem = false;

	w->cfg = *cfg;
	w->db = web_dup(cfg->db, &nomem);
	w->store = web_dup(cfg->store, &nomem);
	w->token = web_dup(cfg->auth_token, &nomem);
	w->user = web_dup(cfg->auth_user, &nomem);
	w->hash = web_dup(cfg->auth_hash, &nomem);
	w->proxy_header = web_dup(cfg->proxy_user_header, &nomem);
	w->auth = w->token || (w->user && w->hash) || (cfg->nproxies && w->proxy_header);
	w->stats = cfg->stats;
	w->stats_user = cfg->stats_user;
	return nomem ? -ENOMEM : 0;
}

static void web_free(struct web *w)
{
	if (!w)
		return;
	free(w->db);
	free(w->store);
	free(w->token);
	free(w->user);
	free(w->hash);
	free(w->proxy_header);
	web_geo_close(w->geo);
	for (int i = 0; i < WEB_NCACHE; i++)
		buf_free(&w->cache[i].body);
	pthread_mutex_destroy(&w->cache_mu);
	pthread_mutex_destroy(&w->stats_mu);
	free(w);
}

int web_start(const struct web_cfg *cfg, struct web **out, char *err, size_t errlen)
{
	struct web *w;
	int fd = -1, ret;

	*out = NULL;
	if (!cfg->db) {
		snprintf(err, errlen, "no database given");
		return -EINVAL;
	}
	if (cfg->auth_hash && (!cfg->auth_user || cfg->auth_hash[0] != '$')) {
		snprintf(err, errlen,
			 "--auth-hash needs --auth-user and a crypt(3) hash "
			 "such as 'openssl passwd -6' or 'mkpasswd' prints");
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&w->stats_mu, NULL);
	pthread_mutex_init(&w->cache_mu, NULL);
	if ((ret = web_copy_cfg(w, cfg))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cfg->nmmdb && (ret = web_geo_open(&w->geo, cfg->mmdb, cfg->nmmdb, err, errlen)))
		goto fail;
	if ((ret = web_listen(cfg, &fd, &w->port, err, errlen)))
		goto fail;
	w->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC, 0, NULL,
	    NULL, web_handle, w, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 64u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_END);
	if (!w->d) {
		close(fd);
		snprintf(err, errlen, "cannot start the HTTP server on %s", cfg->listen);
		ret = -EIO;
		goto fail;
	}
	*out = w;
	return 0;
fail:
	web_free(w);
	return ret;
}

void web_set_stats(struct web *w, web_stats_fn fn, void *user)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->stats_mu);
	w->stats = fn;
	w->stats_user = user;
	pthread_mutex_unlock(&w->stats_mu);
}

unsigned web_port(const struct web *w)
{
	return w ? w->port : 0;
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, 1);
	MHD_stop_daemon(w->d);
	web_free(w);
}
