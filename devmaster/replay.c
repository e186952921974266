/* See LICENSE file for copyright and license details. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

long
replay_fill(struct replay *r)
{
	ssize_t n;

	if (r->start == r->end)
		r->start = r->end = 0;
	if (r->end == sizeof(r->buf) && r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	do
		n = read(r->fd, r->buf + r->end, sizeof(r->buf) - r->end);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		r->eof = 1;
	if (n > 0)
		r->end += (size_t)n;
	return (long)n;
}

#define NONE ((size_t)-1)

/* the offset of the first "\0\0" of the unread bytes, or NONE */
static size_t
find_end(const struct replay *r)
{
	const char *p = r->buf + r->start, *end = r->buf + r->end;

	while ((p = memchr(p, '\0', (size_t)(end - p))) && p + 1 < end) {
		if (p[1] == '\0')
			return (size_t)(p - r->buf);
		p++;
	}
	return NONE;
}

int
replay_next(struct replay *r, const char **ev, size_t *len)
{
	size_t e;

	for (;;) {
		while (!r->skip && r->start < r->end && r->buf[r->start] == '\0')
			r->start++;   /* empty events */
		if (r->start == r->end)
			return 0;
		if ((e = find_end(r)) == NONE && r->eof)
			e = r->end - 1;   /* the last event, without its NUL */
		if (e != NONE && !r->skip) {
			*ev = r->buf + r->start;
			*len = e + 1 - r->start;
			r->start = e + 1;
			return 1;
		}
		if (e != NONE) {
			r->skip = 0;   /* the end of a skipped event */
			r->start = e + 1;
			continue;
		}
		if (r->start > 0 || r->end < sizeof(r->buf))
			return 0;
		r->start = r->end - 1;   /* too large: keep what may be a NUL */
		if (!r->skip++)
			return -1;
	}
}
