/* See LICENSE file for copyright and license details. */
/*
 * floor SCRIPT: the least a supervisor can do, a bare fork/exec/wait loop.
 * Started again at once whenever it ends, forever; stops only when the
 * exec fails or after 1000 runs shorter than 10 ms in a row.
 */
#include "common.h"

int
main(int argc, char *argv[])
{
	long long t;
	int fast = 0;

	setprog("floor");
	if (argc != 2)
		die(2, "usage: floor SCRIPT");
	while (fast < 1000) {
		t = now_ns();
		if (run(argv + 1, NULL, 0) == 127)
			return 111;
		fast = now_ns() - t < 10 * MS ? fast + 1 : 0;
	}
	die(1, "%s: 1000 runs shorter than 10 ms", argv[1]);
	return 1;
}
