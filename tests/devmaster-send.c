/* See LICENSE file for copyright and license details. */
/*
 * devmaster-send [-k]: send the uevents of stdin (replay framing: each one
 * ends with an empty string) on NETLINK_KOBJECT_UEVENT.
 *   default  to multicast group 1 from this process, as a spoofer would
 *            (the datagrams arrive with the sender's port, not 0);
 *   -k       to the kernel, as a netlink message of type 16 with
 *            NLM_F_REQUEST: in a network namespace owned by a user namespace
 *            other than the first, the kernel broadcasts the payload on group
 *            1 of that namespace as its own (port 0, uid 0).
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NETLINK_KOBJECT_UEVENT 15
#define NLM_F_REQUEST 1
#define UEVENT_MSG 16
#define MAX_IN (1 << 20)

struct nladdr {            /* struct sockaddr_nl */
	sa_family_t family;
	unsigned short pad;
	uint32_t pid;
	uint32_t groups;
};

struct nlhdr {             /* struct nlmsghdr */
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t pid;
};

static char in[MAX_IN], msg[sizeof(struct nlhdr) + 8192];

static int
send_one(int fd, int kernel, const char *ev, size_t len)
{
	struct nladdr to;
	struct nlhdr h;
	const char *p = ev;
	size_t n = len;

	memset(&to, 0, sizeof(to));
	to.family = AF_NETLINK;
	if (kernel) {
		if (len > sizeof(msg) - sizeof(h))
			return -1;
		memset(&h, 0, sizeof(h));
		h.len = (uint32_t)(sizeof(h) + len);
		h.type = UEVENT_MSG;
		h.flags = NLM_F_REQUEST;
		memcpy(msg, &h, sizeof(h));
		memcpy(msg + sizeof(h), ev, len);
		p = msg;
		n = h.len;
	} else
		to.groups = 1;
	if (sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    !(errno == ECONNREFUSED && !kernel)) {
		perror("devmaster-send: sendto");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	size_t n = 0, start = 0, i;
	ssize_t r;
	int fd, kernel = argc > 1 && !strcmp(argv[1], "-k");

	while (n < sizeof(in) && (r = read(0, in + n, sizeof(in) - n)) > 0)
		n += (size_t)r;
	fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		perror("devmaster-send: socket");
		return 111;
	}
	for (i = 0; i < n; i++) {
		if (in[i] || (i > start && in[i - 1]))
			continue;
		if (i > start && send_one(fd, kernel, in + start, i - start) < 0)
			return 1;
		start = i + 1;
	}
	return 0;
}
