/* See LICENSE file for copyright and license details. */
/* devmaster: keep DEVDIR in step with the kernel's uevents */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../config.h"
#include "../util.h"
#include "coldplug.h"
#include "devmaster.h"
#include "netlink.h"

extern char **environ;

static struct devmaster dm;

static void
usage(void)
{
	fprintf(stderr, "usage: devmaster [-cn] [-b bytes] [-D fd] [-d devdir] "
	        "[-f file] [-r file] [-S sysfs]\n"
	        "                 [-T seconds]\n"
	        "       devmaster -t [-f file]\n");
	exit(EXIT_USAGE);
}

static unsigned long long
number(int opt, const char *s, unsigned long long min, unsigned long long max)
{
	unsigned long long v;

	if (parse_ull(s, max, &v) < 0 || v < min)
		die(EXIT_USAGE, "-%c: '%s' is not a number from %llu to %llu",
		    opt, s, min, max);
	return v;
}

static void
options(struct devmaster *d, int argc, char *argv[])
{
	int c;

	while ((c = getopt(argc, argv, "b:cD:d:f:nr:S:tT:")) != -1) {
		switch (c) {
		case 'b':
			d->rcvbuf = (unsigned long)number(c, optarg, 1, 1UL << 30);
			break;
		case 'c':
			d->coldplug = 1;
			break;
		case 'D':
			d->notify = (int)number(c, optarg, 0, 1 << 20);
			break;
		case 'd':
			d->node.devdir = optarg;
			break;
		case 'f':
			d->conf = optarg;
			d->conf_given = 1;
			break;
		case 'n':
			d->node.dryrun = 1;
			break;
		case 'r':
			d->replay = optarg;
			break;
		case 'S':
			d->sysfs = optarg;
			break;
		case 't':
			d->check = 1;
			break;
		case 'T':
			d->timeout_ms = 1000LL * (long long)number(c, optarg, 1, 86400);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (d->notify >= 0 && fcntl(d->notify, F_GETFD) < 0)
		die(EXIT_USAGE, "-D %d:", d->notify);
}

void
dm_signals(struct devmaster *d)
{
	int sig;

	while ((sig = sig_next(d->sigfd)) > 0) {
		if (sig == SIGTERM || sig == SIGINT)
			d->quit = 1;
		else if (sig == SIGHUP)
			d->reload = 1;
	}
}

static void
load_rules(struct devmaster *d)
{
	if (rules_load(&d->rules, d->conf) >= 0)
		return;
	if (errno != ENOENT) {
		warnf("%s: rules unchanged:", d->conf);
		return;
	}
	if (d->conf_given)
		warnf("%s: no rules:", d->conf);
	rules_free(&d->rules);
}

/* signals that came with or before the input just read come first */
static void
pending(struct devmaster *d)
{
	dm_signals(d);
	if (d->reload) {
		d->reload = 0;
		load_rules(d);
	}
}

/* say why input was dropped: each time in replay, else once in a while */
static void
dropped(struct devmaster *d, const char *why)
{
	long long now = mono_ms();

	if (d->nl >= 0 && now < d->drop_next) {
		d->drops++;
		return;
	}
	if (d->drops)
		warnf("dropped a uevent: %s (and %lu more since)", why, d->drops);
	else
		warnf("dropped a uevent: %s", why);
	d->drops = 0;
	d->drop_next = now + DEVMASTER_LOG_MS;
}

static void
datagram(struct devmaster *d, const char *buf, size_t len)
{
	struct uevent ev;
	const char *why;

	if ((why = uevent_parse(&ev, buf, len)))
		dropped(d, why);
	else
		handle(d, &ev);
}

static int
cold_one(void *ctx, const char *dg, size_t len)
{
	struct devmaster *d = ctx;

	datagram(d, dg, len);
	return d->quit ? -1 : 0;   /* TERM or INT in a command's wait */
}

/*
 * Signals wait until the end, but for TERM and INT during a command.
 * Devices without a number only run commands: without an '@' or '*' rule,
 * they are not read at all.
 */
static void
cold(struct devmaster *d)
{
	node_hold(&d->node);
	coldplug(d->sysfs, rules_run_on_add(&d->rules), cold_one, d);
	node_release(&d->node);
}

static void
read_netlink(struct devmaster *d)
{
	char why[96];
	ssize_t n;
	int e;

	while (!d->quit) {
		n = nl_recv(d->nl, d->dg, sizeof(d->dg), why, sizeof(why));
		e = errno;
		if (n == 0)
			return;
		pending(d);
		errno = e;
		if (n > 0)
			datagram(d, d->dg, (size_t)n);
		else if (n == -2)
			dropped(d, why);
		else if (errno == ENOBUFS) {
			warnf("uevents were lost: coldplug again");
			cold(d);
		} else
			die(EXIT_SYSTEM, "netlink:");
	}
}

/* 0 at the end of the input */
static int
read_replay(struct devmaster *d)
{
	const char *ev;
	size_t len;
	long n;
	int r;

	if ((n = replay_fill(&d->in)) < 0)
		die(EXIT_SYSTEM, "%s:", d->replay);
	pending(d);
	while (!d->quit && (r = replay_next(&d->in, &ev, &len)) != 0) {
		if (r < 0)
			dropped(d, "larger than the replay buffer");
		else
			datagram(d, ev, len);
	}
	return n > 0;
}

static void
setup_env(struct devmaster *d)
{
	size_t n = 0;

	while (environ[n])
		n++;
	d->env = environ;
	d->nenv = n;
	/* the event's variables, MDEV, MATCH_0..9, environ, NULL */
	d->cmdenv = calloc(UEVENT_VARS_MAX + 1 + RULE_GROUPS + n + 1,
	                   sizeof(*d->cmdenv));
	if (!d->cmdenv)
		die(EXIT_SYSTEM, "calloc:");
}

static void
setup_source(struct devmaster *d)
{
	if (!d->replay) {
		if ((d->nl = nl_open(d->rcvbuf)) < 0)
			die(EXIT_SYSTEM, "netlink socket:");
		return;
	}
	d->in.fd = strcmp(d->replay, "-") ? open(d->replay, O_RDONLY | O_CLOEXEC) : 0;
	if (d->in.fd < 0)
		die(EXIT_SYSTEM, "%s:", d->replay);
}

static void
setup(struct devmaster *d)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD };

	umask(022);
	if ((fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0 ||
	     fcntl(2, F_GETFD) < 0) && std_fds() < 0)
		warnf("/dev/null:");   /* before our nodes exist, maybe */
	if ((d->sigfd = sig_pipe(sigs, LEN(sigs))) < 0)
		die(EXIT_SYSTEM, "signals:");
	if (d->notify >= 0 && set_cloexec(d->notify) < 0)
		die(EXIT_SYSTEM, "-D %d:", d->notify);
	setup_env(d);
	load_rules(d);
	setup_source(d);
}

/* coldplug (-c), then say it is done (-D) */
static void
ready(struct devmaster *d)
{
	if (d->coldplug)
		cold(d);
	fflush(stdout);
	if (d->notify < 0)
		return;
	if (write_all(d->notify, "\n", 1) < 0)
		warnf("-D %d:", d->notify);
	close(d->notify);
	d->notify = -1;
}

static void
loop(struct devmaster *d)
{
	struct pollfd p[2];

	p[0].fd = d->sigfd;
	p[0].events = POLLIN;
	p[1].fd = d->nl >= 0 ? d->nl : d->in.fd;
	p[1].events = POLLIN;
	while (!d->quit) {
		fflush(stdout);
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(EXIT_SYSTEM, "poll:");
		}
		pending(d);
		if (!p[1].revents)
			continue;
		if (d->nl >= 0)
			read_netlink(d);
		else if (!read_replay(d))
			break;
	}
	fflush(stdout);
}

static int
check(struct devmaster *d)
{
	long bad = rules_load(&d->rules, d->conf);

	if (bad < 0)
		die(EXIT_FAIL, "%s:", d->conf);
	return bad ? EXIT_FAIL : 0;
}

int
main(int argc, char *argv[])
{
	struct devmaster *d = &dm;

	setprogname("devmaster");
	d->conf = DEVMASTER_CONF;
	d->node.devdir = DEVMASTER_DEVDIR;
	d->sysfs = DEVMASTER_SYSFS;
	d->rcvbuf = DEVMASTER_RCVBUF;
	d->timeout_ms = 1000LL * DEVMASTER_CMD_TIMEOUT;
	d->notify = d->nl = d->node.dirfd = -1;
	options(d, argc, argv);
	if (d->check)
		return check(d);
	setup(d);
	ready(d);
	loop(d);
	return 0;
}
