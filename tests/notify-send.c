/* See LICENSE file for copyright and license details. */
/*
 * notify-send TEXT: TEXT, as it is, one datagram to the sd_notify socket
 * $NOTIFY_SOCKET (a path), then a barrier as systemd-notify sends one:
 * BARRIER=1 with the write end of a pipe, which the receiver closes once
 * it checked the sender; it returns then (at most 5 s later).  For the
 * datagrams systemd-notify does not send (a key twice: it keeps one).
 * Exit 0 when the barrier was passed, 1 else (with the reason).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
send_fd(int s, const struct sockaddr_un *sa, const char *text, int fd)
{
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } c;
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr mh;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = (void *)sa;
	mh.msg_namelen = sizeof(*sa);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		mh.msg_control = c.b;
		mh.msg_controllen = sizeof(c.b);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	return sendmsg(s, &mh, 0) < 0 ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	struct pollfd pfd;
	int s, p[2];

	if (argc != 2 || !path || strlen(path) >= sizeof(sa.sun_path)) {
		fputs("usage: NOTIFY_SOCKET=PATH notify-send TEXT\n", stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    pipe2(p, O_CLOEXEC) < 0 ||
	    send_fd(s, &sa, argv[1], -1) < 0 ||
	    send_fd(s, &sa, "BARRIER=1", p[1]) < 0) {
		perror("notify-send");
		return 1;
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1) {
		fputs("notify-send: the barrier was not passed in 5 s\n", stderr);
		return 1;
	}
	return 0;
}
