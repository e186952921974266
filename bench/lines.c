/* See LICENSE file for copyright and license details. */
/*
 * lines [-n LINES] [-t TIMEOUT_MS] [-o FILE] [-r FROM TO] FIFO [-- COMMAND...]
 *
 * Read the clock, then rename FROM to TO (-r) and start COMMAND (not
 * waited for: a supervisor goes on running), then wait for LINES lines on
 * FIFO (copied to FILE with -o).  Prints the ms from the clock reading to
 * the first and to the last line, or "timeout GOT/LINES" and exits 1.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "common.h"

static void
usage(void)
{
	die(2, "usage: lines [-n LINES] [-t TIMEOUT_MS] [-o FILE] [-r FROM TO] FIFO [-- COMMAND...]");
}

int
main(int argc, char *argv[])
{
	long long n = 1, timeout = 10000, t0, first = 0, at = 0, got;
	const char *from = NULL, *to = NULL, *copy = NULL;
	char line[256];
	FILE *out = NULL;
	struct lines l;
	char **cmd;
	int c;

	setprog("lines");
	while ((c = getopt(argc, argv, "+n:o:r:t:")) != -1) {
		if (c == 'n')
			n = arg_num(optarg, 1, 1000000);
		else if (c == 'o')
			copy = optarg;
		else if (c == 't')
			timeout = arg_num(optarg, 1, 3600000);
		else if (c == 'r' && optind < argc) {
			from = optarg;
			to = argv[optind++];
		} else
			usage();
	}
	if (optind >= argc)
		usage();
	if (lines_open(&l, argv[optind]) < 0)
		die(111, "%s:", argv[optind]);
	cmd = command(argc, argv, optind + 1);
	/* not for the supervisor */
	if (copy && (!(out = fopen(copy, "w")) ||
	    fcntl(fileno(out), F_SETFD, FD_CLOEXEC) < 0))
		die(111, "%s:", copy);
	t0 = now_ns();
	if (from && rename(from, to) < 0)
		die(111, "rename %s %s:", from, to);
	if (cmd)
		spawn(cmd, NULL, 1);
	for (got = 0; got < n; got++) {
		if (!lines_next(&l, t0 + timeout * MS, line, sizeof(line), &at)) {
			printf("timeout %lld/%lld\n", got, n);
			return 1;
		}
		if (!got)
			first = at;
		if (out)
			fprintf(out, "%s\n", line);
	}
	if (out && fclose(out) == EOF)
		die(111, "%s:", copy);
	printf("%.3f %.3f\n", (double)(first - t0) / MS, (double)(at - t0) / MS);
	return 0;
}
