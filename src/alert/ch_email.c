/* Email channel: one message per alert over SMTP with libcurl.
 * Spec: smtp://HOST[:PORT] or smtps://HOST[:PORT] (implicit TLS), then
 * ",from=ADDR,to=ADDR[,to=ADDR...]" and optionally ",starttls" (require
 * STARTTLS on smtp://), ",user=NAME", ",password=PW" or
 * ",password-file=PATH" (first line), ",insecure" (skip certificate checks,
 * for a test relay only). */
#include "alert/chan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "core/b64.h"
#include "core/buf.h"

#define EMAIL_MAX_RCPT 8

struct email {
	char *url, *from, *user, *password;
	char *to[EMAIL_MAX_RCPT];
	int nto;
	bool starttls, insecure;
	unsigned timeout_s;
};

static void email_close(void *state)
{
	struct email *e = state;

	if (!e)
		return;
	free(e->url), free(e->from), free(e->user);
	if (e->password)
		explicit_bzero(e->password, strlen(e->password));
	free(e->password);
	for (int i = 0; i < e->nto; i++)
		free(e->to[i]);
	free(e);
}

static char *read_first_line(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");
	char *r = NULL;

	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		r = strdup(line);
	}
	if (f)
		fclose(f);
	explicit_bzero(line, sizeof(line));
	return r;
}

/* Addresses go into headers and SMTP commands: no CR, LF, <, > or spaces. */
static bool addr_ok(const char *a)
{
	return *a && strchr(a, '@') && !strpbrk(a, "\r\n<> \t,;\"");
}

static int email_opt(struct email *e, char *o)
{
	char *v = strchr(o, '=');

	if (v)
		*v++ = 0;
	if (!strcmp(o, "starttls") && !v)
		e->starttls = true;
	else if (!strcmp(o, "insecure") && !v)
		e->insecure = true;
	else if (!v)
		return -EINVAL;
	else if (!strcmp(o, "from") && !e->from && addr_ok(v))
		e->from = strdup(v);
	else if (!strcmp(o, "to") && e->nto < EMAIL_MAX_RCPT && addr_ok(v))
		e->to[e->nto++] = strdup(v);
	else if (!strcmp(o, "user") && !e->user)
		e->user = strdup(v);
	else if (!strcmp(o, "password") && !e->password)
		e->password = strdup(v);
	else if (!strcmp(o, "password-file") && !e->password)
		return (e->password = read_first_line(v)) ? 0 : -ENOENT;
	else
		return -EINVAL;
	return 0;
}

static int email_open(const char *spec, unsigned timeout_s, void **state, char *err, size_t errlen)
{
	struct email *e = calloc(1, sizeof(*e));
	char *copy = strdup(spec), *o, *save = NULL;
	int ret = -EINVAL;

	if (!e || !copy) {
		ret = -ENOMEM;
		goto fail;
	}
	e->timeout_s = timeout_s;
	o = strtok_r(copy, ",", &save);
	if (!o || (strncmp(o, "smtp://", 7) && strncmp(o, "smtps://", 8)) || !(e->url = strdup(o)))
		goto bad;
	while ((o = strtok_r(NULL, ",", &save)))
		if ((ret = email_opt(e, o)))
			goto bad;
	if (!e->from || !e->nto)
		goto bad;
	free(copy);
	*state = e;
	return 0;
bad:
	snprintf(err, errlen,
		 "email: bad spec (smtp[s]://HOST[:PORT],from=ADDR,to=ADDR[,starttls]"
		 "[,user=U,password=P|password-file=F][,insecure])");
	ret = -EINVAL;
fail:
	if (copy)
		explicit_bzero(copy, strlen(copy));
	free(copy);
	email_close(e);
	return ret;
}

struct upload {
	const struct buf *b;
	size_t off;
};

static size_t reader(char *p, size_t size, size_t n, void *user)
{
	struct upload *u = user;
	size_t k = u->b->len - u->off;

	if (k > size * n)
		k = size * n;
	memcpy(p, u->b->p + u->off, k);
	u->off += k;
	return k;
}

/* Headers (the subject stripped of control characters) and a base64 body:
 * alert JSON lines can exceed SMTP's 998-byte line limit. */
static int build_message(const struct email *e, const struct alert_msg *m, struct buf *out)
{
	struct buf body = {0}, enc = {0};
	char date[64], host[128] = "localhost";
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	gethostname(host, sizeof(host) - 1);
	ret = buf_printf(out, "Date: %s\r\nFrom: mitsu <%s>\r\nTo: %s", date, e->from, e->to[0]);
	for (int i = 1; !ret && i < e->nto; i++)
		ret = buf_printf(out, ", %s", e->to[i]);
	ret = ret ? ret
		  : buf_printf(out,
			       "\r\nMessage-ID: <%lld.%d.%u@%.100s>\r\nSubject: mitsu %s alert: ",
			       (long long)now, (int)getpid(), (unsigned)rand(), host, m->kind);
	for (size_t i = 0; !ret && m->text[i] && i < 150; i++)
		ret = buf_putc(
		    out, (unsigned char)m->text[i] < 0x20 || m->text[i] == 0x7f ? ' ' : m->text[i]);
	ret = ret ? ret
		  : buf_puts(out, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
				  "charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	ret = ret ? ret : buf_printf(&body, "%s\n\n%s\n", m->text, m->json);
	ret = ret ? ret : b64_encode(&enc, body.p, body.len);
	for (size_t i = 0; !ret && i < enc.len; i += 76) {
		ret = buf_append(out, enc.p + i, enc.len - i < 76 ? enc.len - i : 76);
		ret = ret ? ret : buf_puts(out, "\r\n");
	}
	buf_free(&body);
	buf_free(&enc);
	return ret;
}

static int email_send(void *state, const struct alert_msg *m, char *err, size_t errlen)
{
	struct email *e = state;
	struct curl_slist *rcpt = NULL;
	struct buf msg = {0};
	struct upload up = {&msg, 0};
	CURL *c = NULL;
	CURLcode rc;
	int ret;

	if ((ret = build_message(e, m, &msg)))
		goto out;
	ret = -ENOMEM;
	for (int i = 0; i < e->nto; i++)
		if (!(rcpt = curl_slist_append(rcpt, e->to[i])))
			goto out;
	if (!(c = curl_easy_init()))
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, e->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)e->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)e->timeout_s);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, e->from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, reader);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)msg.len);
	if (e->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (e->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (e->user)
		curl_easy_setopt(c, CURLOPT_USERNAME, e->user);
	if (e->password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, e->password);
	rc = curl_easy_perform(c);
	ret = 0;
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		ret = -EIO;
	}
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	buf_free(&msg);
	return ret;
}

const struct alert_chan_ops alert_ch_email = {
    .name = "email",
    .open = email_open,
    .send = email_send,
    .close = email_close,
};
