#include "sensor/firewall.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"

static void append_set(struct buf *b, const char *name, const char *type, const struct cidr *addrs,
		       int naddrs, int family)
{
	char a[ADDR_STRLEN];
	bool first = true;

	buf_printf(b, "  set %s { type %s; flags interval;", name, type);
	for (int i = 0; i < naddrs; i++) {
		if (addrs[i].net.family != family)
			continue;
		buf_printf(b, "%s%s/%u", first ? " elements = { " : ", ", addr_format(&addrs[i].net, a),
			   addrs[i].bits);
		first = false;
	}
	buf_puts(b, first ? " }\n" : " } }\n");
}

int firewall_ruleset(char *out, size_t outlen, const char *table, const struct cidr *addrs,
		     int naddrs, const struct portset *keep)
{
	struct buf b = {0};
	bool first = true;
	int ret = 0;

	buf_printf(&b, "table inet %s {\n", table);
	append_set(&b, "mon4", "ipv4_addr", addrs, naddrs, AF_INET);
	append_set(&b, "mon6", "ipv6_addr", addrs, naddrs, AF_INET6);
	buf_puts(&b, "  set keep { type inet_service;");
	for (int p = 0; p < 65536; p++) {
		if (!portset_has(keep, (uint16_t)p))
			continue;
		buf_printf(&b, "%s%d", first ? " elements = { " : ", ", p);
		first = false;
	}
	buf_puts(&b, first ? " }\n" : " } }\n");
	buf_puts(&b, "  chain out {\n"
		     "    type filter hook output priority 0; policy accept;\n"
		     "    ip saddr @mon4 tcp flags & rst == rst tcp sport != @keep counter drop\n"
		     "    ip6 saddr @mon6 tcp flags & rst == rst tcp sport != @keep counter drop\n"
		     "    ip saddr @mon4 icmp type destination-unreachable icmp code port-unreachable counter drop\n"
		     "    ip6 saddr @mon6 icmpv6 type destination-unreachable icmpv6 code port-unreachable counter drop\n"
		     "  }\n}\n");
	if (b.len >= outlen)
		ret = -ENOSPC;
	else
		memcpy(out, buf_cstr(&b), b.len + 1);
	buf_free(&b);
	return ret;
}

/* Runs `nft -f -` with script on stdin, never through a shell. */
static int run_nft(const char *script)
{
	int fds[2], status;
	pid_t pid;
	size_t len = strlen(script);

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]), close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		execlp("nft", "nft", "-f", "-", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if (write(fds[1], script, len) != (ssize_t)len) {
		/* nft will report the short script */
	}
	close(fds[1]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static void guardian_loop(int cmd_fd, const char *table)
{
	char line[64], script[128];
	FILE *f = fdopen(cmd_fd, "r");

	while (f && fgets(line, sizeof(line), f)) {
		unsigned port;
		if (sscanf(line, "keep %u", &port) == 1 && port <= 65535) {
			snprintf(script, sizeof(script), "add element inet %s keep { %u }\n", table, port);
			run_nft(script);
		} else if (sscanf(line, "unkeep %u", &port) == 1 && port <= 65535) {
			snprintf(script, sizeof(script), "delete element inet %s keep { %u }\n", table,
				 port);
			run_nft(script);
		}
	}
	snprintf(script, sizeof(script), "delete table inet %s\n", table);
	run_nft(script);
	_exit(0);
}

static void close_other_fds(int keep1, int keep2)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep1 && fd != keep2)
			close(fd);
}

int firewall_install(struct firewall *fw, const struct cidr *addrs, int naddrs,
		     const struct portset *keep, char *err, size_t errlen)
{
	static char script[1 << 20];
	int cmd[2], st[2], ret;
	char status = 0;

	memset(fw, 0, sizeof(*fw));
	fw->cmd_fd = -1;
	snprintf(fw->table, sizeof(fw->table), "mitsu_%d", (int)getpid());
	ret = firewall_ruleset(script, sizeof(script), fw->table, addrs, naddrs, keep);
	if (ret) {
		snprintf(err, errlen, "firewall: ruleset too large");
		return ret;
	}
	if (pipe2(cmd, O_CLOEXEC) || pipe2(st, O_CLOEXEC))
		return -errno;
	fw->pid = fork();
	if (fw->pid < 0)
		return -errno;
	if (fw->pid == 0) {
		/* Guardian: outlives signals sent to the sensor's process group. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		close(cmd[1]);
		close(st[0]);
		close_other_fds(cmd[0], st[1]);
		status = run_nft(script) == 0 ? 'y' : 'n';
		if (write(st[1], &status, 1) != 1 || status != 'y')
			_exit(1);
		close(st[1]);
		guardian_loop(cmd[0], fw->table);
	}
	close(cmd[0]);
	close(st[1]);
	if (read(st[0], &status, 1) != 1 || status != 'y') {
		close(st[0]);
		close(cmd[1]);
		waitpid(fw->pid, NULL, 0);
		fw->pid = 0;
		snprintf(err, errlen,
			 "firewall: 'nft -f -' failed to install table inet %s (is nftables "
			 "installed and are we root? --no-firewall skips this)",
			 fw->table);
		return -EIO;
	}
	close(st[0]);
	fw->cmd_fd = cmd[1];
	return 0;
}

int firewall_keep_port(struct firewall *fw, uint16_t port, bool keep)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%s %u\n", keep ? "keep" : "unkeep", port);

	if (fw->cmd_fd < 0)
		return -EBADF;
	return write(fw->cmd_fd, line, (size_t)n) == n ? 0 : -errno;
}

void firewall_remove(struct firewall *fw)
{
	if (fw->cmd_fd >= 0)
		close(fw->cmd_fd);
	fw->cmd_fd = -1;
	if (fw->pid > 0)
		waitpid(fw->pid, NULL, 0);
	fw->pid = 0;
}
