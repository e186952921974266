/* See LICENSE file for copyright and license details. */
/* svctl: show and control services */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "os.h"
#include "logread.h"
#include "rundir.h"
#include "util.h"

#define SYNOPSIS "svctl [-t SECONDS] status|show [SERVICE...]\n" \
	"       svctl [-t SECONDS] start|stop|restart|once|kill|reload" \
	" SERVICE...\n" \
	"       svctl [-t SECONDS] signal SIG SERVICE...\n" \
	"       svctl log [-f] [-n LINES] SERVICE...\n" \
	"environment: SYSDIR (" SYSDIR "), RUNDIR (" RUNDIR "), LOGDIR (" \
	LOGDIR ")"

enum { C_STATUS, C_SHOW, C_UP, C_DOWN, C_RESTART, C_ONCE, C_KILL, C_RELOAD,
       C_SIGNAL, C_LOG };

static const struct {
	const char *name;
	int cmd;
	const char *line;     /* sent to runsyssv */
} cmds[] = {
	{ "status", C_STATUS, NULL }, { "stat", C_STATUS, NULL },
	{ "show", C_SHOW, NULL },
	{ "start", C_UP, "up" }, { "up", C_UP, "up" },
	{ "stop", C_DOWN, "down" }, { "down", C_DOWN, "down" },
	{ "restart", C_RESTART, "restart" }, { "once", C_ONCE, "once" },
	{ "kill", C_KILL, "kill" }, { "reload", C_RELOAD, "reload" },
	{ "signal", C_SIGNAL, NULL }, { "log", C_LOG, NULL },
};

struct target {
	const char *name;
	struct status *before;  /* as we sent the command (not for status:
	                           1000 of them would be 3.5 MB touched) */
	int pending;
	int needed;             /* a later target's last run waited for it */
};

static struct {
	struct paths paths;
	unsigned long long timeout;
	int timeout_given;
	int cmd;
	char line[32];
	struct target *t;
	struct sub *subs;     /* subs[i] wakes us when t[i]'s status changes */
	char **names;         /* of SYSDIR, when listing every service */
	struct table table;   /* RUNDIR/.status, then */
	struct status *before; /* for control commands, a target each */
	size_t n;
	int rc;
	long long begin;      /* mono_ms before the first request */
	long long takeby;     /* the requests of needed targets taken by */
} c;

static void
usage(void)
{
	usage_exit(SYNOPSIS);
}

static void
fail(int rc)
{
	if (rc > c.rc)
		c.rc = rc;
}

/* the status of t; 0 when it is not supervised, -1 (said) when unreadable,
 * -2 when listing and t is not a service after all */
static int
get(const struct target *t, struct status *st)
{
	const char *why;
	int r = table_status(&c.table, t->name, st);

	if (r > 0)
		return r;
	/* listing: a name the table vouches for is a service; any other
	 * must be checked */
	if (c.names && service_check(c.paths.sysdir, t->name, &why) < 0)
		return -2;
	r = svc_status_named(&c.paths, t->name, st);
	/* a corrupt file: the request failed; a failed call: 111 */
	if (r < 0) {
		warnf("%s: cannot read status:", t->name);
		fail(errno == EINVAL ? EXIT_FAIL : EXIT_SYSTEM);
	}
	return r;
}

static void
status(const struct target *t, int show)
{
	static int shown;
	char buf[STATUS_MAX];
	struct status st;
	int r = get(t, &st);

	if (r < 0)
		return;
	if (show) {
		status_show(buf, sizeof(buf), t->name, &st, r);
		if (shown++)
			putchar('\n');
		fputs(buf, stdout);
		return;
	}
	status_line(buf, sizeof(buf), t->name, &st, r);
	puts(buf);
	if (!r || !status_up(&st))
		fail(EXIT_FAIL);
}

/* 1 when the command sent to t has taken effect, -1 when it cannot */
static int
reached(const struct target *t, const struct status *st)
{
	const struct status *b = t->before;
	int started = st->starts > b->starts;

	switch (c.cmd) {
	case C_DOWN:
	case C_KILL:
		return st->state == ST_DOWN;
	case C_UP:
		if (status_up(st))
			return 1;
		break;
	case C_RESTART:
		if (started && status_up(st))
			return 1;
		break;
	case C_ONCE:
		if (st->want == WANT_ONCE && (started || status_up(st)))
			return 1;
		break;
	default:
		return 1;
	}
	/* a start it made that failed, or gave up */
	return started && (st->state == ST_BACKOFF || st->state == ST_FAILED) ?
	    -1 : 0;
}

static void
report(const struct target *t, const char *what)
{
	char buf[STATUS_MAX];
	struct status st;
	int r = get(t, &st);

	if (r < 0)
		return;
	status_line(buf, sizeof(buf), t->name, &st, r);
	warnf("%s: %s", what, buf);
	fail(EXIT_FAIL);
}

/* how long the command may take, by the service's settings in st (its
 * timeouts as they are now: the service may have asked for more time) */
static unsigned long long
takes(const struct status *st)
{
	unsigned long long s = 0;

	if (c.cmd == C_DOWN || c.cmd == C_RESTART)
		s += st->stoptimeout;
	if (c.cmd == C_UP || c.cmd == C_RESTART || c.cmd == C_ONCE)
		s += st->readytimeout;
	return s ? s + SVCTL_MARGIN : 0;
}

static int
starts(void)
{
	return c.cmd == C_UP || c.cmd == C_ONCE || c.cmd == C_RESTART;
}

/* bsearch() of a name among the targets, by their indexes sorted */
static int
name_cmp(const void *key, const void *elem)
{
	return strcmp(key, c.t[*(const size_t *)elem].name);
}
static int
target_cmp(const void *a, const void *b)
{
	return name_cmp(c.t[*(const size_t *)a].name, b);
}

/* the edges "j waited for i" among the targets, as (i, j) pairs from
 * their recorded deps, into e, cap of them at most (e NULL: counted
 * only); their count */
static size_t
target_edges(const size_t *sorted, size_t *e, size_t cap)
{
	char buf[NAMELIST], *tok, *save;
	const size_t *i;
	size_t j, ne = 0;

	for (j = 0; j < c.n; j++) {
		if (fmt(buf, sizeof(buf), "%s", c.t[j].before->deps) < 0)
			continue;
		for (tok = strtok_r(buf, " ", &save); tok;
		    tok = strtok_r(NULL, " ", &save))
			if ((i = bsearch(tok, sorted, c.n, sizeof(*sorted),
			    name_cmp)) && *i != j) {
				if (e && ne >= cap)
					return ne;
				if (e) {
					e[2 * ne] = *i;
					e[2 * ne + 1] = j;
				}
				ne++;
			}
	}
	return ne;
}

#define PLACED ((size_t)-1)  /* order(): in the queue by force */

/* the edges e by their side (0: by what was waited for, to who waited;
 * 1: the other way): adj[first[i] .. first[i + 1]), first zeroed */
static void
csr(const size_t *e, size_t ne, int side, size_t *first, size_t *adj)
{
	size_t i, k;

	for (k = 0; k < ne; k++)
		first[e[2 * k + side] + 1]++;
	for (i = 0; i < c.n; i++)
		first[i + 1] += first[i];
	for (k = 0; k < ne; k++)
		adj[first[e[2 * k + side]]++] = e[2 * k + 1 - side];
	for (i = c.n; i > 0; i--)       /* back to the starts */
		first[i] = first[i - 1];
	first[0] = 0;
}

/* the queue ran dry with targets left: each waits for one left, so
 * walking back from the first left (in the order given) comes round to
 * one already met, a target of a cycle */
static size_t
in_cycle(const size_t *indeg, const size_t *rfirst, const size_t *radj,
         size_t *seen, size_t stamp)
{
	size_t v = 0, u = 0, k;

	while (indeg[v] == 0 || indeg[v] == PLACED)
		v++;
	for (;;) {
		seen[v] = stamp;
		for (k = rfirst[v]; k < rfirst[v + 1]; k++)
			if (indeg[u = radj[k]] != 0 && indeg[u] != PLACED)
				break;
		if (k == rfirst[v + 1] || seen[u] == stamp)
			return k == rfirst[v + 1] ? v : u;
		v = u;
	}
}

/*
 * start, once, restart of several: each target after those its last run
 * waited for (their recorded deps; Kahn's sort, level by level, each in
 * the order given; a cycle is entered at one of its targets, and what
 * waited for it follows it), those marked needed: its request is to be
 * taken before the next is sent.  Out of memory: the order given.
 */
static void
order(void)
{
	size_t *sorted, *e, *indeg, *first, *adj, *rfirst, *radj, *seen;
	size_t *queue, ne, i, k, head = 0, tail = 0, stamp = 0;
	struct target *t;

	for (i = 0; i < c.n; i++)
		if (svc_status_named(&c.paths, c.t[i].name, c.t[i].before) <= 0)
			c.t[i].before->deps[0] = '\0';
	if (!(sorted = malloc(c.n * sizeof(*sorted))))
		return;
	for (i = 0; i < c.n; i++)
		sorted[i] = i;
	qsort(sorted, c.n, sizeof(*sorted), target_cmp);
	ne = target_edges(sorted, NULL, 0);
	e = calloc(2 * ne + 1, sizeof(*e));
	adj = malloc((ne + 1) * sizeof(*adj));
	radj = malloc((ne + 1) * sizeof(*radj));
	indeg = calloc(c.n, sizeof(*indeg));
	first = calloc(c.n + 1, sizeof(*first));
	rfirst = calloc(c.n + 1, sizeof(*rfirst));
	seen = calloc(c.n, sizeof(*seen));
	queue = malloc(c.n * sizeof(*queue));
	t = malloc(c.n * sizeof(*t));
	if (e && adj && radj && indeg && first && rfirst && seen && queue && t) {
		ne = target_edges(sorted, e, ne);
		for (k = 0; k < ne; k++) {
			indeg[e[2 * k + 1]]++;
			c.t[e[2 * k]].needed = 1;
		}
		csr(e, ne, 0, first, adj);
		csr(e, ne, 1, rfirst, radj);
		for (i = 0; i < c.n; i++)
			if (!indeg[i])
				queue[tail++] = i;
		while (tail < c.n || head < tail) {
			if (head == tail) {
				i = in_cycle(indeg, rfirst, radj, seen, ++stamp);
				indeg[i] = PLACED;
				queue[tail++] = i;
			}
			for (i = queue[head++], k = first[i]; k < first[i + 1]; k++)
				if (indeg[adj[k]] != PLACED && !--indeg[adj[k]])
					queue[tail++] = adj[k];
		}
		for (i = 0; i < c.n; i++)
			t[i] = c.t[queue[i]];
		memcpy(c.t, t, c.n * sizeof(*t));
	}
	free(sorted);
	free(e);
	free(adj);
	free(radj);
	free(indeg);
	free(first);
	free(rfirst);
	free(seen);
	free(queue);
	free(t);
}

/* a needed target stopped (or failed): until its runsyssv took the
 * request, so that a dependent's sysmgr-depends does not find it stopped
 * (at most until c.takeby, for all of them together) */
static void
taken(struct target *t)
{
	struct sub *s = &c.subs[t - c.t];
	struct status st;
	int r;

	/* unreadable: rewritten soon, as wait_all() takes it */
	while (((r = svc_status_named(&c.paths, t->name, &st)) < 0 ||
	    (r > 0 && status_blocks(&st) && st.starts == t->before->starts)) &&
	    mono_ms() < c.takeby)
		ev_wait(s, 1, c.takeby);
}

static void
send(struct target *t)
{
	int fd, r;

	if ((fd = svc_open(&c.paths, t->name, 0)) < 0 && errno != ENOENT) {
		warnf("%s: cannot open its run directory:", t->name);
		fail(EXIT_SYSTEM);
		return;
	}
	/* an unreadable status does not stop control: runsyssv rewrites it */
	r = fd < 0 ? 0 : svc_status(fd, t->before);
	if (r == 0) {
		warnf("%s: not supervised", t->name);
		fail(EXIT_FAIL);
	} else if ((c.cmd == C_RELOAD || c.cmd == C_SIGNAL) && t->before->pid <= 0) {
		warnf("%s: not running", t->name);
		fail(EXIT_FAIL);
	} else {
		/* before the command, so that no change is missed */
		if (c.timeout > 0 || t->needed)
			ev_subscribe(&c.paths, t->name, &c.subs[t - c.t]);
		if (ctl_send(fd, c.line) == 0) {
			t->pending = 1;
			if (t->needed && status_blocks(t->before))
				taken(t);
			if (c.timeout == 0)
				ev_unsubscribe(&c.subs[t - c.t]);
		} else {
			r = errno;
			if (r == ENXIO || r == ENOENT)
				warnf("%s: not supervised", t->name);
			else
				warnf("%s: cannot control:", t->name);
			ev_unsubscribe(&c.subs[t - c.t]);
			/* refused, or no runsyssv: 1; anything else: 111 */
			fail(r == ENXIO || r == ENOENT || r == EACCES ||
			    r == EPERM ? EXIT_FAIL : EXIT_SYSTEM);
		}
	}
	if (fd >= 0)
		close(fd);
}

/* sleep on the targets' event FIFOs until each is done or the deadline:
 * without -t, the longest of SVCTL_WAIT and what each status says its
 * service takes, as the service says it now (it may ask for more time) */
static void
wait_all(void)
{
	long long begin = c.begin, d;
	long long deadline = begin + (long long)c.timeout * 1000;
	struct status st;
	size_t i, left;
	int r;

	for (;;) {
		for (i = left = 0; i < c.n; i++) {
			if (!c.t[i].pending)
				continue;
			r = svc_status_named(&c.paths, c.t[i].name, &st);
			if (r < 0) {
				left++;       /* unreadable: rewritten soon */
				continue;
			}
			if (r == 0) {
				report(&c.t[i], "no longer supervised");
				c.t[i].pending = 0;
				ev_unsubscribe(&c.subs[i]);
				continue;
			}
			d = begin + (long long)takes(&st) * 1000;
			if (!c.timeout_given && d > deadline)
				deadline = d;
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

/* the services named, or every one of SYSDIR; each bad name is said */
static void
targets(int argc, char *argv[])
{
	const char *name;
	int i, n = argc, exists;

	if (!argc && (c.cmd == C_STATUS || c.cmd == C_SHOW)) {
		if ((n = service_list(c.paths.sysdir, &c.names)) < 0)
			die(EXIT_SYSTEM, "%s:", c.paths.sysdir);
		/* one file for all, where it vouches; else each service's */
		if (!getenv("SVCTL_NO_TABLE"))
			(void)table_load(&c.paths, &c.table);
	} else if (!argc)
		usage();
	if (!(c.t = calloc((size_t)n + 1, sizeof(*c.t))) ||
	    !(c.subs = calloc((size_t)n + 1, sizeof(*c.subs))) ||
	    (c.cmd != C_STATUS && c.cmd != C_SHOW &&
	    !(c.before = calloc((size_t)n + 1, sizeof(*c.before)))))
		die(EXIT_SYSTEM, "calloc:");
	for (i = 0; i <= n; i++)
		c.subs[i].fd = c.subs[i].evfd = -1;
	for (i = 0; i < n; i++) {
		if (c.names)
			name = c.names[i];   /* listing: get() skips what is
			                        not a service */
		else if (!(name = service_arg(c.paths.sysdir, argv[i], &exists))) {
			/* said; the others are acted on all the same */
			fail(EXIT_USAGE);
			continue;
		}
		if (c.before)
			c.t[c.n].before = &c.before[c.n];
		c.t[c.n++].name = name;
	}
}

/* SYSDIR must be there, or nothing we say would make sense */
static void
check_sysdir(void)
{
	struct stat st;

	if (stat(c.paths.sysdir, &st) == 0)
		return;
	die(EXIT_SYSTEM, "%s: %s (the service directory: set SYSDIR, and RUNDIR,"
	    " as for sysmgr)", c.paths.sysdir, strerror(errno));
}

/* svctl log [-f] [-n LINES] SERVICE...: a service's log, or sysmgr's */
static int
logs(int argc, char *argv[])
{
	unsigned long long lines = 20;
	int i, follow = 0;

	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-f"))
			follow = 1;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc &&
		    parse_ull(argv[i + 1], 1000000000, &lines) == 0)
			i++;
		else
			usage();
	}
	if (i == argc)
		usage();
	for (argc -= i, argv += i, i = 0; i < argc; i++) {
		char buf[NAME_MAX + 1];
		const char *name = arg_name(argv[i]);

		if (!name)
			die(EXIT_USAGE, "%s: invalid service name",
			    printable(buf, sizeof(buf), argv[i]));
		argv[i] = (char *)name;
	}
	return log_show(c.paths.logdir, argv, argc, (unsigned long)lines, follow);
}

static int
command(const char *word)
{
	size_t i;

	for (i = 0; i < LEN(cmds) && strcmp(cmds[i].name, word); i++)
		;
	if (i == LEN(cmds)) {
		warnf("unknown command: %s", word);
		usage();
	}
	if (cmds[i].line)
		fmt(c.line, sizeof(c.line), "%s", cmds[i].line);
	return cmds[i].cmd;
}

int
main(int argc, char *argv[])
{
	size_t i;
	int opt, sig;

	prog_init("svctl", SYNOPSIS, argc, argv);
	c.timeout = SVCTL_WAIT;
	while ((opt = getopt(argc, argv, "+t:")) != -1) {
		if (opt != 't' || parse_ull(optarg, 86400, &c.timeout) < 0)
			usage();
		c.timeout_given = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	c.cmd = command(argv[0]);
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
	if (paths_init(&c.paths) < 0)
		return EXIT_SYSTEM;
	if (c.cmd == C_LOG)
		return logs(argc, argv);      /* its options, its own "--" */
	if (argc > 0 && !strcmp(argv[0], "--")) {
		argc--;
		argv++;
	}
	check_sysdir();
	os_fd_limit();
	targets(argc, argv);
	if (starts() && c.n > 1)
		order();
	/* -t N bounds it all; -t 0 and none: SVCTL_WAIT for the taking */
	c.begin = mono_ms();
	c.takeby = c.begin + (c.timeout_given && c.timeout > 0 ?
	    (long long)c.timeout : SVCTL_WAIT) * 1000LL;

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
