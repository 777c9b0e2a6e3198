/* Webhook channel: one JSON POST per alert via libcurl.
 * Spec: URL[,FORMAT], FORMAT one of json (default: the alert object as is),
 * slack, mattermost, discord, teams (their incoming-webhook shapes). */
#include "alert/chan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "core/json.h"

struct webhook {
	char *url;
	char format[16];
	unsigned timeout_s;
};

static const char *const formats[] = {"json", "slack", "mattermost", "discord", "teams"};

static bool known_format(const char *f)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(f, formats[i]))
			return true;
	return false;
}

/* Slack and Mattermost read <...> as links and mentions (<!channel>) and &
 * as an entity: attacker-chosen text must not page a whole channel. */
static int chat_text(const struct alert_msg *m, bool slack_escape, size_t max, struct buf *out)
{
	struct buf t = {0};
	int ret = buf_printf(&t, "mitsu %s alert: ", m->kind);

	for (const char *p = m->text; !ret && *p; p++) {
		if (slack_escape && *p == '&')
			ret = buf_puts(&t, "&amp;");
		else if (slack_escape && *p == '<')
			ret = buf_puts(&t, "&lt;");
		else if (slack_escape && *p == '>')
			ret = buf_puts(&t, "&gt;");
		else
			ret = buf_putc(&t, *p);
	}
	if (!ret && t.len > max) /* cut on a UTF-8 boundary */
		for (t.len = max; t.len && (t.p[t.len] & 0xc0) == 0x80; t.len--)
			;
	if (!ret)
		ret = json_str(out, t.p, t.len);
	buf_free(&t);
	return ret;
}

int alert_webhook_body(const char *format, const struct alert_msg *m, struct buf *out)
{
	int ret = 0;

	if (!strcmp(format, "json"))
		return buf_puts(out, m->json);
	if (!strcmp(format, "slack") || !strcmp(format, "mattermost")) {
		ret = buf_puts(out, "{\"username\":\"mitsu\",\"text\":");
		ret = ret ? ret : chat_text(m, true, 3000, out);
		return ret ? ret : buf_putc(out, '}');
	}
	if (!strcmp(format, "discord")) {
		/* no @everyone from attacker bytes: mentions parsed from nothing */
		ret = buf_puts(out, "{\"username\":\"mitsu\",\"allowed_mentions\":{\"parse\":[]},"
				    "\"content\":");
		ret = ret ? ret : chat_text(m, false, 1900, out);
		return ret ? ret : buf_putc(out, '}');
	}
	if (!strcmp(format, "teams")) {
		struct buf title = {0};

		ret = buf_printf(&title, "mitsu %s alert", m->kind);
		ret = ret ? ret
			  : buf_printf(out,
				       "{\"@type\":\"MessageCard\",\"@context\":"
				       "\"https://schema.org/extensions\",\"themeColor\":\"%s\","
				       "\"summary\":",
				       strcmp(m->kind, "summary") ? "D70000" : "808080");
		ret = ret ? ret : json_str(out, title.p, title.len);
		ret = ret ? ret : buf_puts(out, ",\"title\":");
		ret = ret ? ret : json_str(out, title.p, title.len);
		ret = ret ? ret : buf_puts(out, ",\"text\":");
		ret = ret ? ret : chat_text(m, true, 3000, out);
		buf_free(&title);
		return ret ? ret : buf_putc(out, '}');
	}
	return -EINVAL;
}

static int webhook_open(const char *spec, unsigned timeout_s, void **state, char *err,
			size_t errlen)
{
	struct webhook *w = calloc(1, sizeof(*w));
	char *comma;

	if (!w || !(w->url = strdup(spec))) {
		free(w);
		return -ENOMEM;
	}
	snprintf(w->format, sizeof(w->format), "json");
	w->timeout_s = timeout_s;
	comma = strrchr(w->url, ',');
	if (comma && known_format(comma + 1)) {
		snprintf(w->format, sizeof(w->format), "%s", comma + 1);
		*comma = 0;
	}
	if (strncmp(w->url, "http://", 7) && strncmp(w->url, "https://", 8)) {
		snprintf(err, errlen,
			 "webhook: '%s' is not an http:// or https:// URL (formats: json, "
			 "slack, mattermost, discord, teams)",
			 spec);
		free(w->url);
		free(w);
		return -EINVAL;
	}
	*state = w;
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *user)
{
	(void)p, (void)user;
	return size * n;
}

static int webhook_send(void *state, const struct alert_msg *m, char *err, size_t errlen)
{
	struct webhook *w = state;
	struct curl_slist *hdr = NULL;
	struct buf body = {0};
	CURL *c = NULL;
	long code = 0;
	CURLcode rc;
	int ret;

	if ((ret = alert_webhook_body(w->format, m, &body)))
		goto out;
	ret = -ENOMEM;
	if (!(c = curl_easy_init()) ||
	    !(hdr = curl_slist_append(NULL, "Content-Type: application/json")))
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)w->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)w->timeout_s);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mitsu-alert/1");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body.p);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		ret = -EIO;
	} else if (code < 200 || code > 299) {
		snprintf(err, errlen, "HTTP status %ld", code);
		ret = -EIO;
	} else {
		ret = 0;
	}
out:
	curl_slist_free_all(hdr);
	if (c)
		curl_easy_cleanup(c);
	buf_free(&body);
	return ret;
}

static void webhook_close(void *state)
{
	struct webhook *w = state;

	if (w)
		free(w->url);
	free(w);
}

const struct alert_chan_ops alert_ch_webhook = {
    .name = "webhook",
    .open = webhook_open,
    .send = webhook_send,
    .close = webhook_close,
};
