/* See LICENSE file for copyright and license details. */
/*
 * logwait [-t TIMEOUT_MS] [-i INTERVAL_MS] GOFIFO BYTES DIR
 *
 * One logging run (measure 12): writes the go byte to GOFIFO, whose reader
 * (bench/spew, a service) then writes its lines, and looks every
 * INTERVAL_MS (default 1) at the sizes of DIR/current and of the rotated
 * files DIR/@* until they add up to BYTES at least; prints the ms from
 * the go byte to then, and the bytes seen.  The reader must already be
 * there (else "no reader", exit 1); "timeout BYTES_SEEN" and exit 1 when
 * the bytes are not there within TIMEOUT_MS.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define USAGE "usage: logwait [-t TIMEOUT_MS] [-i INTERVAL_MS] GOFIFO BYTES DIR"

/* the bytes of current and of the rotated files; -1 when DIR is not there */
static long long
logged(const char *dir)
{
	struct dirent *e;
	struct stat st;
	long long sum = 0;
	DIR *d;

	if (!(d = opendir(dir)))
		return -1;
	while ((e = readdir(d)))
		if ((e->d_name[0] == '@' || !strcmp(e->d_name, "current")) &&
		    fstatat(dirfd(d), e->d_name, &st, 0) == 0)
			sum += (long long)st.st_size;
	closedir(d);
	return sum;
}

int
main(int argc, char *argv[])
{
	long long timeout = 60000, every = 1, want, t0, seen = 0;
	int c, fd;

	setprog("logwait");
	while ((c = getopt(argc, argv, "t:i:")) != -1) {
		if (c == 't')
			timeout = arg_num(optarg, 1, 3600000);
		else if (c == 'i')
			every = arg_num(optarg, 1, 1000);
		else
			die(2, USAGE);
	}
	if (argc - optind != 3)
		die(2, USAGE);
	want = arg_num(argv[optind + 1], 1, 1LL << 50);
	/* O_NONBLOCK: ENXIO at once when nothing reads it yet */
	if ((fd = open(argv[optind], O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		printf("no reader\n");
		return 1;
	}
	t0 = now_ns();
	if (write(fd, "g", 1) != 1)
		die(111, "%s:", argv[optind]);
	close(fd);
	while ((seen = logged(argv[optind + 2])) < want) {
		if (now_ns() - t0 > timeout * MS) {
			printf("timeout %lld\n", seen);
			return 1;
		}
		sleep_ns(every * MS);
	}
	printf("%.3f %lld\n", (double)(now_ns() - t0) / MS, seen);
	return 0;
}
