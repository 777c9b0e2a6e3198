/* Shared harness for the dissector unit tests (test_proto_*.c): a record
 * built from exact-size copies (so ASan sees any overread), checks on its
 * JSON member and credentials, and a torture loop over prefixes and bit
 * flips.  Include once per test file, after t.h. */
#ifndef MITSU_PROTO_T_H
#define MITSU_PROTO_T_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/record.h"
#include "proto/proto.h"
#include "proto/registry.h"
#include "t.h"

static struct record rec;

/* A fresh record holding exact-size copies (so ASan sees any overread). */
static void mk(const void *c, size_t cl, const void *s, size_t sl, uint8_t l4)
{
	record_free(&rec);
	record_init(&rec);
	rec.proto = l4;
	if (cl) {
		rec.payload = malloc(cl);
		memcpy(rec.payload, c, cl);
		rec.payload_len = cl;
	}
	if (sl) {
		rec.server_payload = malloc(sl);
		memcpy(rec.server_payload, s, sl);
		rec.server_payload_len = sl;
	}
}

#define MK(c, s) mk(c, sizeof(c) - 1, s, sizeof(s) - 1, 6)

static const char *ex(void)
{
	return rec.extra.len ? buf_cstr(&rec.extra) : "";
}

static int has(const char *needle)
{
	int ok = strstr(ex(), needle) != NULL;
	if (!ok)
		printf("#   %s not in %s\n", needle, ex());
	return ok;
}

static const char *run(void)
{
	const struct proto_dissector *d = proto_dissect(&rec);
	return d ? d->name : "none";
}

static int cred(unsigned i, const char *proto, const char *user, const char *pass)
{
	int ok = i < rec.ncreds && !strcmp(rec.creds[i].proto, proto) &&
		 !strcmp(rec.creds[i].user, user) && !strcmp(rec.creds[i].pass, pass);
	if (!ok)
		printf("#   cred %u: got %s %s/%s of %u\n", i,
		       i < rec.ncreds ? rec.creds[i].proto : "-",
		       i < rec.ncreds ? rec.creds[i].user : "-",
		       i < rec.ncreds ? rec.creds[i].pass : "-", rec.ncreds);
	return ok;
}

/* Every prefix of the sample, as client and as server bytes, plus bit
 * flips: detect and dissect must survive all of them (ASan checks). */
static void torture(const struct proto_dissector *d, const uint8_t *p, size_t n)
{
	uint8_t *m = malloc(n ? n : 1);
	unsigned seed = 12345;

	for (size_t k = 0; k <= n; k++) {
		mk(p, k, p, n - k, 6);
		d->detect(&rec);
		d->dissect(&rec);
		mk(NULL, 0, p, k, 6);
		d->detect(&rec);
		d->dissect(&rec);
	}
	for (int round = 0; round < 200 && n; round++) {
		memcpy(m, p, n);
		for (int f = 0; f < 4; f++) {
			seed = seed * 1103515245u + 12345u;
			m[(seed >> 8) % n] ^= (uint8_t)(1u << ((seed >> 4) & 7));
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 3 == 0)
				m[(seed >> 8) % n] = (uint8_t)(seed >> 24 & 1 ? 0xff : 0x00);
		}
		mk(m, n, m, n, 6);
		d->detect(&rec);
		d->dissect(&rec);
	}
	free(m);
}

#endif
