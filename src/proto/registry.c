/* Every dissector, in one table.  Order only breaks ties between equal
 * detect() scores.  Each group of lines belongs to one engineer's files;
 * add new dissectors at the marker of your group. */
#include "proto/proto.h"
#include "proto/registry.h"

const struct proto_dissector *const proto_table[] = {
	/* web, TLS, SSH */
	&proto_http,
	&proto_tls,
	&proto_ssh,
	/* @group-a */
	/* text logins, databases, remote desktops, IoT/ICS */
	&proto_telnet,
	&proto_ftp,
	&proto_smtp,
	&proto_pop3,
	&proto_imap,
	&proto_redis,
	&proto_mysql,
	&proto_pgsql,
	&proto_mssql,
	&proto_mqtt,
	&proto_adb,
	&proto_vnc,
	&proto_rdp,
	&proto_smb,
	&proto_sip,
	&proto_modbus,
	&proto_s7,
	/* @group-b */
	/* UDP services */
	&proto_dns,
	&proto_ntp,
	&proto_ssdp,
	&proto_snmp,
	&proto_memcached,
	/* @group-c */
	NULL,
};
