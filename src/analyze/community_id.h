/* Community ID v1 flow hash (https://github.com/corelight/community-id-spec),
 * so records join with Zeek, Suricata and Arkime data. */
#ifndef MITSU_COMMUNITY_ID_H
#define MITSU_COMMUNITY_ID_H
#include <stdint.h>

#include "core/addr.h"

#define COMMUNITY_ID_LEN 32 /* "1:" + 28 base64 chars + NUL fits */

/* For ICMP/ICMPv6 pass the type as sport and the code as dport. */
void community_id_v1(uint16_t seed, const struct ipaddr *src, const struct ipaddr *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN]);

#endif
