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

/* a slot: sum, then the fields it covers, then the name and the status (status_pack) */
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

/* the seed of the checksum, one for each format of the record: a slot
 * of another format (an older runsyssv's) never checks out */
#define SEED 0x5359534d47520002ULL   /* "SYSMGR", format 2: binary */

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

/* the sum of a slot: its fields (after the sum), its name, its record */
static uint64_t
slot_sum(const unsigned char *head, const void *name, size_t nl,
         const void *rec, size_t len)
{
	return hash(rec, len, hash(name, nl, hash(head + 8, HEAD - 8, SEED)));
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

/* the status of our service (status_pack) into our slot; an empty slot
 * when it does not fit (readers then go to the file).  No slot-sized
 * buffer: a runsyssv's stack stays as deep as it was. */
void
table_put(const char *rec, size_t len)
{
	unsigned char head[HEAD];
	struct iovec iov[3];
	off_t at = (off_t)me.slot * SLOT_SIZE;
	size_t nl, total;
	uint64_t sum;

	if (me.fd < 0)
		return;
	memset(head, 0, sizeof(head));
	nl = rec ? strlen(me.name) : 0;
	total = HEAD;
	if (rec && HEAD + nl + len <= SLOT_SIZE) {
		put32(head + 8, (uint32_t)nl);
		put32(head + 12, (uint32_t)len);
		put32(head + 16, me.major);
		put32(head + 20, me.minor);
		memcpy(head + 24, &me.ino, 8);
		sum = slot_sum(head, me.name, nl, rec, len);
		memcpy(head, &sum, 8);
		total += nl + len;
	} else
		nl = len = 0;
	iov[0].iov_base = head;
	iov[0].iov_len = HEAD;
	iov[1].iov_base = (void *)me.name;
	iov[1].iov_len = nl;
	iov[2].iov_base = (void *)rec;
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

/* Two hash tables, filled once and looked up once a service (no sort:
 * sorting and bsearch() were a fifth of `svctl status` over 1000):
 * the write locks by device and inode, the valid slots by name.  A slot
 * of a table is empty while its pid, or its rec, is 0. */
struct lockent {
	uint32_t major, minor;
	uint64_t ino;
	long pid;
};

struct slotref {
	const char *name;
	size_t nl;
	const unsigned char *rec;      /* NULL: the name is in two slots */
	int used;
};

/* a power of two at least twice n (half full at most), or 0 */
static size_t
buckets(size_t n)
{
	size_t b = 16;

	while (b < 2 * n)
		if ((b *= 2) > ((size_t)-1) / 4)
			return 0;
	return b;
}

static size_t
lock_hash(uint32_t major, uint32_t minor, uint64_t ino)
{
	uint64_t h = (ino ^ ((uint64_t)major << 44) ^ ((uint64_t)minor << 24)) *
	    0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 17);
}

/* the entry of the lock of that file: found, or where it goes */
static struct lockent *
lock_at(const struct table *t, uint32_t major, uint32_t minor, uint64_t ino)
{
	size_t i = lock_hash(major, minor, ino) & (t->nlocks - 1);
	struct lockent *e;

	for (;; i = (i + 1) & (t->nlocks - 1)) {
		e = &t->locks[i];
		if (!e->pid || (e->ino == ino && e->major == major &&
		    e->minor == minor))
			return e;
	}
}

/* the entry of name: found, or where it goes */
static struct slotref *
ref_at(const struct table *t, const char *name, size_t nl)
{
	size_t i = (size_t)hash(name, nl, SEED) & (t->nrefs - 1);
	struct slotref *r;

	for (;; i = (i + 1) & (t->nrefs - 1)) {
		r = &t->refs[i];
		if (!r->used || (r->nl == nl && !memcmp(r->name, name, nl)))
			return r;
	}
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

/* the number at *p in base 10 or 16, *p moved past it (strtoull(3)
 * with its locale, sign and base prefixes was a tenth of the time) */
static uint64_t
num(const char **p, unsigned base)
{
	uint64_t v = 0;
	unsigned d;

	for (;; ++*p) {
		if (**p >= '0' && **p <= '9')
			d = (unsigned)(**p - '0');
		else if (base == 16 && **p >= 'a' && **p <= 'f')
			d = (unsigned)(**p - 'a' + 10);
		else
			return v;
		v = v * base + d;
	}
}

/* one line of /proc/locks into the table when it is a write lock held by
 * a process: "1: POSIX  ADVISORY  WRITE 3013 00:29:9994 0 EOF" (a waiter,
 * "1: -> POSIX ...", holds nothing) */
static void
add_lock(struct table *t, const char *line, const char *eol)
{
	const char *p;
	uint32_t major, minor;
	uint64_t ino;
	long pid;
	struct lockent *e;

	if (!(p = memchr(line, ':', (size_t)(eol - line))))
		return;
	for (p++; *p == ' '; p++)
		;
	if (p[0] == '-' && p[1] == '>')
		return;
	for (p--; p < eol && (p = memchr(p, ' ', (size_t)(eol - p))); p++)
		if (eol - p > 7 && !memcmp(p, " WRITE ", 7))
			break;
	if (!p || p >= eol || p[7] < '1' || p[7] > '9')
		return;                     /* no pid: an OFD lock */
	p += 7;
	pid = (long)num(&p, 10);
	if (*p++ != ' ')
		return;
	major = (uint32_t)num(&p, 16);
	if (*p++ != ':')
		return;
	minor = (uint32_t)num(&p, 16);
	if (*p++ != ':')
		return;
	ino = num(&p, 10);
	if (*p != ' ' || pid <= 0)
		return;
	e = lock_at(t, major, minor, ino);
	if (!e->pid) {
		e->major = major;
		e->minor = minor;
		e->ino = ino;
		e->pid = pid;
	}
}

static int
read_locks(struct table *t)
{
	const char *line, *eol;
	char *buf;
	size_t len, lines = 0;
	int fd;

	if ((fd = open("/proc/locks", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	buf = slurp(fd, &len, LOCKS_MAX);
	close(fd);
	if (!buf)
		return -1;
	for (line = buf; (eol = memchr(line, '\n', len - (size_t)(line - buf)));
	    line = eol + 1)
		lines++;
	if (!(t->nlocks = buckets(lines)) ||
	    !(t->locks = calloc(t->nlocks, sizeof(*t->locks)))) {
		free(buf);
		return -1;
	}
	for (line = buf; (eol = memchr(line, '\n', len - (size_t)(line - buf)));
	    line = eol + 1)
		add_lock(t, line, eol);
	free(buf);
	return 0;
}

/* the slots whose sum holds, by name; a name in two is in neither */
static int
index_slots(struct table *t)
{
	const unsigned char *r;
	struct slotref *s;
	size_t i, nl, len;

	if (!(t->nrefs = buckets(t->len / SLOT_SIZE + 1)) ||
	    !(t->refs = calloc(t->nrefs, sizeof(*t->refs))))
		return -1;
	/* the last slot ends where its record does */
	for (i = 0; i + HEAD <= t->len; i += SLOT_SIZE) {
		r = (const unsigned char *)t->buf + i;
		nl = get32(r + 8);
		len = get32(r + 12);
		if (!nl || nl > NAME_MAX || HEAD + nl + len > SLOT_SIZE ||
		    i + HEAD + nl + len > t->len ||
		    get64(r) != slot_sum(r, r + HEAD, nl, r + HEAD + nl, len))
			continue;
		s = ref_at(t, (const char *)r + HEAD, nl);
		if (s->used) {
			s->rec = NULL;
			continue;
		}
		s->name = (const char *)r + HEAD;
		s->nl = nl;
		s->rec = r;
		s->used = 1;
	}
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
	const struct slotref *s;

	if (!t->refs)
		return NULL;
	s = ref_at(t, name, strlen(name));
	return s->used && s->rec ? s : NULL;
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
	const struct lockent *l;
	unsigned char rec[SLOT_SIZE];
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
	l = lock_at(t, get32(rec + 16), get32(rec + 20), get64(rec + 24));
	if (!l->pid)
		return -1;
	/* and by the very runsyssv that wrote it: one killed leaves its
	 * slot, the next may hold the same lock and write no slot */
	if (status_unpack((const char *)rec + HEAD + s->nl, len, st) < 0 ||
	    st->supervisor != (pid_t)l->pid)
		return -1;
	return 1;
}
