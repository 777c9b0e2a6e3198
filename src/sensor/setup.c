/* Opening and closing the sensor: addresses, capture filter, store, sensor
 * id, firewall, privilege drop.  The per-packet path is in sensor.c. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "sensor/sensor_int.h"

/* Default monitored addresses: the interface's own (link-local excluded). */
static int iface_addrs(struct sensor_cfg *cfg, char *err, size_t errlen)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa)) {
		snprintf(err, errlen, "getifaddrs: %s", strerror(errno));
		return -errno;
	}
	for (i = ifa; i; i = i->ifa_next) {
		struct cidr *c;
		if (!i->ifa_addr || strcmp(i->ifa_name, cfg->iface) || cfg->naddrs == SENSOR_MAX_ADDRS)
			continue;
		c = &cfg->addrs[cfg->naddrs];
		memset(c, 0, sizeof(*c));
		if (i->ifa_addr->sa_family == AF_INET) {
			c->net.family = AF_INET;
			memcpy(c->net.b, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			c->bits = 32;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			c->net.family = AF_INET6;
			memcpy(c->net.b, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			c->bits = 128;
			if (c->net.b[0] == 0xfe && (c->net.b[1] & 0xc0) == 0x80)
				continue;
		} else {
			continue;
		}
		cfg->naddrs++;
	}
	freeifaddrs(ifa);
	if (!cfg->naddrs) {
		snprintf(err, errlen, "%s has no IP address; give --addr CIDR", cfg->iface);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* "net A or net B ..." so the kernel passes only our traffic up; with many
 * prefixes the check stays in user space (monitored()). */
static void build_bpf(const struct sensor_cfg *cfg, struct buf *b)
{
	char a[ADDR_STRLEN];

	if (cfg->naddrs > 64)
		return;
	for (int i = 0; i < cfg->naddrs; i++)
		buf_printf(b, "%snet %s/%u", i ? " or " : "", addr_format(&cfg->addrs[i].net, a),
			   cfg->addrs[i].bits);
}

/* Loopback-bound listeners only matter when a loopback address is watched. */
static bool watches_loopback(const struct sensor_cfg *cfg)
{
	struct ipaddr lo4 = {.family = AF_INET, .b = {127, 0, 0, 1}};
	struct ipaddr lo6 = {.family = AF_INET6, .b = {[15] = 1}};

	for (int i = 0; i < cfg->naddrs; i++) {
		const struct cidr *c = &cfg->addrs[i];

		if ((c->net.family == AF_INET && c->net.b[0] == 127) || cidr_contains(c, &lo4) ||
		    cidr_contains(c, &lo6))
			return true;
	}
	return false;
}

/* The sensor id: given, or a UUID kept in the data folder. */
static void load_sensor_id(struct sensor *s)
{
	const char *root = store_dir_root(s->store);
	char path[4200], id[64] = "";
	uint8_t r[16];
	FILE *f;

	if (s->cfg.sensor_id) {
		snprintf(s->sensor_id, sizeof(s->sensor_id), "%s", s->cfg.sensor_id);
		return;
	}
	if (root) {
		snprintf(path, sizeof(path), "%s/sensor-id", root);
		f = fopen(path, "re");
		if (f) {
			if (fgets(id, sizeof(id), f))
				id[strcspn(id, "\r\n")] = 0;
			fclose(f);
		}
	}
	if (!id[0]) {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			memset(r, 0x5a, sizeof(r));
		r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
		r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
		snprintf(id, sizeof(id),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
			 r[12], r[13], r[14], r[15]);
		if (root && (f = fopen(path, "we"))) {
			fprintf(f, "%s\n", id);
			fclose(f);
		}
	}
	snprintf(s->sensor_id, sizeof(s->sensor_id), "%s", id);
}

static uid_t chown_uid;
static gid_t chown_gid;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	if (lchown(path, chown_uid, chown_gid))
		log_warn("chown %s: %s", path, strerror(errno));
	return 0;
}

/* Drops root for good; the data folder is handed to the user first so
 * that the unprivileged sensor can keep writing to it. */
static int drop_privileges(struct sensor *s, char *err, size_t errlen)
{
	const char *root = store_dir_root(s->store);
	struct passwd *pw;

	if (geteuid() != 0 || !s->cfg.user || !strcmp(s->cfg.user, "root"))
		return 0;
	pw = getpwnam(s->cfg.user);
	if (!pw) {
		snprintf(err, errlen, "--user %s: no such user", s->cfg.user);
		return -ENOENT;
	}
	if (root) {
		chown_uid = pw->pw_uid;
		chown_gid = pw->pw_gid;
		nftw(root, chown_one, 16, FTW_PHYS);
	}
	if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		snprintf(err, errlen, "dropping privileges to %s: %s", s->cfg.user, strerror(errno));
		return -EPERM;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "dropping privileges to %s did not stick", s->cfg.user);
		return -EPERM;
	}
	if (root && access(root, W_OK | X_OK)) {
		snprintf(err, errlen,
			 "store %s is not writable by --user %s (check the parent folders' "
			 "permissions, or choose another --store or --user)",
			 root, s->cfg.user);
		return -EACCES;
	}
	log_info("running as %s (uid %u)", s->cfg.user, (unsigned)pw->pw_uid);
	return 0;
}

static int open_capture(struct sensor *s, char *err, size_t errlen)
{
	struct buf bpf = {0};
	int ret;

	build_bpf(&s->cfg, &bpf);
	if (s->cfg.read_file) {
		ret = capture_open_file(s->cfg.read_file, s->cfg.tx_out, NULL, &s->cap, err, errlen);
	} else {
		struct capture_live_cfg lc = {
			.iface = s->cfg.iface, .bpf = buf_cstr(&bpf), .promisc = s->cfg.promisc};
		ret = capture_open_live(&lc, &s->cap, err, errlen);
	}
	buf_free(&bpf);
	if (ret)
		return ret;
	if (!decode_link_supported(s->cap->dlt)) {
		snprintf(err, errlen, "link type %d is not supported (Ethernet and raw IP are)",
			 s->cap->dlt);
		return -EPROTONOSUPPORT;
	}
	if (!s->cap->offline && s->cfg.respond && s->cap->dlt != DECODE_DLT_EN10MB &&
	    s->cap->dlt != DECODE_DLT_RAW && s->cap->dlt != DECODE_LINKTYPE_RAW) {
		snprintf(err, errlen, "cannot answer on link type %d; use an Ethernet or tunnel "
				      "interface (not 'any'), or --no-respond",
			 s->cap->dlt);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

static int open_parts(struct sensor *s, char *err, size_t errlen)
{
	struct flowtab_cfg fc = {
		.max_flows = s->cfg.max_flows,
		.max_flow_packets = s->cfg.max_flow_packets,
		.max_flow_bytes = s->cfg.max_flow_bytes,
		.idle_us = (uint64_t)s->cfg.idle_s * 1000000,
		.max_life_us = (uint64_t)s->cfg.max_life_s * 1000000,
	};
	int ret;

	ret = arena_init(&s->arena, s->cfg.mem_budget);
	if (ret) {
		snprintf(err, errlen, "--mem-budget %llu: cannot allocate the packet arena",
			 (unsigned long long)s->cfg.mem_budget);
		return ret;
	}
	ret = flowtab_init(&s->ft, &fc, &s->arena, emit_flow_cb, s);
	if (!ret)
		ret = responder_init(&s->resp, NULL);
	if (!ret)
		ret = ratelimit_init(&s->rl, 65536, s->cfg.rate, s->cfg.burst, s->cfg.global_rate,
				     s->cfg.global_burst);
	s->frags = calloc(FRAG_SLOTS, sizeof(*s->frags));
	if (!ret && (!s->frags || getrandom(&s->frag_key, sizeof(s->frag_key), 0) < 0))
		ret = -ENOMEM;
	if (ret)
		snprintf(err, errlen, "sensor tables: %s", strerror(-ret));
	return ret;
}

/* Before the privilege drop: the token database stays writable through
 * the connection opened now. */
static int open_bait(struct sensor *s, char *err, size_t errlen)
{
	char path[4096];

	if (!s->cfg.nbait || !s->cfg.respond)
		return 0;
	snprintf(path, sizeof(path), "%s/mitsu.db", s->cfg.store);
	return bait_open(&s->bait, s->cfg.bait, s->cfg.nbait, s->cfg.bait_db ? s->cfg.bait_db : path,
			 err, errlen);
}

static int start_writer(struct sensor *s)
{
	struct writer_cfg wc = {
		.linktype = s->cap->dlt,
		.sensor_id = s->sensor_id,
		.one_file_per_flow = s->cfg.one_file_per_flow,
		.scans_rotate_s = s->cfg.scans_rotate_s,
		.scans_rotate_bytes = s->cfg.scans_rotate_bytes,
	};

	/* DLT_RAW is 12 or 14 depending on the OS; in a file it is LINKTYPE_RAW. */
	if (wc.linktype == DECODE_DLT_RAW || wc.linktype == DECODE_DLT_RAW_ALT)
		wc.linktype = DECODE_LINKTYPE_RAW;
	return writer_start(&s->writer, &wc, s->store, s->bus, &s->arena);
}

int sensor_open(struct sensor **out, const struct sensor_cfg *cfg, struct bus *bus, char *err,
		size_t errlen)
{
	struct sensor *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->bus = bus;
	if (!s->cfg.naddrs && s->cfg.read_file) {
		snprintf(err, errlen, "-r needs --addr: which addresses were the sensor's?");
		ret = -EINVAL;
		goto out;
	}
	if (!s->cfg.naddrs && (ret = iface_addrs(&s->cfg, err, errlen)))
		goto out;
	if ((ret = store_open_opts(s->cfg.store, &s->cfg.store_opts, &s->store, err, errlen)))
		goto out;
	load_sensor_id(s);
	if ((ret = open_capture(s, err, errlen)) || (ret = open_parts(s, err, errlen)) ||
	    (ret = open_bait(s, err, errlen)))
		goto out;
	if (!s->cap->offline) {
		s->listeners_skip_loopback = !watches_loopback(&s->cfg);
		listeners_scan(&s->listening, s->listeners_skip_loopback);
		if (s->cfg.firewall) {
			struct portset keep = s->listening;
			for (int i = 0; i < 65536 / 64; i++)
				keep.bits[i] |= s->cfg.exclude.bits[i];
			if ((ret = firewall_install(&s->fw, s->cfg.addrs, s->cfg.naddrs, &keep, err,
						    errlen)))
				goto out;
			s->fw_on = true;
		}
		if ((ret = drop_privileges(s, err, errlen)))
			goto out;
	}
	if ((ret = start_writer(s))) {
		snprintf(err, errlen, "writer thread: %s", strerror(-ret));
		goto out;
	}
	s->last_stats_us = s->last_rescan_us = s->last_sweep_us = s->now_us =
		s->cap->offline ? 0 : wall_now_us();
	*out = s;
	return 0;
out:
	sensor_close(s);
	return ret;
}

/* Ends every open flow and waits until the writer has written them all. */
static void stop_writer(struct sensor *s)
{
	if (!s->writer)
		return;
	flowtab_flush_all(&s->ft, FLOW_END_SHUTDOWN);
	writer_flush_batch(s);
	writer_stop(s->writer, &s->wst_final);
	s->writer = NULL;
}

void sensor_close(struct sensor *s)
{
	if (!s)
		return;
	stop_writer(s);
	if (s->fw_on)
		firewall_remove(&s->fw);
	if (s->cap)
		s->cap->ops->close(s->cap);
	bait_close(s->bait);
	flowtab_destroy(&s->ft);
	ratelimit_destroy(&s->rl);
	arena_destroy(&s->arena);
	store_close(s->store);
	free(s->frags);
	free(s);
}

void sensor_close_and_report(struct sensor *s)
{
	stop_writer(s);
	sensor_log_stats(s, "exit");
	sensor_close(s);
}
