/* See LICENSE file for copyright and license details. */
/* svctl: show and control services */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "rundir.h"
#include "util.h"

enum { C_STATUS, C_SHOW, C_UP, C_DOWN, C_RESTART, C_ONCE, C_KILL, C_RELOAD,
       C_SIGNAL };

static const struct {
	const char *name;
	int cmd;
	const char *line;     /* sent to runsyssv */
} cmds[] = {
	{ "status", C_STATUS, NULL }, { "show", C_SHOW, NULL },
	{ "start", C_UP, "up" }, { "up", C_UP, "up" },
	{ "stop", C_DOWN, "down" }, { "down", C_DOWN, "down" },
	{ "restart", C_RESTART, "restart" }, { "once", C_ONCE, "once" },
	{ "kill", C_KILL, "kill" }, { "reload", C_RELOAD, "signal 1" },
	{ "signal", C_SIGNAL, NULL },
};

struct target {
	const char *name;
	int dirfd;
	struct status before;
	int pending;
};

static struct {
	struct paths paths;
	unsigned long long timeout;
	int cmd;
	char line[32];
	struct target *t;
	struct sub *subs;     /* subs[i] wakes us when t[i]'s status changes */
	char **names;         /* of SYSDIR, when listing every service */
	size_t n;
	int rc;
} c;

static void
usage(void)
{
	usage_exit("svctl [-t SECONDS] status|show [SERVICE...]\n"
	    "       svctl [-t SECONDS] start|stop|restart|once|kill|reload"
	    " SERVICE...\n"
	    "       svctl [-t SECONDS] signal SIG SERVICE...");
}

static void
fail(int rc)
{
	if (rc > c.rc)
		c.rc = rc;
}

/* the status of t; 0 when it is not supervised, -1 when unreadable */
static int
get(const struct target *t, struct status *st)
{
	int r = status_get(t->dirfd, st);

	if (r < 0)
		warnf("%s: cannot read status:", t->name);
	return r;
}

static void
status(const struct target *t, int show)
{
	char buf[STATUS_MAX];
	struct status st;
	int r = get(t, &st);

	if (r < 0) {
		fail(EXIT_FAIL);
		return;
	}
	if (show) {
		status_show(buf, sizeof(buf), t->name, &st, r);
		fputs(buf, stdout);
		if (t != &c.t[c.n - 1])
			putchar('\n');
		return;
	}
	status_line(buf, sizeof(buf), t->name, &st, r);
	puts(buf);
	if (!r || st.state != ST_UP)
		fail(EXIT_FAIL);
}

/* 1 when the command sent to t has taken effect, -1 when it cannot */
static int
reached(const struct target *t, const struct status *st)
{
	const struct status *b = &t->before;
	int started = st->starts > b->starts;

	switch (c.cmd) {
	case C_DOWN:
	case C_KILL:
		return st->state == ST_DOWN;
	case C_UP:
		if (st->state == ST_UP)
			return 1;
		break;
	case C_RESTART:
		if (started && st->state == ST_UP)
			return 1;
		break;
	case C_ONCE:
		if (st->want == WANT_ONCE && (started || st->state == ST_UP))
			return 1;
		break;
	default:
		return 1;
	}
	return started && st->state == ST_BACKOFF ? -1 : 0;
}

static void
report(const struct target *t, const char *what)
{
	char buf[STATUS_MAX];
	struct status st;

	status_line(buf, sizeof(buf), t->name, &st, get(t, &st) > 0);
	warnf("%s: %s", what, buf);
	fail(EXIT_FAIL);
}

static void
send(struct target *t)
{
	/* an unreadable status does not stop control: runsyssv rewrites it */
	if (status_get(t->dirfd, &t->before) == 0) {
		warnf("%s: not supervised", t->name);
		fail(EXIT_FAIL);
		return;
	}
	if ((c.cmd == C_RELOAD || c.cmd == C_SIGNAL) && t->before.pid <= 0) {
		warnf("%s: not running", t->name);
		fail(EXIT_FAIL);
		return;
	}
	/* before the command, so that no change is missed */
	if (c.timeout > 0)
		ev_subscribe(&c.paths, t->name, &c.subs[t - c.t]);
	if (ctl_send(t->dirfd, c.line) < 0) {
		if (errno == ENXIO || errno == ENOENT)
			warnf("%s: not supervised", t->name);
		else
			warnf("%s: cannot control:", t->name);
		ev_unsubscribe(&c.subs[t - c.t]);
		fail(EXIT_FAIL);
		return;
	}
	t->pending = 1;
}

static void
wait_all(void)
{
	long long deadline = mono_ms() + (long long)c.timeout * 1000;
	struct status st;
	size_t i, left;
	int r;

	for (;;) {
		for (i = left = 0; i < c.n; i++) {
			if (!c.t[i].pending)
				continue;
			if ((r = status_get(c.t[i].dirfd, &st)) < 0) {
				left++;       /* unreadable: rewritten soon */
				continue;
			}
			if (r == 0) {
				report(&c.t[i], "no longer supervised");
				c.t[i].pending = 0;
				ev_unsubscribe(&c.subs[i]);
				continue;
			}
			r = reached(&c.t[i], &st);
			if (r < 0)
				report(&c.t[i], "failed");
			c.t[i].pending = r == 0;
			left += r == 0;
			if (r)
				ev_unsubscribe(&c.subs[i]);
		}
		if (!left)
			break;
		if (mono_ms() >= deadline) {
			for (i = 0; i < c.n; i++)
				if (c.t[i].pending)
					report(&c.t[i], "timed out");
			break;
		}
		ev_wait(c.subs, c.n, deadline);
	}
	for (i = 0; i < c.n; i++)
		ev_unsubscribe(&c.subs[i]);
}

static void
targets(int argc, char *argv[])
{
	const char *why;
	int i, n = argc, bad = 0, exists;

	if (!argc && (c.cmd == C_STATUS || c.cmd == C_SHOW)) {
		if ((n = service_list(c.paths.sysdir, &c.names)) < 0)
			die(EXIT_SYSTEM, "%s:", c.paths.sysdir);
	} else if (!argc)
		usage();
	if (!(c.t = calloc((size_t)n + 1, sizeof(*c.t))) ||
	    !(c.subs = calloc((size_t)n + 1, sizeof(*c.subs))))
		die(EXIT_SYSTEM, "calloc:");
	for (i = 0; i <= n; i++)
		c.subs[i].fd = c.subs[i].evfd = -1;
	for (i = 0; i < n; i++) {
		const char *name;

		if (c.names) {
			name = c.names[i];   /* listing: only services */
			if (service_check(c.paths.sysdir, name, &why) < 0)
				continue;
		} else if (!(name = service_arg(c.paths.sysdir, argv[i], &exists))) {
			/* "status /var/sysmgr/x*" goes past entries that are
			 * not services; anything else does nothing at all */
			if (exists && (c.cmd == C_STATUS || c.cmd == C_SHOW))
				fail(EXIT_FAIL);
			else
				bad = 1;
			continue;
		}
		c.t[c.n].name = name;
		c.t[c.n++].dirfd = svc_open(&c.paths, name, 0);
	}
	if (bad)
		exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	size_t i;
	int opt, sig;

	setprogname("svctl");
	c.timeout = SVCTL_WAIT;
	while ((opt = getopt(argc, argv, "+t:")) != -1) {
		if (opt != 't' || parse_ull(optarg, 86400, &c.timeout) < 0)
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < LEN(cmds) && strcmp(cmds[i].name, argv[0]); i++)
		;
	if (i == LEN(cmds))
		usage();
	c.cmd = cmds[i].cmd;
	if (cmds[i].line)
		fmt(c.line, sizeof(c.line), "%s", cmds[i].line);
	argc--;
	argv++;
	if (c.cmd == C_SIGNAL) {
		if (argc < 1)
			usage();
		if ((sig = sig_parse(argv[0])) < 0)
			die(EXIT_USAGE, "%s: unknown signal", argv[0]);
		fmt(c.line, sizeof(c.line), "signal %d", sig);
		argc--;
		argv++;
	}
	if (argc > 0 && !strcmp(argv[0], "--")) {
		argc--;
		argv++;
	}
	if (paths_init(&c.paths) < 0)
		return EXIT_SYSTEM;
	targets(argc, argv);

	for (i = 0; i < c.n; i++) {
		if (c.cmd == C_STATUS || c.cmd == C_SHOW)
			status(&c.t[i], c.cmd == C_SHOW);
		else
			send(&c.t[i]);
	}
	if (c.cmd != C_STATUS && c.cmd != C_SHOW && c.timeout > 0)
		wait_all();
	if (fflush(stdout) == EOF || ferror(stdout))
		die(EXIT_SYSTEM, "stdout:");
	return c.rc;
}
