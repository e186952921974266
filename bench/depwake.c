/* See LICENSE file for copyright and license details. */
/*
 * depwake [-t TIMEOUT_MS] DIR FILE STRING FIFO -- COMMAND...
 *
 * Watch DIR with inotify, start COMMAND (which brings a dependency up; not
 * waited for), and note when DIR/FILE, created, written or renamed into
 * place, first contains STRING (the dependency is up), and when the next
 * line arrives on FIFO (the waiter went on).  Prints the ms between the
 * two, then each from the start; exits 1 when either did not happen
 * within TIMEOUT_MS.
 */
#include <sys/inotify.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static int
has(const char *dir, const char *file, const char *string)
{
	char path[4096], buf[8192];
	FILE *f;
	size_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path) ||
	    !(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, string) != NULL;
}

int
main(int argc, char *argv[])
{
	long long timeout = 10000, t0, up = -1, woke = -1, at;
	union { struct inotify_event ev; char buf[4096]; } u;
	const struct inotify_event *ev;
	struct pollfd pfd[2];
	char line[256], *p, **cmd;
	struct lines l;
	ssize_t n;
	int fd, c;

	setprog("depwake");
	while ((c = getopt(argc, argv, "+t:")) != -1) {
		if (c != 't')
			die(2, "usage: depwake [-t TIMEOUT_MS] DIR FILE STRING FIFO -- COMMAND...");
		timeout = arg_num(optarg, 1, 3600000);
	}
	if (argc - optind < 4 || !(cmd = command(argc, argv, optind + 4)))
		die(2, "usage: depwake [-t TIMEOUT_MS] DIR FILE STRING FIFO -- COMMAND...");
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(fd, argv[optind], IN_CLOSE_WRITE | IN_MOVED_TO |
	    IN_CREATE) < 0)
		die(111, "inotify %s:", argv[optind]);
	if (lines_open(&l, argv[optind + 3]) < 0)
		die(111, "%s:", argv[optind + 3]);
	t0 = now_ns();
	spawn(cmd, NULL, 1);
	while (up < 0 || woke < 0) {
		long long left = t0 + timeout * MS - now_ns();

		if (left <= 0) {
			printf("timeout%s%s\n", up < 0 ? " (not up)" : "",
			    woke < 0 ? " (no wake-up)" : "");
			return 1;
		}
		pfd[0].fd = fd;
		pfd[1].fd = l.fd;
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, (int)(left / MS) + 1) < 0)
			continue;
		at = now_ns();
		if (pfd[1].revents && woke < 0 &&
		    lines_next(&l, 0, line, sizeof(line), &woke) == 0)
			woke = -1;
		if (!pfd[0].revents)
			continue;
		while ((n = read(fd, u.buf, sizeof(u.buf))) > 0)
			for (p = u.buf; p < u.buf + n; p += sizeof(*ev) + ev->len) {
				ev = (const struct inotify_event *)(void *)p;
				if (up < 0 && ev->len &&
				    !strcmp(ev->name, argv[optind + 1]) &&
				    has(argv[optind], argv[optind + 1], argv[optind + 2]))
					up = at;
			}
	}
	printf("%.3f %.3f %.3f\n", (double)(woke - up) / MS,
	    (double)(up - t0) / MS, (double)(woke - t0) / MS);
	return 0;
}
