/* See LICENSE file for copyright and license details. */
/*
 * The status table, RUNDIR/.status: one file that `svctl status` reads
 * in place of two files a service.  sysmgr gives each runsyssv a slot;
 * runsyssv copies each status it writes into its slot, with the name of
 * its service and the device and inode of its lock.  A reader trusts a
 * slot only when its checksum holds, its name is in no other slot, and
 * /proc/locks shows that very lock held for writing: the kernel, not the
 * table, says who is supervised.  Anything else sends the reader to the
 * run directory, so the table can make svctl faster, never wrong.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "rundir.h"
#include "util.h"

/* a slot: sum, then the fields it covers, then name and status text */
#define HEAD 32                /* sum 8, namelen 4, len 4, major 4, minor 4,
                                  inode 8 */
#define LOCKS_MAX (64L << 20)  /* of /proc/locks, read at most */

static struct {
	int fd;
	long slot;
	const char *name;
	uint32_t major, minor;
	uint64_t ino;
} me = { -1, -1, NULL, 0, 0, 0 };

#define SEED 14695981039346656037ULL

/* a checksum of n bytes, 8 at a time, chained from h */
static uint64_t
hash(const void *buf, size_t n, uint64_t h)
{
	const unsigned char *p = buf;
	uint64_t w;

	h ^= n;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

/* the sum of a slot: its fields (after the sum), its name, its text */
static uint64_t
slot_sum(const unsigned char *head, const void *name, size_t nl,
         const void *text, size_t len)
{
	return hash(text, len, hash(name, nl, hash(head + 8, HEAD - 8, SEED)));
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* ours, a regular file nobody else may write: else not to be used; its
 * size in *size */
static int
trusted(int fd, size_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (size)
		*size = (size_t)st.st_size;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 022) ||
	    (st.st_uid != geteuid() && st.st_uid != 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
table_open(int rundirfd, int create)
{
	int fd;

	fd = openat(rundirfd, RD_TABLE, (create ? O_RDWR | O_CREAT : O_RDWR) |
	    O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0)
		return -1;
	if (trusted(fd, NULL) < 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
table_join(int fd, long slot, const char *name, int lockfd)
{
	struct stat st;

	if (fd < 0 || slot < 0 || fstat(lockfd, &st) < 0)
		return -1;
	me.fd = fd;
	me.slot = slot;
	me.name = name;
	me.major = (uint32_t)major(st.st_dev);
	me.minor = (uint32_t)minor(st.st_dev);
	me.ino = (uint64_t)st.st_ino;
	return 0;
}

/* the status text of our service into our slot; an empty slot when it
 * does not fit (readers then go to the file).  No slot-sized buffer: a
 * runsyssv's stack stays as deep as it was. */
void
table_put(const char *text, size_t len)
{
	unsigned char head[HEAD];
	struct iovec iov[3];
	off_t at = (off_t)me.slot * SLOT_SIZE;
	size_t nl, total;
	uint64_t sum;

	if (me.fd < 0)
		return;
	memset(head, 0, sizeof(head));
	nl = text ? strlen(me.name) : 0;
	total = HEAD;
	if (text && HEAD + nl + len <= SLOT_SIZE) {
		put32(head + 8, (uint32_t)nl);
		put32(head + 12, (uint32_t)len);
		put32(head + 16, me.major);
		put32(head + 20, me.minor);
		memcpy(head + 24, &me.ino, 8);
		sum = slot_sum(head, me.name, nl, text, len);
		memcpy(head, &sum, 8);
		total += nl + len;
	} else
		nl = len = 0;
	iov[0].iov_base = head;
	iov[0].iov_len = HEAD;
	iov[1].iov_base = (void *)me.name;
	iov[1].iov_len = nl;
	iov[2].iov_base = (void *)text;
	iov[2].iov_len = len;
	if (os_pwritev(me.fd, iov, 3, at) == (ssize_t)total)
		return;
	/* no room, or part of it: an empty slot misleads nobody */
	memset(head, 0, sizeof(head));
	if (pwrite(me.fd, head, HEAD, at) != HEAD)
		me.fd = -1;
}

void
table_leave(void)
{
	table_put(NULL, 0);
	me.fd = -1;
}

/* --- reading ---------------------------------------------------------- */

struct lockent {
	uint32_t major, minor;
	uint64_t ino;
	long pid;
};

struct slotref {
	const char *name;
	size_t nl;
	const unsigned char *rec;
};

static int
by_ino(const void *a, const void *b)
{
	const struct lockent *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	return x->minor < y->minor ? -1 : x->minor > y->minor;
}

static int
by_name(const void *a, const void *b)
{
	const struct slotref *x = a, *y = b;
	size_t n = x->nl < y->nl ? x->nl : y->nl;
	int c = memcmp(x->name, y->name, n);

	return c ? c : (x->nl > y->nl) - (x->nl < y->nl);
}

/* the whole of an open file into a buffer of its own (NUL-terminated) */
static char *
slurp(int fd, size_t *len, size_t max)
{
	size_t cap = 65536, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n + 1 >= cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > max || !(nb = realloc(buf, cap))) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* "1: POSIX  ADVISORY  WRITE 3013 00:29:9994 0 EOF": the write locks */
static int
read_locks(struct table *t)
{
	char *buf, *line, *next, *p, *end;
	struct lockent *e;
	size_t len, cap = 0;
	int fd;

	if ((fd = open("/proc/locks", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	buf = slurp(fd, &len, LOCKS_MAX);
	close(fd);
	if (!buf)
		return -1;
	for (line = buf; *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		else
			next = line + strlen(line);
		/* a waiter ("->") holds nothing */
		if (strstr(line, "->") || !(p = strstr(line, " WRITE ")))
			continue;
		if (t->nlocks == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(e = realloc(t->locks, cap * sizeof(*e)))) {
				free(buf);
				return -1;
			}
			t->locks = e;
		}
		e = &t->locks[t->nlocks];
		e->pid = strtol(p + 7, &end, 10);
		e->major = (uint32_t)strtoul(end, &end, 16);
		if (*end++ != ':')
			continue;
		e->minor = (uint32_t)strtoul(end, &end, 16);
		if (*end++ != ':')
			continue;
		e->ino = strtoull(end, &end, 10);
		if (*end == ' ')
			t->nlocks++;
	}
	free(buf);
	qsort(t->locks, t->nlocks, sizeof(*t->locks), by_ino);
	return 0;
}

/* the slots whose sum holds, by name; a name in two is in neither */
static int
index_slots(struct table *t)
{
	const unsigned char *r;
	struct slotref *s;
	size_t i, k, nl, len;

	if (!(t->refs = calloc(t->len / SLOT_SIZE + 1, sizeof(*t->refs))))
		return -1;
	s = t->refs;
	/* the last slot ends where its text does */
	for (i = 0; i + HEAD <= t->len; i += SLOT_SIZE) {
		r = (const unsigned char *)t->buf + i;
		nl = get32(r + 8);
		len = get32(r + 12);
		if (!nl || nl > NAME_MAX || HEAD + nl + len > SLOT_SIZE ||
		    i + HEAD + nl + len > t->len ||
		    get64(r) != slot_sum(r, r + HEAD, nl, r + HEAD + nl, len))
			continue;
		s[t->nrefs].name = (const char *)r + HEAD;
		s[t->nrefs].nl = nl;
		s[t->nrefs++].rec = r;
	}
	qsort(s, t->nrefs, sizeof(*s), by_name);
	for (i = k = 0; i < t->nrefs; i++) {
		if ((i > 0 && !by_name(&s[i - 1], &s[i])) ||
		    (i + 1 < t->nrefs && !by_name(&s[i], &s[i + 1])))
			continue;
		s[k++] = s[i];
	}
	t->nrefs = k;
	return 0;
}

/* the slots of fd as they are, by name (mapped: its pages are not
 * copied; table_status() checks a copy of the slot it reads) */
int
table_read(int fd, struct table *t)
{
	size_t size;

	memset(t, 0, sizeof(*t));
	if (trusted(fd, &size) < 0)
		return -1;
	if (size > (size_t)(SLOT_MAX + 1) * SLOT_SIZE)
		size = (size_t)(SLOT_MAX + 1) * SLOT_SIZE;
	if (size) {
		t->buf = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (t->buf == MAP_FAILED) {
			t->buf = NULL;
			return -1;
		}
		t->len = size;
	}
	if (index_slots(t) < 0) {
		table_free(t);
		return -1;
	}
	return 0;
}

/* the valid slot of name, NULL for none */
static const struct slotref *
find(const struct table *t, const char *name)
{
	struct slotref key;

	key.name = name;
	key.nl = strlen(name);
	key.rec = NULL;
	if (!t->refs)
		return NULL;
	return bsearch(&key, t->refs, t->nrefs, sizeof(key), by_name);
}

/* the slot whose name is name, -1 for none */
long
table_slot(const struct table *t, const char *name)
{
	const struct slotref *s = find(t, name);

	return s ? (long)((s->rec - (const unsigned char *)t->buf) / SLOT_SIZE) : -1;
}

int
table_load(struct paths *p, struct table *t)
{
	int fd, r;

	memset(t, 0, sizeof(*t));
	if (p->rundirfd < 0 && (p->rundirfd = open(p->rundir, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	fd = openat(p->rundirfd, RD_TABLE, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	r = table_read(fd, t);
	close(fd);
	if (r < 0 || read_locks(t) < 0) {
		table_free(t);
		return -1;
	}
	t->ok = 1;
	return 0;
}

void
table_free(struct table *t)
{
	if (t->buf)
		munmap(t->buf, t->len);
	free(t->refs);
	free(t->locks);
	memset(t, 0, sizeof(*t));
}

int
table_status(const struct table *t, const char *name, struct status *st)
{
	const struct slotref *s;
	struct lockent want, *l;
	unsigned char rec[SLOT_SIZE];
	char text[SLOT_SIZE];
	size_t len, avail;

	if (!t->ok || !(s = find(t, name)))
		return -1;
	/* the slot may be rewritten as we read: all from a copy, checked */
	avail = t->len - (size_t)(s->rec - (const unsigned char *)t->buf);
	if (avail > SLOT_SIZE)
		avail = SLOT_SIZE;
	memcpy(rec, s->rec, avail);
	len = get32(rec + 12);
	if (get32(rec + 8) != s->nl || HEAD + s->nl + len > avail ||
	    get64(rec) != slot_sum(rec, rec + HEAD, s->nl, rec + HEAD + s->nl, len) ||
	    memcmp(rec + HEAD, name, s->nl))
		return -1;
	want.major = get32(rec + 16);
	want.minor = get32(rec + 20);
	want.ino = get64(rec + 24);
	want.pid = 0;             /* not a key: by_ino() compares the rest */
	if (!(l = bsearch(&want, t->locks, t->nlocks, sizeof(*l), by_ino)) ||
	    l->pid <= 0)
		return -1;
	memcpy(text, rec + HEAD + s->nl, len);
	text[len] = '\0';
	if (strlen(text) != len || status_parse(text, st) < 0)
		return -1;
	st->supervisor = (pid_t)l->pid;
	return 1;
}
