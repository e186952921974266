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
#include "node.h"
#include "replay.h"
#include "rules.h"
#include "uevent.h"
#include "coldplug.h"
#include "command.h"
#include "handle.h"
#include "netlink.h"

extern char **environ;

static struct devmaster {
	/* options */
	const char *conf, *sysfs, *replay;
	int conf_given;
	struct nodectx node;          /* -d DEVDIR, -n */
	unsigned long rcvbuf;         /* -b */
	int coldplug, check;          /* -c, -t */
	int notify;                   /* -D fd, or -1 */
	/* state */
	int sigfd;
	int nl;                       /* the netlink socket, or -1 in replay */
	int quit, reload;             /* TERM or INT, HUP came */
	int cold;                     /* a coldplug is under way */
	struct rules rules;
	struct handler h;             /* the event being handled */
	struct command cmd;           /* its command; -T in cmd.timeout_ms */
	struct coldplug scan;
	long long drop_next;          /* when a dropped datagram is said again */
	unsigned long drops;          /* how many were not said since */
	char dg[UEVENT_SIZE_MAX + 1]; /* the datagram from netlink */
	struct replay in;             /* the input of -r */
} dm;

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
			d->cmd.timeout_ms = 1000LL * (long long)number(c, optarg, 1, 86400);
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

static void
load_rules(struct devmaster *d)
{
	if (rules_load(&d->rules, d->conf) >= 0)
		return;
	if (errno != ENOENT) {
		warnf("%s: rules unchanged: %s", d->conf, rules_why(errno));
		return;
	}
	if (d->conf_given)
		warnf("%s: no rules:", d->conf);
	rules_free(&d->rules);
}

/*
 * Signals that came with or before the input just read come first: TERM
 * and INT stop devmaster (and kill a command), HUP reloads the rules
 * between two events.
 */
static void
pending(struct devmaster *d)
{
	int sig;

	while ((sig = sig_next(d->sigfd)) > 0) {
		if (sig == SIGTERM || sig == SIGINT)
			d->quit = d->cmd.stop = 1;
		else if (sig == SIGHUP)
			d->reload = 1;
	}
	if (d->reload && !d->h.busy) {
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
		handle_start(&d->h, &ev);
}

/* coldplug (-c, or after lost events): its events come before the input */
static void
cold_start(struct devmaster *d)
{
	node_hold(&d->node);
	coldplug_start(&d->scan, d->sysfs, rules_run_on_add(&d->rules));
	d->cold = 1;
}

/* say that the first coldplug is done, or that we run (-D) */
static void
ready(struct devmaster *d)
{
	fflush(stdout);
	if (d->notify < 0)
		return;
	if (write_all(d->notify, "\n", 1) < 0)
		warnf("-D %d:", d->notify);
	close(d->notify);
	d->notify = -1;
}

/*
 * Each of these handles events until one waits for its command, none is
 * ready, or devmaster stops.  Devices without a number only run commands:
 * without an '@' or '*' rule, the coldplug does not read them at all.
 */
static void
read_cold(struct devmaster *d)
{
	const char *dg;
	size_t n;

	while (!d->h.busy && !d->quit) {
		if ((n = coldplug_next(&d->scan, &dg)) == 0) {
			node_release(&d->node);
			d->cold = 0;
			ready(d);
			return;
		}
		pending(d);
		datagram(d, dg, n);
	}
}

static void
read_netlink(struct devmaster *d)
{
	char why[96];
	ssize_t n;
	int e;

	while (!d->h.busy && !d->quit && !d->cold) {
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
			cold_start(d);
		} else
			die(EXIT_SYSTEM, "netlink:");
	}
}

/* more input when readable; 0 once every event of the input is done */
static int
read_replay(struct devmaster *d, int readable)
{
	const char *ev;
	size_t len;
	int r;

	if (readable && replay_fill(&d->in) < 0)
		die(EXIT_SYSTEM, "%s:", d->replay);
	while (!d->h.busy && !d->quit &&
	       (r = replay_next(&d->in, &ev, &len)) != 0) {
		pending(d);
		if (r < 0)
			dropped(d, "larger than the replay buffer");
		else
			datagram(d, ev, len);
	}
	return d->h.busy || !d->in.eof;
}

/* a FIFO given to -r is opened without waiting for a writer (signals
 * are heard meanwhile), then read as it was */
static void
setup_source(struct devmaster *d)
{
	int fl;

	if (!d->replay) {
		if ((d->nl = nl_open(d->rcvbuf)) < 0)
			die(EXIT_SYSTEM, "netlink socket:");
		return;
	}
	if (!strcmp(d->replay, "-")) {
		d->in.fd = 0;
		return;
	}
	if ((d->in.fd = open(d->replay, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	                     O_NOCTTY)) < 0 ||
	    (fl = fcntl(d->in.fd, F_GETFL)) < 0 ||
	    fcntl(d->in.fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		die(EXIT_SYSTEM, "%s:", d->replay);
}

/* -D's fd, not inherited; one of 0, 1 or 2 moves above them and that
 * stream is /dev/null from the start: no command writes into it */
static int
notify_fd(struct devmaster *d)
{
	int fd;

	if (d->notify > 2)
		return set_cloexec(d->notify);
	if ((fd = fcntl(d->notify, F_DUPFD_CLOEXEC, 3)) < 0)
		return -1;
	close(d->notify);
	d->notify = fd;
	if (std_fds() < 0)
		warnf("/dev/null:");
	return 0;
}

static void
setup(struct devmaster *d)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD };
	/* a reader of -D, stdout or stderr gone is an error we say, not our
	 * death (the commands get every signal back at its default) */
	static const int ign[] = { SIGPIPE };

	umask(022);
	if ((fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0 ||
	     fcntl(2, F_GETFD) < 0) && std_fds() < 0)
		warnf("/dev/null:");   /* before our nodes exist, maybe */
	if ((d->sigfd = sig_pipe(sigs, LEN(sigs))) < 0 ||
	    sig_ignore(ign, LEN(ign)) < 0)
		die(EXIT_SYSTEM, "signals:");
	if (d->notify >= 0 && notify_fd(d) < 0)
		die(EXIT_SYSTEM, "-D %d:", d->notify);
	d->cmd.dir = d->node.devdir;
	d->cmd.dryrun = d->node.dryrun;
	if (command_setup(&d->cmd, environ) < 0)
		die(EXIT_SYSTEM, "calloc:");
	d->h.rules = &d->rules;
	d->h.dev = &d->node;
	d->h.cmd = &d->cmd;
	load_rules(d);
	setup_source(d);
	if (d->coldplug)
		cold_start(d);
	else
		ready(d);
}

/* the next events: of the coldplug first, else of the input; 0 at its end */
static int
work(struct devmaster *d, int readable)
{
	if (d->cold)
		read_cold(d);
	else if (d->nl >= 0)
		read_netlink(d);
	else
		return read_replay(d, readable);
	return 1;
}

/*
 * One loop: while a command runs, only signals and its end are waited
 * for, and the rules of its event go on after it; then the coldplug, then
 * the input.
 */
static void
loop(struct devmaster *d)
{
	struct pollfd p[2];
	nfds_t n;
	int t;

	p[0].fd = d->sigfd;
	p[0].events = POLLIN;
	p[1].fd = d->nl >= 0 ? d->nl : d->in.fd;
	p[1].events = POLLIN;
	for (;;) {
		fflush(stdout);
		n = d->h.busy || d->cold ? 1 : 2;
		t = d->h.busy ? command_timeout(&d->cmd) : d->cold ? 0 : -1;
		p[1].revents = 0;
		if (poll(p, n, t) < 0 && errno != EINTR)
			die(EXIT_SYSTEM, "poll:");
		pending(d);
		if (d->h.busy && command_wait(&d->cmd))
			handle_resume(&d->h);
		if (d->h.busy)
			continue;
		if (d->quit || !work(d, p[1].revents != 0))
			break;
	}
	fflush(stdout);
}

static int
check(struct devmaster *d)
{
	long bad = rules_load(&d->rules, d->conf);

	if (bad < 0)
		die(EXIT_FAIL, "%s: %s", d->conf, rules_why(errno));
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
	d->cmd.timeout_ms = 1000LL * DEVMASTER_CMD_TIMEOUT;
	d->notify = d->nl = d->node.dirfd = -1;
	options(d, argc, argv);
	if (d->check)
		return check(d);
	setup(d);
	loop(d);
	return 0;
}
