/* The kernel answers SYNs to closed ports with RSTs and UDP probes with
 * ICMP port-unreachable; both would contradict the sensor.  firewall_install
 * adds an nftables table of our own (inet mitsu_<pid>) that drops those
 * replies from the monitored addresses only, except on ports where a real
 * service listens or that the operator excluded.
 *
 * The table is owned by a small guardian process forked while we are still
 * root: it removes the table when its pipe closes, i.e. when the sensor
 * exits for any reason, including a crash or SIGKILL, and after the sensor
 * has dropped its privileges.  It accepts only "keep PORT" and "unkeep PORT". */
#ifndef MITSU_FIREWALL_H
#define MITSU_FIREWALL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/addr.h"
#include "sensor/listeners.h"

struct firewall {
	pid_t pid;
	int cmd_fd;
	char table[32];
};

int firewall_install(struct firewall *fw, const struct cidr *addrs, int naddrs,
		     const struct portset *keep, char *err, size_t errlen);
/* keep: stop dropping RSTs from this port (a real listener appeared, or it
 * was excluded); !keep: drop them again (no longer excluded). */
int firewall_keep_port(struct firewall *fw, uint16_t port, bool keep);
/* Asks the guardian to remove the table and waits for it. */
void firewall_remove(struct firewall *fw);
/* The ruleset text, exposed for tests. */
int firewall_ruleset(char *out, size_t outlen, const char *table, const struct cidr *addrs,
		     int naddrs, const struct portset *keep);

#endif
