/* See LICENSE file for copyright and license details. */
/* sysmgr-depends: wait until services are up */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "rundir.h"
#include "util.h"

#define MAX_DEPTH 64          /* of a dependency chain followed for cycles */
#define MAX_SEEN 256          /* services visited looking for a cycle */

static struct {
	struct paths paths;
	const char *self;     /* SYSMGR_SERVICE: the service that waits */
	int selffd;           /* its run directory */
	int told;             /* its runsyssv knows that we wait */
	char **deps;
	int n;
	char list[NAMELIST];  /* deps, space separated */
	long long deadline;   /* mono_ms, -1 for none */
	struct sub *subs;     /* subs[i] wakes us when deps[i] changes, and
	                         subs[n] (our pipe) at a signal */
	const char *chain[MAX_DEPTH];   /* while looking for a cycle */
	char seen[MAX_SEEN][NAME_MAX + 1];
	size_t nseen;
} d;

#define SYNOPSIS "sysmgr-depends [-t SECONDS] SERVICE...\n" \
	"environment: SYSDIR (" SYSDIR "), RUNDIR (" RUNDIR "), SYSMGR_SERVICE"

static void
usage(void)
{
	usage_exit(SYNOPSIS);
}

/* tell our runsyssv what we wait for; quietly nothing when we cannot */
static void
tell(const char *line)
{
	if (d.selffd >= 0 && ctl_send(d.selffd, line) == 0)
		d.told = 1;
}

static void
finish(int status)
{
	int i;

	for (i = 0; d.subs && i < d.n; i++)
		ev_unsubscribe(&d.subs[i]);
	if (d.told)
		tell(status ? "failed" : "waited");
	/* killed: our FIFOs are gone and our runsyssv told, now die of it */
	if (sig_last()) {
		signal(sig_last(), SIG_DFL);
		raise(sig_last());
	}
	exit(status);
}

/* a signal ends the wait as a failure would: nothing left behind; its
 * pipe is watched by ev_wait() with the services, as subs[n] */
static void
catch_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	int fd;

	if ((fd = sig_pipe(sigs, LEN(sigs))) < 0)
		die(EXIT_SYSTEM, "signals:");
	d.subs[d.n].active = 1;
	d.subs[d.n].fd = fd;
	d.subs[d.n].evfd = -1;
}

static int
was_seen(const char *name)
{
	size_t i;

	for (i = 0; i < d.nseen; i++)
		if (!strcmp(d.seen[i], name))
			return 1;
	if (d.nseen == MAX_SEEN)
		return 1;         /* so many: look no further */
	memcpy(d.seen[d.nseen++], name, strlen(name) + 1);
	return 0;
}

static void
say_cycle(int last)
{
	char msg[MAX_DEPTH * (NAME_MAX + 4)];
	size_t n = 0;
	int i, w;

	for (i = 0; i <= last; i++) {
		w = fmt(msg + n, sizeof(msg) - n, " -> %s", d.chain[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	warnf("dependency cycle: %s%s", d.self, msg);
}

/*
 * 1 when name is us, 2 when it waits for us through a chain of services
 * waiting (or in BACKOFF after waiting) for each other (the cycle is then
 * reported), else 0.  d.chain[depth - 1] is name.
 */
static int
reaches(const char *name, int depth)
{
	char buf[NAMELIST], *tok, *save;
	struct status st;
	int r;

	if (!strcmp(name, d.self))
		return 1;
	if (depth >= MAX_DEPTH || was_seen(name) ||
	    svc_status_named(&d.paths, name, &st) <= 0)
		return 0;
	/* what it waits for now, or, failed and about to start again, what
	 * its last run waited for */
	if (st.state == ST_BACKOFF)
		memcpy(buf, st.deps, sizeof(buf));
	else
		memcpy(buf, st.waiting, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		d.chain[depth] = tok;
		if ((r = reaches(tok, depth + 1)) == 1)
			say_cycle(depth);  /* while tok, in buf, still lives */
		if (r)
			return 2;
	}
	return 0;
}

static void
check_cycle(void)
{
	int i;

	if (!d.self)
		return;
	for (i = 0; i < d.n; i++) {
		d.nseen = 0;
		d.chain[0] = d.deps[i];
		if (reaches(d.deps[i], 1))
			finish(EXIT_FAIL);
	}
}

/* 1 when every dependency is up; exits when one is stopped */
static int
check(void)
{
	struct status st;
	const char *why;
	int i, up = 0;

	for (i = 0; i < d.n; i++) {
		if (service_check(d.paths.sysdir, d.deps[i], &why) < 0) {
			warnf("%s: %s", d.deps[i], why);
			finish(EXIT_USAGE);
		}
		if (svc_status_named(&d.paths, d.deps[i], &st) <= 0)
			continue;
		if (status_up(&st) && !st.waiting[0]) {
			up++;
			continue;
		}
		if (status_blocks(&st)) {
			char line[NAME_MAX + 16];

			warnf("%s is %s", d.deps[i], st.state == ST_FAILED ?
			    "failed" : "stopped");
			if (fmt(line, sizeof(line), "blocked %s", d.deps[i]) >= 0)
				tell(line);
			finish(EXIT_FAIL);
		}
	}
	return up == d.n;
}

/* what is still not up, for the timeout message */
static void
timed_out(void)
{
	char msg[NAMELIST] = "";
	struct status st;
	size_t n = 0;
	int i, w;

	for (i = 0; i < d.n; i++) {
		if (svc_status_named(&d.paths, d.deps[i], &st) > 0 &&
		    status_up(&st) && !st.waiting[0])
			continue;
		w = fmt(msg + n, sizeof(msg) - n, "%s%s", n ? " " : "", d.deps[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	warnf("timed out, not up: %s", msg);
	finish(EXIT_FAIL);
}

static void
parse(int argc, char *argv[])
{
	unsigned long long t;
	size_t n = 0;
	int opt, i, w;

	d.deadline = -1;
	while ((opt = getopt(argc, argv, "+t:")) != -1) {
		if (opt != 't' || parse_ull(optarg, 86400 * 365, &t) < 0)
			usage();
		d.deadline = mono_ms() + (long long)t * 1000;
	}
	d.deps = argv + optind;
	d.n = argc - optind;
	if (d.n < 1)
		usage();
	if (paths_init(&d.paths) < 0)
		exit(EXIT_SYSTEM);
	for (i = 0; i < d.n; i++) {
		const char *name = service_arg(d.paths.sysdir, d.deps[i], &w);

		if (!name)
			exit(EXIT_USAGE);
		d.deps[i] = (char *)name;
		w = fmt(d.list + n, sizeof(d.list) - n, "%s%s", n ? " " : "", name);
		if (w < 0)
			die(EXIT_USAGE, "too many services");
		n += (size_t)w;
	}
}

static void
setup(void)
{
	char line[NAMELIST + 8];
	int i;

	d.selffd = -1;
	d.self = getenv("SYSMGR_SERVICE");
	if (d.self && !name_ok(d.self))
		d.self = NULL;
	for (i = 0; d.self && i < d.n; i++)
		if (!strcmp(d.deps[i], d.self))
			die(EXIT_FAIL, "dependency cycle: %s -> %s", d.self, d.self);
	if (d.self)
		d.selffd = svc_open(&d.paths, d.self, 0);
	if (!(d.subs = calloc((size_t)d.n + 1, sizeof(*d.subs))))
		die(EXIT_SYSTEM, "calloc:");
	catch_signals();      /* before we tell: a signal then undoes it */
	if (fmt(line, sizeof(line), "wait %s", d.list) >= 0)
		tell(line);
	for (i = 0; i < d.n; i++)
		ev_subscribe(&d.paths, d.deps[i], &d.subs[i]);
}

int
main(int argc, char *argv[])
{
	prog_init("sysmgr-depends", SYNOPSIS, argc, argv);
	parse(argc, argv);
	setup();
	for (;;) {
		if (sig_last())
			finish(EXIT_FAIL);
		if (check())
			finish(0);
		check_cycle();
		if (d.deadline >= 0 && mono_ms() >= d.deadline)
			timed_out();
		ev_wait(d.subs, (size_t)d.n + 1, d.deadline);
	}
}
