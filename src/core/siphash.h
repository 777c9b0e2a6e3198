/* SipHash-2-4 (Aumasson & Bernstein), 64-bit output.  Written by hand
 * because it runs once per received SYN and libcrypto's EVP_MAC interface
 * costs an allocation and a context per call. */
#ifndef MITSU_SIPHASH_H
#define MITSU_SIPHASH_H
#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

#endif
