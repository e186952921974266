/* See LICENSE file for copyright and license details. */
/*
 * floor SCRIPT: the least a supervisor can do, a bare fork/exec/wait loop.
 * Started again at once whenever it ends, forever; stops only when the
 * exec fails or after 1000 runs shorter than 10 ms in a row.
 */
#include <sys/wait.h>

#include <errno.h>
#include <unistd.h>

#include "common.h"

int
main(int argc, char *argv[])
{
	long long t;
	int fast = 0, ws;
	pid_t pid;

	setprog("floor");
	if (argc != 2)
		die(2, "usage: floor SCRIPT");
	while (fast < 1000) {
		t = now_ns();
		if ((pid = fork()) < 0)
			die(111, "fork:");
		if (pid == 0) {
			execl(argv[1], argv[1], (char *)NULL);
			warnx_("exec %s:", argv[1]);
			_exit(127);
		}
		while (waitpid(pid, &ws, 0) < 0)
			if (errno != EINTR)
				die(111, "waitpid:");
		if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
			return 111;
		fast = now_ns() - t < 10 * MS ? fast + 1 : 0;
	}
	die(1, "%s: 1000 runs shorter than 10 ms", argv[1]);
	return 1;
}
