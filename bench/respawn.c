/* See LICENSE file for copyright and license details. */
/*
 * respawn [-n KILLS] [-s SETTLE_MS] [-t TIMEOUT_MS] FIFO
 *
 * Each start of the service writes its pid as a line to FIFO ("echo $$
 * >FIFO", then exec).  After the first line, KILLS times: wait SETTLE_MS
 * (longer than every supervisor's minimum run time), read the clock,
 * kill(pid, SIGKILL), and wait for the next line; the latency is from just
 * before kill() to the read(2) of that line returning.  Prints
 * "min median p90 max n" in ms, then every sample on one line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

int
main(int argc, char *argv[])
{
	long long kills = 20, settle = 1200, timeout = 5000, t0, at;
	char line[64];
	struct lines l;
	struct stats s;
	double *v;
	pid_t pid;
	int i, c;

	setprog("respawn");
	while ((c = getopt(argc, argv, "n:s:t:")) != -1) {
		if (c == 'n')
			kills = arg_num(optarg, 1, 100000);
		else if (c == 's')
			settle = arg_num(optarg, 0, 600000);
		else if (c == 't')
			timeout = arg_num(optarg, 1, 600000);
		else
			die(2, "usage: respawn [-n KILLS] [-s SETTLE_MS] [-t TIMEOUT_MS] FIFO");
	}
	if (optind != argc - 1)
		die(2, "usage: respawn [-n KILLS] [-s SETTLE_MS] [-t TIMEOUT_MS] FIFO");
	if (lines_open(&l, argv[optind]) < 0)
		die(111, "%s:", argv[optind]);
	if (!(v = malloc((size_t)kills * sizeof(*v))))
		die(111, "malloc:");
	if (!lines_next(&l, now_ns() + timeout * MS, line, sizeof(line), &at))
		die(1, "the service did not start within %lld ms", timeout);
	for (i = 0; i < kills; i++) {
		pid = (pid_t)arg_num(line, 2, 0x7fffffff);
		sleep_ns(settle * MS);
		t0 = now_ns();
		if (kill(pid, SIGKILL) < 0)
			die(111, "kill %ld:", (long)pid);
		if (!lines_next(&l, now_ns() + timeout * MS, line, sizeof(line), &at))
			die(1, "no restart within %lld ms after kill %d", timeout, i + 1);
		v[i] = (double)(at - t0) / MS;
	}
	printf("samples");
	for (i = 0; i < kills; i++)
		printf(" %.3f", v[i]);
	putchar('\n');
	stats(v, (size_t)kills, &s);
	printf("%.3f %.3f %.3f %.3f %lld\n", s.min, s.med, s.p90, s.max, kills);
	return 0;
}
