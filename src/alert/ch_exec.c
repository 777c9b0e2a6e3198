/* Exec channel: runs a program for each alert with execve (never a shell),
 * the alert JSON on its stdin, a small fixed environment, stdout and
 * stderr to /dev/null, and the channel timeout (then SIGKILL).  Exit status
 * 0 is success; anything else is a failed attempt (retried).  The program
 * starts with default signal handling and only descriptors 0-2.
 * Spec: /ABSOLUTE/PROG[,ARG...].  Environment: PATH, MITSU_ALERT_KIND,
 * MITSU_ALERT_SRC. */
#include "alert/chan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXEC_MAX_ARGS 16

struct exec_ch {
	char *argv[EXEC_MAX_ARGS + 1];
	unsigned timeout_s;
};

static void exec_close(void *state)
{
	struct exec_ch *x = state;

	for (int i = 0; x && x->argv[i]; i++)
		free(x->argv[i]);
	free(x);
}

static int exec_open(const char *spec, unsigned timeout_s, void **state, char *err, size_t errlen)
{
	struct exec_ch *x = calloc(1, sizeof(*x));
	char *copy = strdup(spec), *a, *save = NULL;
	int n = 0, ret = -EINVAL;

	if (!x || !copy) {
		ret = -ENOMEM;
		goto fail;
	}
	x->timeout_s = timeout_s ? timeout_s : 1;
	for (a = strtok_r(copy, ",", &save); a && n < EXEC_MAX_ARGS; a = strtok_r(NULL, ",", &save))
		if (!(x->argv[n++] = strdup(a))) {
			ret = -ENOMEM;
			goto fail;
		}
	if (!n || a || x->argv[0][0] != '/' || access(x->argv[0], X_OK)) {
		snprintf(err, errlen,
			 "exec: '%s' is not an absolute path to an executable program "
			 "(at most %d arguments, comma-separated)",
			 spec, EXEC_MAX_ARGS - 1);
		goto fail;
	}
	free(copy);
	*state = x;
	return 0;
fail:
	free(copy);
	exec_close(x);
	return ret;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Only what a script needs; address characters only from the alert. */
static void make_env(const struct alert_msg *m, char kind[64], char src[96], char *envp[4])
{
	size_t n = snprintf(src, 96, "MITSU_ALERT_SRC=");

	snprintf(kind, 64, "MITSU_ALERT_KIND=%.30s", m->kind);
	for (const char *p = m->src; *p && n < 95; p++)
		if (strchr("0123456789abcdefABCDEF.:", *p))
			src[n++] = *p;
	src[n] = 0;
	envp[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[1] = kind;
	envp[2] = src;
	envp[3] = NULL;
}

/* posix_spawn (vfork-like: no copy of a large sensor's page tables): stdin
 * from the pipe, stdout and stderr to /dev/null, no other descriptors, and
 * default signal handling (our threads block every signal and the sensor
 * ignores SIGPIPE; neither must leak into the program). */
static int spawn(int in, char *const argv[], char *const envp[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int ret;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = -posix_spawn(pid, argv[0], &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return ret;
}

/* Writes all of p to fd before deadline (ms); the pipe is non-blocking. */
static int write_all(int fd, const char *p, size_t n, long long deadline)
{
	while (n) {
		struct pollfd pf = {.fd = fd, .events = POLLOUT};
		long long left = deadline - now_ms();
		ssize_t w;

		if (left <= 0 || poll(&pf, 1, (int)left) != 1)
			return -ETIMEDOUT;
		w = write(fd, p, n);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno; /* EPIPE: it did not read; its exit status says more */
		if (w > 0)
			p += w, n -= (size_t)w;
	}
	return 0;
}

static int wait_child(pid_t pid, long long deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
}

static int exec_send(void *state, const struct alert_msg *m, char *err, size_t errlen)
{
	struct exec_ch *x = state;
	long long deadline = now_ms() + (long long)x->timeout_s * 1000;
	char kind[64], src[96], *envp[4];
	int fds[2], status = 0, wret, ret;
	pid_t pid;

	make_env(m, kind, src, envp);
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	ret = spawn(fds[0], x->argv, envp, &pid);
	close(fds[0]);
	if (ret) {
		snprintf(err, errlen, "%s: %s", x->argv[0], strerror(-ret));
		close(fds[1]);
		return ret;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	ret = write_all(fds[1], m->json, strlen(m->json), deadline);
	ret = ret ? ret : write_all(fds[1], "\n", 1, deadline);
	close(fds[1]);
	wret = wait_child(pid, deadline, &status);
	if (ret == -EPIPE) /* it did not read its stdin: its exit status decides */
		ret = 0;
	if (wret == -ETIMEDOUT)
		snprintf(err, errlen, "%s: killed after %u s", x->argv[0], x->timeout_s);
	else if (wret)
		snprintf(err, errlen, "%s: wait: %s", x->argv[0], strerror(-wret));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		snprintf(err, errlen, "%s: exit status %d%s", x->argv[0],
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
			 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? " (cannot execute)"
									 : "");
	else if (ret)
		snprintf(err, errlen, "%s: writing the alert: %s", x->argv[0], strerror(-ret));
	return wret ? wret : (!WIFEXITED(status) || WEXITSTATUS(status)) ? -EIO : ret;
}

const struct alert_chan_ops alert_ch_exec = {
    .name = "exec",
    .open = exec_open,
    .send = exec_send,
    .close = exec_close,
};
