/* See LICENSE file for copyright and license details. */
/*
 * Replayed uevents: each one in the kernel's datagram format ("ACTION@DEVPATH"
 * and "KEY=VALUE" strings, each ending in a NUL) followed by one more NUL, so
 * that an empty string ends an event.
 */
#include <stddef.h>

#define REPLAY_BUF 65536

struct replay {
	int fd;
	size_t start, end;   /* unread bytes of buf */
	int eof;
	int skip;            /* within an event too large for buf */
	char buf[REPLAY_BUF];
};

/* read more input: >0, 0 at the end, -1 on an error (errno) */
long replay_fill(struct replay *r);
/*
 * The next whole event of buf in *ev, *len: 1; 0 when more input is needed
 * (or at the end); -1 when an event larger than buf was skipped.
 */
int replay_next(struct replay *r, const char **ev, size_t *len);
