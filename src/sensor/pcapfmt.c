#include "sensor/pcapfmt.h"

#include <string.h>

/* pcap is written in the writer's byte order; readers detect it from the
 * magic.  We write little-endian explicitly so files are identical on
 * every host (tests compare them byte for byte). */
static void wr32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void wr16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

void pcapfmt_file_header(uint8_t out[PCAPFMT_FILE_HDR_LEN], uint32_t linktype, uint32_t snaplen)
{
	wr32le(out, 0xa1b2c3d4);
	wr16le(out + 4, 2);
	wr16le(out + 6, 4);
	wr32le(out + 8, 0);  /* thiszone */
	wr32le(out + 12, 0); /* sigfigs */
	wr32le(out + 16, snaplen);
	wr32le(out + 20, linktype);
}

void pcapfmt_record_header(uint8_t out[PCAPFMT_REC_HDR_LEN], uint64_t ts_us, uint32_t caplen,
			   uint32_t origlen)
{
	wr32le(out, (uint32_t)(ts_us / 1000000));
	wr32le(out + 4, (uint32_t)(ts_us % 1000000));
	wr32le(out + 8, caplen);
	wr32le(out + 12, origlen);
}
