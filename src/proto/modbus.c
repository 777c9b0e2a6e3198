/* Modbus/TCP: each request is an MBAP header (transaction id, protocol id
 * 0, length of what follows, unit id) and a PDU starting with a function
 * code.  We list the units and function codes asked for, the Read Device
 * Identification request (0x2B/0x0E) that scanners use to name a PLC, and
 * the objects a real device answered with. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define MB_MBAP 7
#define MB_MAX_FRAMES 64
#define MB_MAX_UNITS 8
#define MB_MAX_FUNCS 16
#define MB_STR_CAP 128

static uint16_t mb_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const char *mb_func_name(uint8_t f)
{
	switch (f) {
	case 1:
		return "read_coils";
	case 2:
		return "read_discrete_inputs";
	case 3:
		return "read_holding_registers";
	case 4:
		return "read_input_registers";
	case 5:
		return "write_single_coil";
	case 6:
		return "write_single_register";
	case 7:
		return "read_exception_status";
	case 8:
		return "diagnostics";
	case 11:
		return "get_comm_event_counter";
	case 12:
		return "get_comm_event_log";
	case 15:
		return "write_multiple_coils";
	case 16:
		return "write_multiple_registers";
	case 17:
		return "report_server_id";
	case 20:
		return "read_file_record";
	case 21:
		return "write_file_record";
	case 22:
		return "mask_write_register";
	case 23:
		return "read_write_multiple_registers";
	case 24:
		return "read_fifo_queue";
	case 43:
		return "encapsulated_interface";
	default:
		return NULL;
	}
}

/* The MBAP header at p: true when protocol id is 0 and the length fits a
 * PDU (2..254 bytes with the unit id). */
static bool mb_header(const uint8_t *p, size_t len, size_t *flen)
{
	uint16_t l;

	if (len < MB_MBAP + 1 || mb_be16(p + 2) != 0)
		return false;
	l = mb_be16(p + 4);
	if (l < 2 || l > 254)
		return false;
	*flen = 6 + (size_t)l;
	return true;
}

struct mb_state {
	unsigned frames;
	uint8_t units[MB_MAX_UNITS], funcs[MB_MAX_FUNCS];
	unsigned nunits, nfuncs;
	bool devid;
	uint8_t devid_code, devid_object;
};

static void mb_add(uint8_t *set, unsigned *n, unsigned cap, uint8_t v)
{
	for (unsigned k = 0; k < *n; k++)
		if (set[k] == v)
			return;
	if (*n < cap)
		set[(*n)++] = v;
}

static void mb_walk(struct mb_state *st, const uint8_t *p, size_t len)
{
	size_t i = 0, fl;

	while (st->frames < MB_MAX_FRAMES && mb_header(p + i, len - i, &fl)) {
		const uint8_t *pdu = p + i + MB_MBAP;
		size_t pl = (fl < len - i ? fl : len - i) - MB_MBAP;
		st->frames++;
		mb_add(st->units, &st->nunits, MB_MAX_UNITS, p[i + 6]);
		mb_add(st->funcs, &st->nfuncs, MB_MAX_FUNCS, pdu[0]);
		if (pdu[0] == 43 && pl >= 4 && pdu[1] == 0x0e && !st->devid) {
			st->devid = true;
			st->devid_code = pdu[2];
			st->devid_object = pdu[3];
		}
		if (fl >= len - i)
			break;
		i += fl;
	}
}

/* The server's Read Device Identification answer: objects id, len, value. */
static void mb_device_info(struct json *j, const uint8_t *p, size_t len)
{
	static const char *const names[] = {"vendor",	       "product_code", "revision",
					    "vendor_url",      "product_name", "model_name",
					    "application_name"};
	size_t fl, i, end;
	unsigned nobj;

	for (unsigned k = 0; k < MB_MAX_FRAMES && mb_header(p, len, &fl); k++) {
		end = fl < len ? fl : len;
		if (end >= MB_MBAP + 7 && p[7] == 43 && p[8] == 0x0e) {
			nobj = p[13];
			json_key(j, "device_info");
			json_obj_begin(j);
			for (i = 14; nobj-- && i + 2 <= end;) {
				size_t ol = p[i + 1] < end - i - 2 ? p[i + 1] : end - i - 2;
				if (p[i] < sizeof(names) / sizeof(names[0]))
					json_kstr(j, names[p[i]], p + i + 2,
						  ol < MB_STR_CAP ? ol : MB_STR_CAP);
				i += 2 + ol;
			}
			json_obj_end(j);
			return;
		}
		if (fl >= len)
			return;
		p += fl;
		len -= fl;
	}
}

static void mb_write(struct json *j, const struct mb_state *st)
{
	json_ku64(j, "frames", st->frames);
	json_key(j, "unit_ids");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->nunits; k++)
		json_val_u64(j, st->units[k]);
	json_arr_end(j);
	json_key(j, "function_codes");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->nfuncs; k++)
		json_val_u64(j, st->funcs[k]);
	json_arr_end(j);
	json_key(j, "functions");
	json_arr_begin(j);
	for (unsigned k = 0; k < st->nfuncs; k++) {
		const char *n = mb_func_name(st->funcs[k]);
		char tmp[8];
		if (!n) {
			snprintf(tmp, sizeof(tmp), "0x%02x", st->funcs[k]);
			n = tmp;
		}
		json_val_cstr(j, n);
	}
	json_arr_end(j);
	if (st->devid) {
		json_key(j, "read_device_id");
		json_obj_begin(j);
		json_ku64(j, "code", st->devid_code);
		json_ku64(j, "object_id", st->devid_object);
		json_obj_end(j);
	}
}

static void modbus_dissect(struct record *r)
{
	struct mb_state st;
	struct json j;
	size_t mark;

	memset(&st, 0, sizeof(st));
	if (r->payload_len)
		mb_walk(&st, r->payload, r->payload_len);
	proto_member_begin(&j, r, "modbus", &mark);
	mb_write(&j, &st);
	if (r->server_payload_len)
		mb_device_info(&j, r->server_payload, r->server_payload_len);
	proto_member_end(&j, r, mark);
}

/* A request whose size is fixed by its function code must have that size:
 * reads and single writes (1-6) are unit + function + 4 bytes; multiple
 * writes (15, 16) carry their own byte count.  This is what tells an LDAP
 * message (30 84 00 00 00 2d 02 01 ...) from a "read coils" frame. */
static bool mb_request_fits(const uint8_t *frame, size_t fl)
{
	size_t l = fl - 6;

	switch (frame[MB_MBAP]) {
	case 1: case 2: case 3: case 4: case 5: case 6:
		return l == 6;
	case 15: case 16:
		return l >= 7 && frame[12] == l - 7;
	default:
		return true;
	}
}

/* Two zero bytes and a length are a weak signature: we want the frames to
 * tile the payload exactly with known function codes and request sizes. */
static int modbus_detect(const struct record *r)
{
	const uint8_t *p = r->payload;
	size_t len = r->payload_len, i = 0, fl;
	unsigned frames = 0;
	bool devid = false;

	while (frames < MB_MAX_FRAMES && i < len && mb_header(p + i, len - i, &fl)) {
		uint8_t f = p[i + MB_MBAP];
		if (!mb_func_name(f) || fl > len - i || !mb_request_fits(p + i, fl))
			return 0;
		devid |= f == 43 && fl >= 9 && p[i + 8] == 0x0e;
		frames++;
		i += fl;
	}
	if (!frames || i != len)
		return 0;
	if (devid)
		return 90;
	return frames > 1 ? 80 : 70;
}

const struct proto_dissector proto_modbus = {
    .name = "modbus",
    .l4 = 6,
    .detect = modbus_detect,
    .dissect = modbus_dissect,
};
