/* See LICENSE file for copyright and license details. */
/*
 * gone [-t TIMEOUT_MS] PATTERN... -- COMMAND...
 *
 * Read the clock, start COMMAND (a stop command, not waited for), then
 * every ms scan /proc for live processes whose command line (arguments
 * joined by spaces) contains each PATTERN.  Prints, per PATTERN, the ms
 * until none was left, or "left:N" with the number still there after
 * TIMEOUT_MS.  A zombie has no command line: dead counts as gone.  Each
 * scan costs about 30 us per process of the PID namespace it runs in.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAXPAT 8

/* the number of processes matching each pattern into count[] */
static void
scan(char **pat, int npat, int *count)
{
	char path[300], buf[4096];
	struct dirent *e;
	ssize_t n, i;
	DIR *d;
	int fd, k;
	long self = (long)getpid();

	memset(count, 0, (size_t)npat * sizeof(*count));
	if (!(d = opendir("/proc")))
		die(111, "/proc:");
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    atol(e->d_name) == self)
			continue;
		if (snprintf(path, sizeof(path), "/proc/%s/cmdline",
		    e->d_name) >= (int)sizeof(path) ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[n] = '\0';
		for (k = 0; k < npat; k++)
			if (strstr(buf, pat[k]))
				count[k]++;
	}
	closedir(d);
}

int
main(int argc, char *argv[])
{
	long long timeout = 10000, t0, t, done[MAXPAT];
	int count[MAXPAT], npat, k, left, c;
	char **cmd;

	setprog("gone");
	while ((c = getopt(argc, argv, "+t:")) != -1) {
		if (c != 't')
			die(2, "usage: gone [-t TIMEOUT_MS] PATTERN... -- COMMAND...");
		timeout = arg_num(optarg, 1, 3600000);
	}
	for (npat = 0; optind + npat < argc && strcmp(argv[optind + npat], "--"); npat++)
		;
	if (npat < 1 || npat > MAXPAT)
		die(2, "usage: gone [-t TIMEOUT_MS] PATTERN... -- COMMAND...");
	cmd = command(argc, argv, optind + npat);
	if (!cmd)
		die(2, "usage: gone [-t TIMEOUT_MS] PATTERN... -- COMMAND...");
	for (k = 0; k < npat; k++)
		done[k] = -1;
	t0 = now_ns();
	spawn(cmd, NULL, 1);
	for (;;) {
		scan(argv + optind, npat, count);
		t = now_ns();
		for (k = left = 0; k < npat; k++) {
			if (done[k] < 0 && !count[k])
				done[k] = t;
			left += done[k] < 0;
		}
		if (!left || t - t0 >= timeout * MS)
			break;
		sleep_ns(MS);
	}
	for (k = 0; k < npat; k++) {
		if (done[k] >= 0)
			printf("%s%.1f", k ? " " : "", (double)(done[k] - t0) / MS);
		else
			printf("%sleft:%d", k ? " " : "", count[k]);
	}
	putchar('\n');
	return 0;
}
