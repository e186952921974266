/* See LICENSE file for copyright and license details. */
/*
 * readyat -n|-f FD GOFIFO T0FILE
 *
 * The main process of a service that becomes ready when told: waits for a
 * byte on GOFIFO, reads the clock, says it is ready (-n: the datagram
 * "READY=1" to the socket of NOTIFY_SOCKET, the sd_notify protocol; -f FD:
 * a newline written to FD, s6's notification-fd and dinit's pipefd), then
 * writes the time read (ns of CLOCK_MONOTONIC) into T0FILE, and sleeps
 * until killed.  The clock is read just before the message is sent: the
 * time from it to a dependent's line is the readiness latency (measure 11).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define USAGE "usage: readyat -n|-f FD GOFIFO T0FILE"

/* a datagram socket connected to NOTIFY_SOCKET (a leading '@': abstract) */
static int
notify_socket(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	size_t n;
	int fd;

	if (!path || !*path)
		die(111, "NOTIFY_SOCKET is not set");
	if ((n = strlen(path)) >= sizeof(sa.sun_path))
		die(111, "%s: too long", path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (path[0] != '@'));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, len) < 0)
		die(111, "%s:", path);
	return fd;
}

int
main(int argc, char *argv[])
{
	static const char ready[] = "READY=1";
	char go, t[32];
	long long t0;
	int c, fd, nfd = -1, rfd = -1, n;

	setprog("readyat");
	while ((c = getopt(argc, argv, "nf:")) != -1) {
		if (c == 'n')
			nfd = 1;
		else if (c == 'f')
			rfd = (int)arg_num(optarg, 0, 1023);
		else
			die(2, USAGE);
	}
	if (argc - optind != 2 || (nfd < 0) == (rfd < 0))
		die(2, USAGE);
	/* connected before the wait: the window holds the send alone */
	if (nfd > 0)
		nfd = notify_socket();
	if ((fd = open(argv[optind], O_RDONLY | O_CLOEXEC)) < 0)
		die(111, "%s:", argv[optind]);
	if (read(fd, &go, 1) != 1)
		die(111, "%s: no go byte", argv[optind]);
	close(fd);
	t0 = now_ns();
	if (nfd >= 0 ? send(nfd, ready, sizeof(ready) - 1, 0) < 0 :
	    write(rfd, "\n", 1) != 1)
		die(111, "cannot say ready:");
	n = snprintf(t, sizeof(t), "%lld\n", t0);
	if ((fd = open(argv[optind + 1], O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) < 0 || write(fd, t, (size_t)n) != n ||
	    close(fd) < 0)
		die(111, "%s:", argv[optind + 1]);
	for (;;)
		pause();
}
