/* See LICENSE file for copyright and license details. */
/* sysmgr-notify: tell runsyssv (or any sd_notify receiver) about the service */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "os.h"
#include "util.h"

#define SYNOPSIS "sysmgr-notify ready|reloading|stopping|watchdog\n" \
	"       sysmgr-notify status TEXT...\n" \
	"       sysmgr-notify mainpid PID\n" \
	"environment: NOTIFY_SOCKET"
#define BARRIER_MS 5000       /* as systemd-notify waits */

static void
usage(void)
{
	usage_exit(SYNOPSIS);
}

/* the message of the command line, KEY=VALUE */
static int
message(char *buf, size_t size, int argc, char *argv[])
{
	static const struct { const char *cmd, *msg; } simple[] = {
		{ "ready", "READY=1" }, { "reloading", "RELOADING=1" },
		{ "stopping", "STOPPING=1" }, { "watchdog", "WATCHDOG=1" },
	};
	size_t i, n;
	int j;

	unsigned long long pid;

	for (i = 0; argc == 2 && i < LEN(simple); i++)
		if (!strcmp(argv[1], simple[i].cmd))
			return fmt(buf, size, "%s", simple[i].msg);
	if (argc == 3 && !strcmp(argv[1], "mainpid")) {
		if (parse_ull(argv[2], 0x7fffffff, &pid) < 0 || pid < 2)
			die(EXIT_USAGE, "mainpid: %s: not a process ID", argv[2]);
		return fmt(buf, size, "MAINPID=%llu", pid);
	}
	if (argc < 3 || strcmp(argv[1], "status"))
		usage();
	/* STATUS= takes one line: the words joined by blanks */
	if ((n = (size_t)fmt(buf, size, "STATUS=")) >= size)
		return -1;
	for (j = 2; j < argc; j++) {
		if (strchr(argv[j], '\n'))
			die(EXIT_USAGE, "status: a newline in the text");
		if (fmt(buf + n, size - n, "%s%s", j > 2 ? " " : "", argv[j]) < 0)
			die(EXIT_USAGE, "status: text too long");
		n += strlen(buf + n);
	}
	return (int)n;
}

int
main(int argc, char *argv[])
{
	char buf[2048];
	const char *path;
	int n;

	prog_init("sysmgr-notify", SYNOPSIS, argc, argv);
	if (argc < 2 || argv[1][0] == '-')
		usage();
	if ((n = message(buf, sizeof(buf), argc, argv)) < 0)
		die(EXIT_USAGE, "message too long");
	path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		die(EXIT_FAIL, "NOTIFY_SOCKET is not set: not a service with"
		    " ready=notify");
	if (os_notify_send(path, buf, (size_t)n) < 0)
		die(EXIT_SYSTEM, "%s:", path);
	/* until it was read: the receiver checks who sent it while we live */
	if (os_notify_barrier(path, BARRIER_MS) < 0)
		die(EXIT_SYSTEM, "%s: not read in %d ms:", path, BARRIER_MS);
	return 0;
}
