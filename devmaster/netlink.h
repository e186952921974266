/* See LICENSE file for copyright and license details. */
/* The kernel's uevents: a NETLINK_KOBJECT_UEVENT socket bound to group 1. */
#include <sys/types.h>

/* a nonblocking, close-on-exec socket with rcvbuf bytes of buffer, or -1 */
int nl_open(unsigned long rcvbuf);
/*
 * The next datagram into buf: its length; 0 when none is waiting; -1 on an
 * error (errno; ENOBUFS when events were lost); -2 when it was dropped
 * because it was not the kernel's or was truncated, and why says so.
 */
ssize_t nl_recv(int fd, char *buf, size_t size, char *why, size_t whysize);
