/* See LICENSE file for copyright and license details. */
/*
 * feed FILE -- COMMAND...
 *
 * The hotplug-helper way of handling events (the kernel's uevent_helper,
 * busybox mdev without -d): for each event of FILE, in devmaster's replay
 * format (NUL-terminated strings, an empty one ends an event), run COMMAND
 * with the event's KEY=value strings as its whole environment, and wait
 * for it.  Prints "events ms events_per_s".
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAXENV 80

int
main(int argc, char *argv[])
{
	char *env[MAXENV + 1], *buf, *p, *end, **cmd;
	long long events = 0, t0;
	struct stat st;
	int fd, ne;
	ssize_t r;
	size_t got;

	setprog("feed");
	if (argc < 4 || !(cmd = command(argc, argv, 2)))
		die(2, "usage: feed FILE -- COMMAND...");
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
		die(111, "%s:", argv[1]);
	if (!(buf = malloc((size_t)st.st_size + 2)))
		die(111, "malloc:");
	for (got = 0; got < (size_t)st.st_size; got += (size_t)r)
		if ((r = read(fd, buf + got, (size_t)st.st_size - got)) <= 0)
			die(111, "read %s:", argv[1]);
	close(fd);
	buf[got] = buf[got + 1] = '\0';
	end = buf + got;
	t0 = now_ns();
	for (p = buf; p < end; ) {
		for (ne = 0; p < end && *p; p += strlen(p) + 1)
			if (strchr(p, '=') && ne < MAXENV)
				env[ne++] = p;
		p++;                    /* the empty string */
		if (!ne)
			continue;
		env[ne] = NULL;
		if (run(cmd, env, 0) == 127) {
			free(buf);
			return 111;
		}
		events++;
	}
	r = (ssize_t)(now_ns() - t0);
	printf("%lld %.3f %.0f\n", events, (double)r / MS,
	    r > 0 ? (double)events * 1e9 / (double)r : 0.0);
	free(buf);
	return 0;
}
