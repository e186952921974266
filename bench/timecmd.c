/* See LICENSE file for copyright and license details. */
/*
 * timecmd [-n RUNS] [-p PREP] -- COMMAND...
 *
 * Run COMMAND RUNS times (its standard output on /dev/null), each after
 * "sh -c PREP" when given (not timed), and print "min median max" in ms
 * of the wall time from fork to its reaping.  Exits 1 if a run failed
 * with a status above 1 (svctl status exits 1 when a service is not up).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int
main(int argc, char *argv[])
{
	long long runs = 5, t0;
	char *sh[4] = { "sh", "-c", NULL, NULL }, **cmd;
	struct stats s;
	double *v;
	int i, c, st;

	setprog("timecmd");
	while ((c = getopt(argc, argv, "+n:p:")) != -1) {
		if (c == 'n')
			runs = arg_num(optarg, 1, 10000);
		else if (c == 'p')
			sh[2] = optarg;
		else
			die(2, "usage: timecmd [-n RUNS] [-p PREP] -- COMMAND...");
	}
	/* getopt() took the "--" */
	if (optind >= argc || strcmp(argv[optind - 1], "--"))
		die(2, "usage: timecmd [-n RUNS] [-p PREP] -- COMMAND...");
	cmd = argv + optind;
	if (!(v = malloc((size_t)runs * sizeof(*v))))
		die(111, "malloc:");
	for (i = 0; i < runs; i++) {
		if (sh[2] && run(sh, NULL, 0) != 0)
			die(1, "prep failed: %s", sh[2]);
		t0 = now_ns();
		st = run(cmd, NULL, 1);
		v[i] = (double)(now_ns() - t0) / MS;
		if (st < 0 || st > 1)
			die(1, "%s exited %d", cmd[0], st);
	}
	stats(v, (size_t)runs, &s);
	printf("%.3f %.3f %.3f\n", s.min, s.med, s.max);
	return 0;
}
