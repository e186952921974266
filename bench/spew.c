/* See LICENSE file for copyright and license details. */
/*
 * spew [-b] [-g GOFIFO] N LEN
 *
 * A service that writes N numbered lines of LEN bytes each (the newline
 * included: "000000000 xxx...x\n") to its standard output as fast as it
 * can, one write(2) a line, as a daemon logging to stderr does (-b: in
 * blocks of 4096 bytes, as stdio buffers a pipe, lines cut across
 * blocks), after a byte read from GOFIFO when given; then sleeps until
 * killed, so that no supervisor starts it again (measure 12).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define USAGE "usage: spew [-b] [-g GOFIFO] N LEN"
#define BLOCK 4096

static void
put(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(1, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			die(111, "write:");
		}
		p += w;
		n -= (size_t)w;
	}
}

int
main(int argc, char *argv[])
{
	static char buf[BLOCK + 4096];
	char line[4096], num[24];
	long long n, i;
	size_t len, have = 0;
	const char *go = NULL;
	int c, block = 0, fd;

	setprog("spew");
	while ((c = getopt(argc, argv, "bg:")) != -1) {
		if (c == 'b')
			block = 1;
		else if (c == 'g')
			go = optarg;
		else
			die(2, USAGE);
	}
	if (argc - optind != 2)
		die(2, USAGE);
	n = arg_num(argv[optind], 0, 999999999);
	len = (size_t)arg_num(argv[optind + 1], 11, (long long)sizeof(line));
	memset(line, 'x', len - 1);
	line[len - 1] = '\n';
	if (go) {
		if ((fd = open(go, O_RDONLY | O_CLOEXEC)) < 0)
			die(111, "%s:", go);
		if (read(fd, num, 1) != 1)
			die(111, "%s: no go byte", go);
		close(fd);
	}
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%09lld ", i);
		memcpy(line, num, 10);
		if (!block) {
			put(line, len);
			continue;
		}
		memcpy(buf + have, line, len);
		if ((have += len) >= BLOCK) {
			put(buf, BLOCK);
			memmove(buf, buf + BLOCK, have - BLOCK);
			have -= BLOCK;
		}
	}
	put(buf, have);
	for (;;)
		pause();
}
