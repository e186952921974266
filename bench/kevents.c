/* See LICENSE file for copyright and license details. */
/*
 * kevents [-n EVENTS] [-t TIMEOUT_MS] DEVDIR NODE SENTINEL UEVENT...
 *
 * Real kernel uevents, for a device manager already listening and making
 * its nodes in DEVDIR.  SENTINEL is the uevent file of the device whose
 * node is DEVDIR/NODE.  First, readiness: remove the node, write "add" to
 * SENTINEL and wait until the node is back (inotify on DEVDIR; SENTINEL
 * again every second until then, for a lost event).  Then read
 * the clock, remove the node, write "add" EVENTS times to the UEVENT files
 * in turn and once to SENTINEL, and wait until the node is back: the
 * kernel delivers a socket's events in order and the managers handle them
 * one at a time, so every event was handled by then.  Prints
 * "events ms events_per_s write_ms".
 */
#include <sys/inotify.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAXFILES 64

static void
add(int fd, const char *what)
{
	while (pwrite(fd, "add", 3, 0) != 3)
		if (errno != EINTR)
			die(111, "write %s:", what);
}

/* trigger the sentinel (again every second, should an event be lost),
 * wait for its node (removed by the caller); when it came */
static long long
roundtrip(int in, int dirfd, const char *node, int sentinel, const char *spath,
          long long timeout)
{
	union { struct inotify_event ev; char buf[4096]; } u;
	const struct inotify_event *ev;
	long long end = now_ns() + timeout * MS, again = 0, t;
	struct pollfd pfd;
	ssize_t n;
	char *p;

	for (;;) {
		if ((t = now_ns()) >= again) {
			add(sentinel, spath);
			again = t + 1000 * MS;
		}
		pfd.fd = in;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(((again < end ? again : end) - t) / MS) + 1) < 0 &&
		    errno != EINTR)
			die(111, "poll:");
		while ((n = read(in, u.buf, sizeof(u.buf))) > 0)
			for (p = u.buf; p < u.buf + n; p += sizeof(*ev) + ev->len) {
				ev = (const struct inotify_event *)(void *)p;
				if (ev->len && !strcmp(ev->name, node))
					return now_ns();
			}
		if (now_ns() >= end) {
			/* made before our watch saw it? */
			if (faccessat(dirfd, node, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
				return now_ns();
			return -1;
		}
	}
}

int
main(int argc, char *argv[])
{
	long long events = 1000, timeout = 10000, i, t0, tw, t1;
	int fds[MAXFILES], in, dirfd, sentinel, nf, c;
	const char *devdir, *node;

	setprog("kevents");
	while ((c = getopt(argc, argv, "+n:t:")) != -1) {
		if (c == 'n')
			events = arg_num(optarg, 1, 10000000);
		else if (c == 't')
			timeout = arg_num(optarg, 1, 3600000);
		else
			die(2, "usage: kevents [-n EVENTS] [-t TIMEOUT_MS] DEVDIR NODE SENTINEL UEVENT...");
	}
	nf = argc - optind - 3;
	if (nf < 1 || nf > MAXFILES)
		die(2, "usage: kevents [-n EVENTS] [-t TIMEOUT_MS] DEVDIR NODE SENTINEL UEVENT...");
	devdir = argv[optind];
	node = argv[optind + 1];
	if ((dirfd = open(devdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(111, "%s:", devdir);
	if ((in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(in, devdir, IN_CREATE | IN_MOVED_TO) < 0)
		die(111, "inotify %s:", devdir);
	if ((sentinel = open(argv[optind + 2], O_WRONLY | O_CLOEXEC)) < 0)
		die(111, "%s:", argv[optind + 2]);
	for (c = 0; c < nf; c++)
		if ((fds[c] = open(argv[optind + 3 + c], O_WRONLY | O_CLOEXEC)) < 0)
			die(111, "%s:", argv[optind + 3 + c]);
	if (unlinkat(dirfd, node, 0) < 0 && errno != ENOENT)
		die(111, "unlink %s/%s:", devdir, node);
	if (roundtrip(in, dirfd, node, sentinel, argv[optind + 2], timeout) < 0)
		die(1, "not ready: no %s/%s within %lld ms", devdir, node, timeout);
	if (unlinkat(dirfd, node, 0) < 0)
		die(111, "unlink %s/%s:", devdir, node);
	t0 = now_ns();
	for (i = 0; i < events; i++)
		add(fds[i % nf], argv[optind + 3 + i % nf]);
	tw = now_ns();
	if ((t1 = roundtrip(in, dirfd, node, sentinel, argv[optind + 2], timeout)) < 0)
		die(1, "%s/%s not made within %lld ms of the last event", devdir,
		    node, timeout);
	printf("%lld %.3f %.0f %.3f\n", events + 1, (double)(t1 - t0) / MS,
	    (double)(events + 1) * 1e9 / (double)(t1 - t0), (double)(tw - t0) / MS);
	return 0;
}
