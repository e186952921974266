/* See LICENSE file for copyright and license details. */
/*
 * readylat [-t TIMEOUT_MS] GOFIFO T0FILE FIFO
 *
 * One readiness trial (measure 11): writes the go byte to GOFIFO, whose
 * reader (bench/readyat, the main process of a dependency) then reads the
 * clock, says it is ready and writes that time into T0FILE; waits for the
 * next line on FIFO (the first line of a dependent); prints the ms from
 * the time of T0FILE to the read of that line.  The reader must already be
 * there (else "no reader", exit 1); "timeout" and exit 1 when no line
 * comes within TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

#define USAGE "usage: readylat [-t TIMEOUT_MS] GOFIFO T0FILE FIFO"

/* the time readyat wrote, -1 until it is there */
static long long
t0_of(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 1 || buf[n - 1] != '\n')
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

int
main(int argc, char *argv[])
{
	long long timeout = 10000, deadline, at, t0;
	char line[256];
	struct lines l;
	int c, fd;

	setprog("readylat");
	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't')
			die(2, USAGE);
		timeout = arg_num(optarg, 1, 3600000);
	}
	if (argc - optind != 3)
		die(2, USAGE);
	if (lines_open(&l, argv[optind + 2]) < 0)
		die(111, "%s:", argv[optind + 2]);
	if (unlink(argv[optind + 1]) < 0 && errno != ENOENT)
		die(111, "%s:", argv[optind + 1]);
	/* O_NONBLOCK: ENXIO at once when nothing reads it yet */
	if ((fd = open(argv[optind], O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		printf("no reader\n");
		return 1;
	}
	deadline = now_ns() + timeout * MS;
	if (write(fd, "g", 1) != 1)
		die(111, "%s:", argv[optind]);
	close(fd);
	if (!lines_next(&l, deadline, line, sizeof(line), &at)) {
		printf("timeout\n");
		return 1;
	}
	while ((t0 = t0_of(argv[optind + 1])) < 0) {
		if (now_ns() > deadline) {
			printf("timeout (no %s)\n", argv[optind + 1]);
			return 1;
		}
		sleep_ns(MS);
	}
	printf("%.3f\n", (double)(at - t0) / MS);
	return 0;
}
