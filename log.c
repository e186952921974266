/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "os.h"
#include "util.h"

#define HDR      32               /* bytes of the spill file's header */
#define RAW_MAX  8192             /* bytes of the spill handled at once */
#define OUT_MAX  (2 * RAW_MAX)    /* bytes written to current at once */
#define MOVE_MAX (64 * 1024)      /* bytes taken from the FIFO at once */
#define ROTATE_TRIES 8            /* names tried when one is taken */
#define RETRY_MS 1000             /* after current could not be written */

/* the header: where the unwritten part of the spill starts, and what
 * current (its inode) was when it did */
struct hdr {
	char magic[8];
	unsigned long long ino, size, start;
};
static const char magic[8] = { 's', 'y', 's', 'm', 'l', 'o', 'g', '1' };

/* one of each per process (a runsyssv has one log, sysmgr one), in pages
 * of their own (from the first page boundary of bufs: no other variable
 * shares a page with them), given back to the system once the FIFO is
 * drained */
#define PAGE     4096
#define OUT_SIZE (OUT_MAX + LOG_STAMP + LOG_LINE_MAX + 2)
#define BUF_SIZE (RAW_MAX + OUT_SIZE)
#define BUF_PAGES ((BUF_SIZE + PAGE - 1) / PAGE)
static char bufs[PAGE * (BUF_PAGES + 1)];
#define raw (bufs + (PAGE - (uintptr_t)bufs % PAGE) % PAGE)
#define out (raw + RAW_MAX)

/* y-m-d of a day since 1970-01-01 (Hinnant's days_from_civil, inverted):
 * gmtime_r() of glibc reads /etc/localtime and allocates at its first use */
static void
civil(long long days, unsigned *y, unsigned *m, unsigned *d)
{
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(yoe + era * 400) + (*m <= 2);
}

void
log_stamp(char *buf)
{
	struct timespec ts;
	unsigned y, mo, d, s;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || ts.tv_sec < 0)
		ts.tv_sec = ts.tv_nsec = 0;
	civil(ts.tv_sec / 86400, &y, &mo, &d);
	s = (unsigned)(ts.tv_sec % 86400);
	if (fmt(buf, LOG_STAMP + 1, "%04u-%02u-%02uT%02u:%02u:%02u.%06luZ ",
	    y % 10000u, mo % 100u, d % 100u, s / 3600 % 100u, s / 60 % 60,
	    s % 60, (unsigned long)(ts.tv_nsec / 1000) % 1000000ul) < 0) {
		memset(buf, '?', LOG_STAMP - 1);
		buf[LOG_STAMP - 1] = ' ';
		buf[LOG_STAMP] = '\0';
	}
}

static void
header_write(struct logw *w)
{
	struct hdr h;

	memcpy(h.magic, magic, sizeof(magic));
	h.ino = w->ino;
	h.size = w->size;
	h.start = (unsigned long long)w->start;
	if (pwrite(w->spill, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		warnf("cannot write the spill file of %s:", w->dir);
}

/* current in dirfd, a regular file of our user: one another user left
 * there while others could write in the directory is removed and made
 * afresh, as they could read it or have it written where it links to
 * (the count of links is not looked at: a rotation without
 * RENAME_NOREPLACE links current to its new name for a moment) */
static int
open_ours(int dirfd, struct stat *st)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(dirfd, "current", O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0640);
		if (fd < 0)
			return -1;
		if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		if (st->st_uid == geteuid())
			return fd;
		close(fd);
		if (unlinkat(dirfd, "current", 0) < 0)
			return -1;
	}
	errno = EPERM;
	return -1;
}

/* LOGDIR/NAME/current, made with its directory when missing */
static int
open_current(struct logw *w)
{
	struct stat st;
	char *slash;

	if (w->dirfd < 0) {
		slash = strrchr(w->dir, '/');
		*slash = '\0';
		if (mkdir(w->dir, 0755) < 0 && errno != EEXIST) {
			*slash = '/';
			return -1;
		}
		*slash = '/';
		/* never another's, nor through a link: root writes and
		 * removes files in it */
		if ((w->dirfd = dir_ours(w->dir, 0750, O_NOFOLLOW)) < 0)
			return -1;
	}
	if ((w->cur = open_ours(w->dirfd, &st)) < 0)
		return -1;
	w->ino = (unsigned long long)st.st_ino;
	w->size = (unsigned long long)st.st_size;
	return 0;
}

/* current cannot be opened or written: said once, tried again later (a
 * line we say about it comes back here: the flags are set first) */
static void
trouble(struct logw *w)
{
	int e = errno, said = w->failing;

	w->failing = 1;
	w->retry = mono_ms() + RETRY_MS;
	errno = e;
	if (!said)
		warnf("cannot write %s/current: %s%s", w->dir, strerror(e),
		    w->fallback ? "; its lines go to sysmgr's log meanwhile" : "");
}

/* current (again) */
static void
reopen(struct logw *w)
{
	if (w->cur >= 0)
		close(w->cur);
	w->cur = -1;
	if (open_current(w) == 0)
		header_write(w);     /* before anything goes into it */
	else
		trouble(w);
}

void
log_reopen(struct logw *w)
{
	/* a log never opened (log=off, console) is not begun by a SIGHUP;
	 * its directory opened again too (a file system mounted on LOGDIR
	 * since, at boot) */
	if (w->cur < 0 && !w->failing)
		return;
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = -1;
	reopen(w);
}

int
log_rotated(const struct dirent *e)
{
	static const char form[] = "@ddddddddTdddddd.ddddddZ.s";
	const char *p = e->d_name;
	size_t i;

	for (i = 0; form[i]; i++)
		if (form[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != form[i])
			return 0;
	return p[i] == '\0';
}

/* the old files ents (n of them, in name order) and the one just made,
 * name (NULL: none made): those beyond log-keep go, the oldest first */
static void
prune(struct logw *w, struct dirent **ents, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		if (name && (unsigned long)(n + 1 - i) > w->keep)
			unlinkat(w->dirfd, ents[i]->d_name, 0);
		free(ents[i]);
	}
	free(ents);
	if (name && w->keep == 0)
		unlinkat(w->dirfd, name, 0);
}

/* the name one microsecond after: the digits of the stamp counted up as
 * one number (a name, not always a valid time) */
static int
name_after(char *name)
{
	char *p;

	for (p = name + strlen(name); p > name; )
		if (*--p >= '0' && *p <= '9') {
			if (*p < '9') {
				++*p;
				return 0;
			}
			*p = '0';
		}
	return -1;
}

/* @STAMP.s of now, or the name after the newest old file's when now's
 * would not sort after it (the clock set back): the old files sort in the
 * order they were made, which prune() keeps to */
static int
rotated_name(char *name, size_t size, struct dirent **ents, int n)
{
	char stamp[LOG_STAMP + 1];
	size_t i, j;

	log_stamp(stamp);
	/* 2026-12-05T21:55:12.123456Z -> @20261205T215512.123456Z.s */
	for (i = j = 0; i < LOG_STAMP - 1; i++)
		if (stamp[i] != '-' && stamp[i] != ':')
			stamp[j++] = stamp[i];
	stamp[j] = '\0';
	if (fmt(name, size, "@%s.s", stamp) < 0)
		return -1;
	if (n > 0 && strcmp(name, ents[n - 1]->d_name) <= 0 &&
	    (fmt(name, size, "%s", ents[n - 1]->d_name) < 0 ||
	    name_after(name) < 0)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* current past log-size: renamed @STAMP.s, never over a file of that name
 * (two rotations in one microsecond: the name after is tried), and a new
 * one begun */
static void
rotate(struct logw *w)
{
	struct dirent **ents = NULL;
	char name[64];
	int n, r, tries = 0;

	if ((n = scandir(w->dir, &ents, log_rotated, alphasort)) < 0)
		n = 0;
	if ((r = rotated_name(name, sizeof(name), ents, n)) == 0)
		while ((r = os_rename_new(w->dirfd, "current", name)) < 0 &&
		    errno == EEXIST && ++tries < ROTATE_TRIES &&
		    name_after(name) == 0)
			;
	if (r < 0) {
		warnf("cannot rotate %s/current:", w->dir);
		w->max = (unsigned long)-1;     /* said once: it grows */
		prune(w, ents, n, NULL);
		return;
	}
	close(w->cur);
	w->cur = -1;
	if (open_current(w) == 0)
		header_write(w);    /* before anything goes into it */
	prune(w, ents, n, name);
}

/* a batch current did not take: what went in of it is taken back */
static void
failed(struct logw *w, unsigned long long before)
{
	int e = errno;

	if (w->cur >= 0) {
		if (ftruncate(w->cur, (off_t)before) < 0)
			w->size = (unsigned long long)-1;
		close(w->cur);
		w->cur = -1;
		errno = e;
		trouble(w);
	}
}

/* lines stamped in out, n bytes: into current, or where they can go */
static void
emit_batch(struct logw *w, const char *buf, size_t n)
{
	unsigned long long before;
	const char *p, *nl;

	if (w->cur < 0 && mono_ms() >= w->retry)
		reopen(w);
	if (w->cur >= 0 && w->size >= w->max && w->size > 0)
		rotate(w);
	/* the size of the current it goes into, once rotated or reopened */
	before = w->size;
	if (w->cur >= 0 && write_all(w->cur, buf, n) == 0) {
		w->size += n;
		if (w->failing)
			warnf("writing %s/current again, %lu lines lost"
			    " meanwhile", w->dir, w->dropped);
		w->failing = 0;
		w->dropped = 0;
		return;
	}
	failed(w, before);
	for (p = buf; p < buf + n; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(buf + n - p));
		if (!w->fallback || w->fallback(p + LOG_STAMP,
		    (size_t)(nl - p) - LOG_STAMP) < 0) {
			w->dropped++;
			w->lost++;
		}
	}
}

/* emit_batch(), whose warnings (a rotation that failed) go to stderr
 * alone: a line of our own now would be stamped into the buffer being
 * written */
static void
emit(struct logw *w, const char *buf, size_t n)
{
	w->busy = 1;
	emit_batch(w, buf, n);
	w->busy = 0;
}

/*
 * Stamp the lines of buf (n bytes) into out, as many as fit in room
 * bytes (one at least): a line ends at a newline, or after LOG_LINE_MAX
 * bytes, or (last) with the buffer when it is the end of a service's
 * output.  Returns the bytes of buf taken, *olen the bytes of out.
 */
static size_t
stamp_lines(const char *buf, size_t n, int last, size_t room, size_t *olen)
{
	char stamp[LOG_STAMP + 1];
	const char *nl;
	size_t p = 0, len, take;

	log_stamp(stamp);
	*olen = 0;
	while (p < n) {
		/* one byte more than a line may have: its newline */
		len = n - p <= LOG_LINE_MAX ? n - p : LOG_LINE_MAX + 1;
		if ((nl = memchr(buf + p, '\n', len))) {
			len = (size_t)(nl - (buf + p));
			take = len + 1;
		} else if (len > LOG_LINE_MAX || last)
			take = len = len > LOG_LINE_MAX ? LOG_LINE_MAX : len;
		else
			break;             /* the rest of it comes later */
		if (*olen + LOG_STAMP + len + 1 > room && *olen)
			break;
		memcpy(out + *olen, stamp, LOG_STAMP);
		memcpy(out + *olen + LOG_STAMP, buf + p, len);
		*olen += LOG_STAMP + len;
		out[(*olen)++] = '\n';
		p += take;
	}
	return p;
}

/* bytes of a batch: up to the rotation, so that current passes log-size
 * by one line at most */
static size_t
room(const struct logw *w)
{
	unsigned long long left;

	if (w->cur < 0)
		return OUT_MAX;
	/* past it: emit() rotates first */
	left = w->size >= w->max ? w->max : w->max - w->size;
	return left < OUT_MAX ? (size_t)left : OUT_MAX;
}

/* the n bytes of raw, logged, to the echo too (a terminal, the console:
 * without the control characters a service wrote); raw is not used after */
static void
echo(struct logw *w, size_t n)
{
	unsigned char first = (unsigned char)raw[0];

	if (w->echo < 0 || n == 0)
		return;
	if (w->echo_tty) {
		/* a C1 pair cut between two writes: its first byte was held
		 * back, the pair is one '?' */
		if (w->held && first >= 0x80 && first <= 0x9f)
			raw[0] = '?';
		else if (w->held)
			(void)write_all(w->echo, "\302", 1);
		w->held = (unsigned char)raw[n - 1] == 0xc2;
		n = no_controls(raw, n - (size_t)w->held);
	}
	(void)write_all(w->echo, raw, n);
}

/* what of the spill is whole lines: into the log */
static void
process(struct logw *w, int flush)
{
	size_t want, used, olen;
	ssize_t got;

	while (w->start < w->eof) {
		want = (size_t)(w->eof - w->start);
		if (want > RAW_MAX)
			want = RAW_MAX;
		w->dirty = 1;
		got = pread(w->spill, raw, want, (off_t)w->start);
		if (got <= 0)
			break;
		if (w->cur < 0 && mono_ms() >= w->retry)
			reopen(w);
		used = stamp_lines(raw, (size_t)got,
		    flush && w->start + got == w->eof, room(w), &olen);
		if (!used)
			break;
		emit(w, out, olen);
		echo(w, used);
		w->start += (long long)used;
		header_write(w);
	}
	/* all of it written, and past the spill's first page: the spill
	 * starts over (a crash in between leaves start past the end, which
	 * log_open() takes for that).  Not at each drain: the page is there
	 * anyway, and a truncation and a header less a drain */
	if (w->start == w->eof && w->eof > PAGE &&
	    ftruncate(w->spill, HDR) == 0) {
		w->start = w->eof = HDR;
		header_write(w);
	}
}

/* without a spill file (its file system full): straight from the FIFO,
 * with no guard against a crash in between */
static void
drain_direct(struct logw *w, int fifo)
{
	size_t used, olen;
	ssize_t got;

	w->dirty = 1;
	while ((got = read(fifo, raw, RAW_MAX)) > 0) {
		for (used = 0; used < (size_t)got;) {
			used += stamp_lines(raw + used, (size_t)got - used, 1,
			    room(w), &olen);
			emit(w, out, olen);
			/* current's size in the header: the next runsyssv does
			 * not take these lines for the spill's and cut them */
			header_write(w);
		}
		echo(w, (size_t)got);
	}
}

void
log_drain(struct logw *w, int fifo, int flush)
{
	ssize_t n;

	for (;;) {
		/* no FIFO: what the spill holds alone */
		if (fifo < 0) {
			n = -1;
			errno = EAGAIN;
		} else
			n = os_pipe_to_file(fifo, w->spill, &w->eof, MOVE_MAX);
		/* the spill cannot take it (full, or worse): straight from
		 * the FIFO, which is emptied (no spin on an error that stays);
		 * an error but a full file system is said once */
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			if (errno != ENOSPC && errno != EDQUOT && !w->spill_said)
				warnf("cannot take the output for %s, taking it"
				    " without its spill file:", w->dir);
			w->spill_said = 1;
			drain_direct(w, fifo);
			break;
		}
		w->spill_said = 0;
		process(w, n < 0 && flush);
		if (n < 0)
			break;
	}
	/* an idle service's runsyssv keeps no page of them (and frees none
	 * it did not touch: a drain that found the FIFO empty) */
	if (w->dirty)
		os_pages_free(raw, PAGE * BUF_PAGES);
	w->dirty = 0;
}

void
log_line(struct logw *w, const char *line, size_t n)
{
	size_t olen;

	if (w->busy)
		return;
	if (n > LOG_LINE_MAX)
		n = LOG_LINE_MAX;
	w->dirty = 1;
	stamp_lines(line, n, 1, OUT_MAX, &olen);
	emit(w, out, olen);
	header_write(w);
}

void
log_limits(struct logw *w, unsigned long max, unsigned long keep)
{
	w->max = max;
	w->keep = keep;
}

/*
 * What a killed writer wrote of the spill into current, after the size
 * the header recorded: skipped, the lines compared one by one with the
 * spill; a line written half is cut off.
 */
static void
skip_written(struct logw *w, unsigned long long from)
{
	static char body[LOG_LINE_MAX + 1];
	const char *p, *nl;
	ssize_t got, have;
	size_t len, take;
	int fd;

	if ((fd = openat(w->dirfd, "current", O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) < 0)
		return;
	w->dirty = 1;
	got = pread(fd, out, OUT_SIZE, (off_t)from);
	close(fd);
	for (p = out; got > 0 && (nl = memchr(p, '\n', (size_t)(out + got - p)));
	    p = nl + 1) {
		if (nl - p < LOG_STAMP)
			break;
		len = (size_t)(nl - p) - LOG_STAMP;
		have = pread(w->spill, body, len + 1, (off_t)w->start);
		if (have < (ssize_t)len || memcmp(body, p + LOG_STAMP, len))
			break;
		take = len + (have > (ssize_t)len && body[len] == '\n');
		w->start += (long long)take;
	}
	from += (unsigned long long)(p - out);
	if (from < w->size && ftruncate(w->cur, (off_t)from) == 0)
		w->size = from;
}

/* the spill file: a regular file of ours alone, with one link; anything
 * else of that name (made by another user while RUNDIR was open to
 * others, a link, a FIFO) is removed and made afresh */
static int
spill_open(int rundirfd, const char *spill, struct stat *st)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(rundirfd, spill, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0600);
		if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
		    st->st_uid == geteuid() && st->st_nlink == 1 &&
		    !(st->st_mode & 077))
			return fd;
		if (fd >= 0)
			close(fd);
		else if (errno != ELOOP)
			return -1;
		if (unlinkat(rundirfd, spill, 0) < 0)
			return -1;
	}
	errno = EPERM;
	return -1;
}

int
log_open(struct logw *w, int rundirfd, const char *spill, const char *logdir,
         const char *name)
{
	struct hdr h;
	struct stat st;

	w->name = name;
	w->dirfd = w->cur = w->echo = -1;
	w->echo_tty = w->held = 0;
	w->busy = w->spill_said = 0;
	w->max = LOG_SIZE;
	w->keep = LOG_KEEP;
	if (!(w->dir = path_dup(logdir, name)))
		return -1;
	if ((w->spill = spill_open(rundirfd, spill, &st)) < 0)
		return -1;
	w->eof = (long long)st.st_size;
	if (pread(w->spill, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, magic, sizeof(magic))) {
		/* new, or not ours: begun afresh */
		memset(&h, 0, sizeof(h));
		h.start = HDR;
		if (ftruncate(w->spill, HDR) < 0)
			return -1;
		w->eof = HDR;
	}
	w->start = (long long)h.start < HDR ? HDR : (long long)h.start;
	if (w->start > w->eof)
		w->start = w->eof;
	/* current was written after the header: by how much? */
	if (h.ino && open_current(w) == 0 && w->ino == h.ino && w->size > h.size)
		skip_written(w, h.size);
	header_write(w);
	return 0;
}
