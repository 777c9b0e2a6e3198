/* Every dissector, in one table.  Order only breaks ties between equal
 * detect() scores.  Each group of lines belongs to one engineer's files;
 * add new dissectors at the marker of your group. */
#include "proto/proto.h"
#include "proto/registry.h"

const struct proto_dissector *const proto_table[] = {
	/* web, TLS, SSH */
	/* @group-a */
	/* text logins, databases, remote desktops, IoT/ICS */
	/* @group-b */
	/* UDP services */
	/* @group-c */
	NULL,
};
