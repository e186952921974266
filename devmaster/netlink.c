/* See LICENSE file for copyright and license details. */
#define _GNU_SOURCE   /* struct ucred, SO_PASSCRED, SO_RCVBUFFORCE */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"

/* from <linux/netlink.h>, which a libc without kernel headers lacks */
#define NETLINK_KOBJECT_UEVENT 15
struct nladdr {              /* struct sockaddr_nl */
	sa_family_t family;      /* AF_NETLINK */
	unsigned short pad;
	uint32_t pid;            /* the sender's port: 0 for the kernel */
	uint32_t groups;
};

int
nl_open(unsigned long rcvbuf)
{
	struct nladdr sa;
	int fd, on = 1, size = rcvbuf > INT_MAX / 2 ? INT_MAX / 2 : (int)rcvbuf;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	            NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.family = AF_NETLINK;
	sa.groups = 1;
	if ((setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
	     (errno != EPERM ||
	      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)) ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* the sender's credentials, or uid -1 without them */
static uid_t
sender_uid(struct msghdr *mh)
{
	struct cmsghdr *c;
	struct ucred cr;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(cr))) {
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			return cr.uid;
		}
	return (uid_t)-1;
}

ssize_t
nl_recv(int fd, char *buf, size_t size, char *why, size_t whysize)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct nladdr sa;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	uid_t uid;

	memset(&mh, 0, sizeof(mh));
	memset(&sa, 0, sizeof(sa));
	iov.iov_base = buf;
	iov.iov_len = size;
	mh.msg_name = &sa;
	mh.msg_namelen = sizeof(sa);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &ctl;
	mh.msg_controllen = sizeof(ctl);
	do
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	uid = sender_uid(&mh);
	if (mh.msg_namelen < sizeof(sa) || sa.family != AF_NETLINK)
		snprintf(why, whysize, "no netlink sender address");
	else if (sa.pid != 0)
		snprintf(why, whysize, "not from the kernel (sender port %lu)",
		         (unsigned long)sa.pid);
	else if (uid != 0)
		snprintf(why, whysize, "not from uid 0 (uid %ld)", (long)uid);
	else if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		snprintf(why, whysize, "truncated");
	else
		return n;
	return -2;
}
