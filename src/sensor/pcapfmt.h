/* The classic pcap file format (microsecond timestamps, magic a1b2c3d4):
 * a 24-byte file header, then per packet a 16-byte record header and the
 * bytes.  The flow table stores packets directly as pcap records, so that
 * writing a flow is one header plus a copy of its arena chain. */
#ifndef MITSU_PCAPFMT_H
#define MITSU_PCAPFMT_H
#include <stdint.h>

#define PCAPFMT_FILE_HDR_LEN 24
#define PCAPFMT_REC_HDR_LEN 16

void pcapfmt_file_header(uint8_t out[PCAPFMT_FILE_HDR_LEN], uint32_t linktype, uint32_t snaplen);
/* ts_us: microseconds since the epoch. */
void pcapfmt_record_header(uint8_t out[PCAPFMT_REC_HDR_LEN], uint64_t ts_us, uint32_t caplen,
			   uint32_t origlen);

#endif
