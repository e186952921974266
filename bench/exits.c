/* See LICENSE file for copyright and license details. */
/*
 * exits [-t TIMEOUT_MS] SIGNAL PID PIDFILE
 *
 * Watch PID and every process whose pid begins a line of PIDFILE (the
 * services and their supervisors), read the clock, send SIGNAL (a number,
 * or TERM, HUP, INT, QUIT) to PID, and wait until every one of them has
 * exited (a zombie has).  Prints the ms until PID exited and until the
 * last one did, or "left:N" in place of a time, N the processes still
 * there after TIMEOUT_MS.  Linux: a pidfd per process (pidfd_open, 5.3),
 * readable when it exits, so that the watch costs nothing while it waits.
 */
#define _DEFAULT_SOURCE       /* syscall() */
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static void
usage(void)
{
	die(2, "usage: exits [-t TIMEOUT_MS] SIGNAL PID PIDFILE");
}

static int
signum(const char *s)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "TERM", SIGTERM }, { "HUP", SIGHUP }, { "INT", SIGINT },
		{ "QUIT", SIGQUIT },
	};
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, sigs[i].name))
			return sigs[i].sig;
	return (int)arg_num(s, 1, 64);
}

/* a pidfd for pid, -1 when it is gone already */
static int
pidfd(long pid)
{
	long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0);

	if (fd < 0 && errno != ESRCH)
		die(111, "pidfd_open %ld:", pid);
	return (int)fd;
}

/* room for n pollfds, and the fds to hold them */
static struct pollfd *
grow(struct pollfd *p, size_t *cap, size_t n)
{
	struct rlimit rl;

	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	if (!(p = realloc(p, *cap * sizeof(*p))))
		die(111, "realloc:");
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die(111, "getrlimit:");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < *cap + 16) {
		rl.rlim_cur = *cap + 16;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			die(111, "setrlimit:");
	}
	return p;
}

int
main(int argc, char *argv[])
{
	long long timeout = 10000, t0, t, tpid = -1, tall = -1, left;
	struct pollfd *p = NULL;
	size_t cap = 0, n = 0, i;
	char line[256], *end;
	long pid, v;
	FILE *f;
	int sig, c, r;

	setprog("exits");
	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't')
			usage();
		timeout = arg_num(optarg, 1, 3600000);
	}
	if (argc - optind != 3)
		usage();
	sig = signum(argv[optind]);
	pid = (long)arg_num(argv[optind + 1], 2, 0x7fffffff);
	/* p[0] is PID */
	p = grow(p, &cap, n);
	p[n].fd = pidfd(pid);
	p[n].revents = 0;
	p[n++].events = POLLIN;
	if (!(f = fopen(argv[optind + 2], "r")))
		die(111, "%s:", argv[optind + 2]);
	while (fgets(line, sizeof(line), f)) {
		v = strtol(line, &end, 10);
		if (end == line || v < 2 || v == pid)
			continue;
		p = grow(p, &cap, n);
		p[n].fd = pidfd(v);
		p[n].revents = 0;
		p[n++].events = POLLIN;
	}
	if (ferror(f))
		die(111, "%s:", argv[optind + 2]);
	fclose(f);
	if (p[0].fd < 0)
		die(1, "%ld is not running", pid);
	t0 = now_ns();
	if (kill((pid_t)pid, sig) < 0)
		die(111, "kill %ld:", pid);
	for (;;) {
		t = now_ns();
		for (i = 0, left = 0; i < n; i++) {
			if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP))) {
				close(p[i].fd);
				p[i].fd = -1;
			}
			left += p[i].fd >= 0;
		}
		if (tpid < 0 && p[0].fd < 0)
			tpid = t;
		if (!left) {
			tall = t;
			break;
		}
		if (t - t0 >= timeout * MS)
			break;
		r = poll(p, (nfds_t)n, (int)((t0 + timeout * MS - t + MS - 1) / MS));
		if (r < 0 && errno != EINTR)
			die(111, "poll:");
	}
	free(p);
	if (tpid >= 0)
		printf("%.1f", (double)(tpid - t0) / MS);
	else
		printf("left:1");
	if (tall >= 0)
		printf(" %.1f\n", (double)(tall - t0) / MS);
	else
		printf(" left:%lld\n", left);
	return 0;
}
