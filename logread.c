/* See LICENSE file for copyright and license details. */
/* svctl log: the last lines of services' logs, and what follows */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "logread.h"
#include "os.h"
#include "util.h"

#define POLL_MS 1000          /* without inotify: a look every second */

struct line {
	const char *name;     /* the service */
	char *text;           /* without its newline */
	size_t seq;           /* its place before the sort */
};

struct lines {
	struct line *l;
	size_t n, cap;
};

struct follow {
	const char *name;
	char dir[PATH_MAX];
	int fd;               /* current, -1 when none yet */
	dev_t dev;
	ino_t ino;
	char part[LOG_STAMP + LOG_LINE_MAX + 2];   /* a line not ended yet */
	size_t plen;
};

static int several;           /* lines are prefixed with their service */
static int tty;               /* stdout is a terminal: controls shown as ? */

static void
push(struct lines *l, const char *name, char *text)
{
	void *nb;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		if (!(nb = realloc(l->l, l->cap * sizeof(*l->l))))
			die(EXIT_SYSTEM, "realloc:");
		l->l = nb;
	}
	if (!text)
		die(EXIT_SYSTEM, "strdup:");
	l->l[l->n].name = name;
	l->l[l->n++].text = text;
}

/* what the file fd has now, from its start, NUL-terminated; NULL when
 * it cannot be read */
static char *
read_all(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t n = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(buf = malloc((size_t)st.st_size + 1)))
		return NULL;
	while (n < (size_t)st.st_size &&
	    (r = pread(fd, buf + n, (size_t)st.st_size - n, (off_t)n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* a file of a log, which is a regular file, not a link, in a directory
 * that is not a link either, as runsyssv writes them (a log's directory
 * another user can write to cannot make us read elsewhere) */
static int
open_log(const char *dir, const char *file, struct stat *st)
{
	char path[PATH_MAX];
	int fd;

	if (lstat(dir, st) < 0)
		return -1;
	if (!S_ISDIR(st->st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (path_join(path, sizeof(path), dir, file) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW)) < 0)
		return -1;
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
		return fd;
	close(fd);
	errno = EINVAL;
	return -1;
}

static char *
slurp(const char *dir, const char *file, size_t *len)
{
	struct stat st;
	int fd = open_log(dir, file, &st);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = read_all(fd, len);
	close(fd);
	return buf;
}

/* the last want lines of buf (n bytes) that l does not have yet, before
 * those it has */
static void
take_last(struct lines *l, const char *name, char *buf, size_t n,
          unsigned long want)
{
	struct lines mine = { NULL, 0, 0 };
	char *p = buf + n, *end = buf + n;
	size_t i;

	/* backwards from the end: a line ends before each newline */
	if (p > buf && p[-1] == '\n')
		end = --p;
	while (p > buf && l->n + mine.n < want) {
		while (p > buf && p[-1] != '\n')
			p--;
		*end = '\0';
		push(&mine, name, strdup(p));
		end = p > buf ? --p : p;
	}
	/* mine is newest first: before l, oldest first */
	for (i = 0; i < l->n; i++)
		push(&mine, l->l[i].name, l->l[i].text);
	free(l->l);
	*l = mine;
}

/* reverse the first k lines of l */
static void
reverse(struct lines *l, size_t k)
{
	struct line t;
	size_t i;

	for (i = 0; i < k / 2; i++) {
		t = l->l[i];
		l->l[i] = l->l[k - 1 - i];
		l->l[k - 1 - i] = t;
	}
}

/* 1 if st is the file of dev and ino */
static int
same_file(const struct stat *st, dev_t dev, ino_t ino)
{
	return st->st_dev == dev && st->st_ino == ino;
}

/* the index among the old files ents (n) of dir of the file of dev and
 * ino, -1 when it is none of them */
static int
file_index(const char *dir, struct dirent **ents, int n, dev_t dev, ino_t ino)
{
	char path[PATH_MAX];
	struct stat st;
	int k;

	for (k = n - 1; k >= 0; k--)
		if (path_join(path, sizeof(path), dir, ents[k]->d_name) == 0 &&
		    stat(path, &st) == 0 && same_file(&st, dev, ino))
			return k;
	return -1;
}

/* how many of the old files ents (n, oldest first) are older than the
 * current we read (cur): rotated since we opened it, it is one of them,
 * and those after it are newer */
static int
before_cur(const char *dir, int cur, struct dirent **ents, int n)
{
	struct stat c;
	int k;

	if (fstat(cur, &c) < 0 || (k = file_index(dir, ents, n, c.st_dev,
	    c.st_ino)) < 0)
		return n;
	return k;
}

/* the last want lines of a log: current (cur, *len bytes of it read),
 * then the old files before it */
static int
last_lines(const char *dir, const char *name, unsigned long want, int cur,
           size_t *len, struct lines *out)
{
	struct lines l = { NULL, 0, 0 };
	struct dirent **ents;
	size_t had, olen;
	char *buf;
	int n, k;

	if (cur < 0 || !(buf = read_all(cur, len)))
		return -1;
	had = l.n;
	take_last(&l, name, buf, *len, want);
	free(buf);
	reverse(&l, l.n - had);
	if (l.n < want && (n = scandir(dir, &ents, log_rotated, alphasort)) > 0) {
		for (k = before_cur(dir, cur, ents, n) - 1; k >= 0 && l.n < want; k--) {
			had = l.n;
			if ((buf = slurp(dir, ents[k]->d_name, &olen))) {
				take_last(&l, name, buf, olen, want);
				free(buf);
				reverse(&l, l.n - had);
			}
		}
		for (k = 0; k < n; k++)
			free(ents[k]);
		free(ents);
	}
	for (k = 0; k < (int)l.n; k++)
		push(out, l.l[k].name, l.l[k].text);
	free(l.l);
	return 0;
}

/* a line; to a terminal, its control characters as '?' (no_controls()):
 * what a service wrote never drives the terminal of whoever reads its log */
static void
print(const char *name, const char *text, size_t n)
{
	char buf[4096];
	size_t k;

	if (several)
		printf("%s: ", name);
	if (!tty)
		fwrite(text, 1, n, stdout);
	for (; tty && n > 0; text += k, n -= k) {
		k = n < sizeof(buf) ? n : sizeof(buf);
		/* a C1 pair cut at the end of buf is kept whole */
		if (k < n && (unsigned char)text[k - 1] == 0xc2)
			k--;
		memcpy(buf, text, k);
		fwrite(buf, 1, no_controls(buf, k), stdout);
	}
	putchar('\n');
}

/* what was printed, out; a reader gone or a full disk end svctl */
static void
flushed(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		die(EXIT_SYSTEM, "stdout:");
}

/* by time stamp, which sorts as text; the same stamp keeps its order */
static int
by_time(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = strncmp(x->text, y->text, LOG_STAMP);

	return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* the lines of fd from where it is, a line not ended kept for later */
static void
follow_fd(struct follow *f, int fd)
{
	char buf[8192], *p, *nl;
	ssize_t r;
	size_t n, i;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (p = buf, n = (size_t)r; n > 0; n -= (size_t)(nl - p) + 1,
		    p = nl + 1) {
			if (!(nl = memchr(p, '\n', n))) {
				i = n < sizeof(f->part) - f->plen ? n :
				    sizeof(f->part) - f->plen;
				memcpy(f->part + f->plen, p, i);
				f->plen += i;
				break;
			}
			i = (size_t)(nl - p);
			if (!f->plen) {
				print(f->name, p, i);
				continue;
			}
			if (i > sizeof(f->part) - f->plen)
				i = sizeof(f->part) - f->plen;
			memcpy(f->part + f->plen, p, i);
			print(f->name, f->part, f->plen + i);
			f->plen = 0;
		}
}

/* after rotations: the old files rotated after the one we read, whole,
 * up to next, the current we go on with (rotated too, maybe, since we
 * opened it: it is read from its start after this) */
static void
follow_rotated(struct follow *f, const struct stat *next)
{
	struct dirent **ents;
	struct stat st;
	int n, k, from, to, fd;

	if ((n = scandir(f->dir, &ents, log_rotated, alphasort)) < 0)
		return;
	/* after the one we read; all, when log-keep removed it since (the
	 * older ones went before it) */
	from = file_index(f->dir, ents, n, f->dev, f->ino) + 1;
	if ((to = file_index(f->dir, ents, n, next->st_dev, next->st_ino)) < 0)
		to = n;
	for (k = from; k < to; k++)
		if ((fd = open_log(f->dir, ents[k]->d_name, &st)) >= 0) {
			follow_fd(f, fd);
			close(fd);
		}
	for (k = 0; k < n; k++)
		free(ents[k]);
	free(ents);
}

/* what current has now, from where we were; after a rotation, the rest
 * of the old one, those rotated since, then the new one from its start */
static void
follow_read(struct follow *f)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	for (;;) {
		if (f->fd >= 0)
			follow_fd(f, f->fd);
		if (path_join(path, sizeof(path), f->dir, "current") < 0 ||
		    stat(path, &st) < 0 ||
		    (f->fd >= 0 && same_file(&st, f->dev, f->ino)))
			break;
		if ((fd = open_log(f->dir, "current", &st)) < 0)
			break;
		if (f->fd >= 0) {
			follow_fd(f, f->fd);    /* what came before its rename */
			follow_rotated(f, &st);
			close(f->fd);
		}
		f->fd = fd;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	flushed();
}

NORETURN static void
follow_all(struct follow *f, int n)
{
	struct pollfd pfd;
	int i, wfd = os_notice();

	for (i = 0; i < n && wfd >= 0; i++)
		if (os_notice_add(wfd, f[i].dir) < 0) {
			close(wfd);
			wfd = -1;
		}
	pfd.fd = wfd;
	pfd.events = POLLIN;
	for (;;) {
		for (i = 0; i < n; i++)
			follow_read(&f[i]);
		if (poll(&pfd, wfd >= 0 ? 1 : 0, wfd >= 0 ? -1 : POLL_MS) < 0 &&
		    errno != EINTR)
			die(EXIT_SYSTEM, "poll:");
		if (wfd >= 0)
			os_notice_clear(wfd);
	}
}

int
log_show(const char *logdir, char **names, int n, unsigned long want,
         int follow)
{
	struct lines all = { NULL, 0, 0 };
	struct follow *f;
	struct stat st;
	size_t i, from, *len;
	int k, err, rc = 0;

	several = n > 1;
	tty = isatty(1);
	if (!(f = calloc((size_t)n, sizeof(*f))) ||
	    !(len = calloc((size_t)n, sizeof(*len))))
		die(EXIT_SYSTEM, "calloc:");
	/* what is printed is what current had when read, and what follows
	 * is read from there, on the same open file */
	for (k = 0; k < n; k++) {
		f[k].name = names[k];
		if (path_join(f[k].dir, sizeof(f[k].dir), logdir, names[k]) < 0)
			die(EXIT_USAGE, "%s: name too long", names[k]);
		err = (f[k].fd = open_log(f[k].dir, "current", &st)) < 0 ?
		    errno : 0;
		/* followed, a log yet to be made is waited for in silence */
		if (last_lines(f[k].dir, names[k], want, f[k].fd, &len[k],
		    &all) < 0 && (!follow || (err && err != ENOENT))) {
			if (err)
				errno = err;
			warnf("%s: no log: %s/current:", names[k], f[k].dir);
			rc = EXIT_FAIL;
		}
	}
	for (i = 0; i < all.n; i++)
		all.l[i].seq = i;
	/* several logs merged by their stamps; one in the order of its
	 * files, whatever the clock did */
	if (all.n && several)
		qsort(all.l, all.n, sizeof(*all.l), by_time);
	from = several && all.n > want * (size_t)n ? all.n - want * (size_t)n : 0;
	for (i = from; i < all.n; i++)
		print(all.l[i].name, all.l[i].text, strlen(all.l[i].text));
	flushed();
	for (i = 0; i < all.n; i++)
		free(all.l[i].text);
	free(all.l);
	if (!follow) {
		for (k = 0; k < n; k++)
			if (f[k].fd >= 0)
				close(f[k].fd);
		free(f);
		free(len);
		return rc;
	}
	for (k = 0; k < n; k++) {
		if (f[k].fd < 0 || fstat(f[k].fd, &st) < 0 ||
		    lseek(f[k].fd, (off_t)len[k], SEEK_SET) < 0)
			continue;
		f[k].dev = st.st_dev;
		f[k].ino = st.st_ino;
	}
	free(len);
	follow_all(f, n);
	return 0;
}
