/* Declarations of every dissector in registry.c's table. */
#ifndef MITSU_PROTO_REGISTRY_H
#define MITSU_PROTO_REGISTRY_H
#include "proto/proto.h"

extern const struct proto_dissector proto_http;
extern const struct proto_dissector proto_tls;
extern const struct proto_dissector proto_ssh;
/* @group-a */
extern const struct proto_dissector proto_telnet;
extern const struct proto_dissector proto_ftp;
extern const struct proto_dissector proto_smtp;
extern const struct proto_dissector proto_pop3;
extern const struct proto_dissector proto_imap;
extern const struct proto_dissector proto_redis;
extern const struct proto_dissector proto_mysql;
extern const struct proto_dissector proto_pgsql;
extern const struct proto_dissector proto_mssql;
extern const struct proto_dissector proto_mqtt;
extern const struct proto_dissector proto_adb;
extern const struct proto_dissector proto_vnc;
extern const struct proto_dissector proto_rdp;
extern const struct proto_dissector proto_smb;
extern const struct proto_dissector proto_sip;
extern const struct proto_dissector proto_modbus;
extern const struct proto_dissector proto_s7;
/* @group-b */
extern const struct proto_dissector proto_dns;
extern const struct proto_dissector proto_ntp;
extern const struct proto_dissector proto_ssdp;
extern const struct proto_dissector proto_snmp;
extern const struct proto_dissector proto_memcached;
/* @group-c */

#endif
