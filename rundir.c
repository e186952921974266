/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "os.h"
#include "rundir.h"
#include "util.h"

static const char *states[] = { "down", "starting", "up", "backoff", "stopping" };
static const char *wants[] = { "up", "down", "once" };
static const char *upper[] = { "DOWN", "STARTING", "UP", "BACKOFF", "STOPPING" };

static char *
env_path(const char *var, const char *def)
{
	const char *v = getenv(var);
	char buf[PATH_MAX], *s;

	if (!v || !*v)
		v = def;
	if (abs_path(buf, sizeof(buf), v) < 0 || !(s = strdup(buf))) {
		warnf("%s: %s:", var, v);
		return NULL;
	}
	return s;
}

int
paths_init(struct paths *p)
{
	if (!(p->sysdir = env_path("SYSDIR", SYSDIR)) ||
	    !(p->rundir = env_path("RUNDIR", RUNDIR)))
		return -1;
	return 0;
}

int
name_ok(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;

	if (!*s || *s == '.' || strlen(name) > NAME_MAX)
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

const char *
arg_name(char *arg)
{
	const char *n = base_name(arg);

	return n && name_ok(n) ? n : NULL;
}

int
service_check(const char *sysdir, const char *name, const char **why)
{
	char path[PATH_MAX];
	struct stat st;

	if (!name_ok(name)) {
		*why = "invalid name";
		return -1;
	}
	if (path_join(path, sizeof(path), sysdir, name) < 0) {
		*why = "name too long";
		return -1;
	}
	if (stat(path, &st) < 0) {
		if (errno == ENOENT && lstat(path, &st) == 0)
			*why = "dangling symlink";
		else if (errno == ENOENT)
			*why = "no such service";
		else
			*why = strerror(errno);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = S_ISDIR(st.st_mode) ? "a directory" : "not a regular file";
		return -1;
	}
	if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		*why = "not executable";
		return -1;
	}
	return 0;
}

const char *
service_arg(const char *sysdir, char *arg, int *exists)
{
	char buf[NAME_MAX + 1];
	const char *name = arg_name(arg), *why;

	*exists = 0;
	if (!name) {
		warnf("%s: invalid service name", printable(buf, sizeof(buf), arg));
		return NULL;
	}
	if (service_check(sysdir, name, &why) == 0)
		return name;
	if (!strcmp(why, "no such service"))
		warnf("%s: no such service", name);
	else {
		warnf("%s: not a service: %s", name, why);
		*exists = 1;
	}
	return NULL;
}

static int
visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int
service_list(const char *sysdir, char ***names)
{
	struct dirent **ents;
	int n, i;

	n = scandir(sysdir, &ents, visible, alphasort);
	if (n < 0)
		return -1;
	*names = (char **)ents;
	/* keep only the names: reuse the dirent array for the strings */
	for (i = 0; i < n; i++) {
		char *s = strdup(ents[i]->d_name);

		if (!s) {
			while (i < n)
				free(ents[i++]);
			service_list_free(*names, i);
			return -1;
		}
		free(ents[i]);
		(*names)[i] = s;
	}
	return n;
}

void
service_list_free(char **names, int n)
{
	while (n-- > 0)
		free(names[n]);
	free(names);
}

int
svc_open(const struct paths *p, const char *name, int create)
{
	char path[PATH_MAX];
	int fd;

	if (path_join(path, sizeof(path), p->rundir, name) < 0)
		return -1;
	if (create) {
		if (mkdir(p->rundir, 0755) < 0 && errno != EEXIST)
			return -1;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd;
}

int
lock_take(int dirfd, const char *file)
{
	struct flock fl;
	int fd;

	fd = openat(dirfd, file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno == EACCES ? EAGAIN : errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

pid_t
lock_holder(int dirfd, const char *file)
{
	struct flock fl;
	int fd;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

const char *
state_name(int state)
{
	return state >= 0 && state < (int)LEN(states) ? states[state] : "?";
}

const char *
want_name(int want)
{
	return want >= 0 && want < (int)LEN(wants) ? wants[want] : "?";
}

static int
lookup(const char *s, const char **tab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, tab[i]))
			return (int)i;
	return -1;
}

void
status_init(struct status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = ST_DOWN;
	st->want = WANT_UP;
	st->exitcode = EXIT_NONE;
}

/* a signed decimal within [min, max] */
static int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	unsigned long long v;
	int neg = *s == '-';

	if (parse_ull(s + neg, (unsigned long long)max, &v) < 0)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return *out < min ? -1 : 0;
}

int
list_ok(const char *list)
{
	char buf[NAMELIST], *tok, *save;

	if (fmt(buf, sizeof(buf), "%s", list) < 0)
		return 0;
	if (buf[0] == ' ' || strstr(buf, "  ") ||
	    (buf[0] && buf[strlen(buf) - 1] == ' '))
		return 0;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!name_ok(tok))
			return 0;
	return 1;
}

int
list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list) {
		if (!strncmp(list, name, n) && (list[n] == ' ' || !list[n]))
			return 1;
		list += strcspn(list, " ");
		list += *list == ' ';
	}
	return 0;
}

static const char *numeric[] = { "pid", "supervisor", "exitcode", "signal",
	"since", "stamp", "due", "starts", "restarts" };
static const char *textual[] = { "state", "want", "starttime", "waiting",
	"deps", "blocked" };

/* k one of numeric[] or textual[] (status_parse() skips the others) */
static int
status_field(struct status *st, const char *k, const char *v)
{
	long long n = 0;
	int i;

	if (!strcmp(k, "state") || !strcmp(k, "want")) {
		i = *k == 's' ? lookup(v, states, LEN(states)) :
		    lookup(v, wants, LEN(wants));
		if (i < 0)
			return -1;
		*(*k == 's' ? &st->state : &st->want) = i;
		return 0;
	}
	if (!strcmp(k, "waiting") || !strcmp(k, "deps") || !strcmp(k, "blocked")) {
		if (!list_ok(v))
			return -1;
		return fmt(*k == 'w' ? st->waiting : *k == 'd' ? st->deps :
		    st->blocked, NAMELIST, "%s", v) < 0 ? -1 : 0;
	}
	if (!strcmp(k, "starttime"))
		return parse_ull(v, (unsigned long long)-1, &st->starttime);
	if (parse_ll(v, -2, 0x7fffffffffffffffLL, &n) < 0)
		return -1;
	if (!strcmp(k, "pid") || !strcmp(k, "supervisor")) {
		if (n < 0 || n > 0x7fffffff)
			return -1;
		*(*k == 'p' ? &st->pid : &st->supervisor) = (pid_t)n;
	} else if (!strcmp(k, "exitcode") || !strcmp(k, "signal")) {
		if (n > 255 || (*k == 's' && n < 0))
			return -1;
		*(*k == 'e' ? &st->exitcode : &st->signal) = (int)n;
	} else if (!strcmp(k, "since"))
		st->since = n;
	else if (!strcmp(k, "stamp"))
		st->stamp = n;
	else if (!strcmp(k, "due"))
		st->due = n;
	else if (!strcmp(k, "starts") || !strcmp(k, "restarts")) {
		if (n < 0)
			return -1;
		*(*k == 's' ? &st->starts : &st->restarts) = (unsigned long)n;
	}
	return 0;
}

int
status_parse(const char *buf, struct status *st)
{
	char key[16], val[NAMELIST];
	const char *p = buf, *nl, *eq;
	size_t klen, vlen;

	status_init(st);
	for (; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			return -1;     /* truncated */
		if (!(eq = memchr(p, '=', (size_t)(nl - p))))
			return -1;
		klen = (size_t)(eq - p);
		vlen = (size_t)(nl - eq - 1);
		if (klen >= sizeof(key))
			continue;      /* no key of ours is that long */
		memcpy(key, p, klen);
		key[klen] = '\0';
		/* unknown keys are ignored, for newer writers */
		if (lookup(key, numeric, LEN(numeric)) < 0 &&
		    lookup(key, textual, LEN(textual)) < 0)
			continue;
		if (vlen >= sizeof(val))
			return -1;
		memcpy(val, eq + 1, vlen);
		val[vlen] = '\0';
		if (status_field(st, key, val) < 0)
			return -1;
	}
	return 0;
}

int
status_read(int dirfd, struct status *st)
{
	char buf[STATUS_MAX];
	ssize_t n, r;
	int fd;

	status_init(st);
	fd = openat(dirfd, "status", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	for (n = 0; (size_t)n < sizeof(buf) - 1; n += r) {
		r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0)
			break;
	}
	close(fd);
	if (r < 0)
		return -1;
	buf[n] = '\0';
	if (strlen(buf) != (size_t)n || status_parse(buf, st) < 0) {
		status_init(st);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
status_write(int dirfd, const struct status *st)
{
	char buf[STATUS_MAX];
	int fd, n;

	n = fmt(buf, sizeof(buf),
	    "state=%s\nwant=%s\npid=%ld\nstarttime=%llu\nsupervisor=%ld\n"
	    "since=%lld\nstamp=%lld\ndue=%lld\nexitcode=%d\nsignal=%d\n"
	    "starts=%lu\nrestarts=%lu\nwaiting=%s\ndeps=%s\nblocked=%s\n",
	    state_name(st->state), want_name(st->want), (long)st->pid,
	    st->starttime, (long)st->supervisor, st->since, st->stamp, st->due,
	    st->exitcode, st->signal, st->starts, st->restarts, st->waiting,
	    st->deps, st->blocked);
	if (n < 0)
		return -1;
	fd = openat(dirfd, "status.new",
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, (size_t)n) < 0) {
		close(fd);
		unlinkat(dirfd, "status.new", 0);
		return -1;
	}
	if (close(fd) < 0 || renameat(dirfd, "status.new", dirfd, "status") < 0) {
		unlinkat(dirfd, "status.new", 0);
		return -1;
	}
	return 0;
}

int
status_get(int dirfd, struct status *st)
{
	status_init(st);
	if (dirfd < 0 || lock_holder(dirfd, "lock") <= 0) {
		/* what was recorded, the want above all, is still of use */
		if (dirfd >= 0 && status_read(dirfd, st) < 0)
			status_init(st);
		st->state = ST_DOWN;
		st->pid = 0;
		return 0;
	}
	if (status_read(dirfd, st) == 0)
		return 1;
	if (errno != ENOENT)
		return -1;
	/* a runsyssv that has just taken the lock */
	status_init(st);
	st->state = ST_STARTING;
	st->stamp = mono_ms();
	return 1;
}

int
status_of(const struct paths *p, const char *name, struct status *st)
{
	int fd = svc_open(p, name, 0), r;

	r = status_get(fd, st);
	if (fd >= 0)
		close(fd);
	return r;
}

static long long
secs_since(long long stamp)
{
	long long d = mono_ms() - stamp;

	return d > 0 ? d / 1000 : 0;
}

/* ", exited 1" / ", killed by SIGKILL" for the last exit */
static int
exit_text(char *buf, size_t size, const struct status *st)
{
	char sig[32];

	if (st->signal)
		return fmt(buf, size, ", killed by %s",
		    sig_text(st->signal, sig, sizeof(sig)));
	if (st->exitcode >= 0)
		return fmt(buf, size, ", exited %d", st->exitcode);
	if (st->exitcode == EXIT_UNKNOWN)
		return fmt(buf, size, ", exited (status unknown)");
	buf[0] = '\0';
	return 0;
}

static int
want_text(char *buf, size_t size, const struct status *st)
{
	int running = st->state == ST_UP || st->state == ST_STARTING ||
	    st->state == ST_BACKOFF;

	buf[0] = '\0';
	if (st->want == WANT_DOWN && running)
		return fmt(buf, size, ", want down");
	if (st->want == WANT_UP && !running)
		return fmt(buf, size, ", want up");
	return 0;
}

/* ", LABEL a, b" for a non-empty space-separated list */
static int
list_text(char *buf, size_t size, const char *label, const char *list)
{
	size_t n;

	if (fmt(buf, size, ", %s ", label) < 0)
		return -1;
	for (n = strlen(buf); *list; list++) {
		if (n + 3 > size)
			return -1;
		if (*list == ' ')
			buf[n++] = ',';
		buf[n++] = *list;
	}
	buf[n] = '\0';
	return 0;
}

/* what happens next: the restart, or what the script waits for */
static int
next_text(char *buf, size_t size, const struct status *st)
{
	long long in;
	int n;

	buf[0] = '\0';
	if (st->state != ST_BACKOFF)
		return st->waiting[0] ?
		    list_text(buf, size, "waiting for", st->waiting) : 0;
	in = st->due - mono_ms();
	in = in > 0 ? (in + 999) / 1000 : 0;
	n = fmt(buf, size, ", restart %lu in %llds", st->restarts + 1, in);
	if (n < 0 || !st->blocked[0])
		return n < 0 ? -1 : 0;
	return list_text(buf + n, size - (size_t)n, "or when up:", st->blocked);
}

int
status_line(char *buf, size_t size, const char *name,
            const struct status *st, int supervised)
{
	char pid[32] = "", ex[64] = "", next[2 * NAMELIST], want[16];
	const char *state;

	if (!supervised)
		return fmt(buf, size, "%s: DOWN (not supervised)", name);
	state = st->state >= 0 && st->state < (int)LEN(upper) ?
	    upper[st->state] : "?";
	if (st->pid > 0 && fmt(pid, sizeof(pid), " (pid %ld)", (long)st->pid) < 0)
		return -1;
	if ((st->state == ST_DOWN || st->state == ST_BACKOFF) &&
	    exit_text(ex, sizeof(ex), st) < 0)
		return -1;
	if (next_text(next, sizeof(next), st) < 0 ||
	    want_text(want, sizeof(want), st) < 0)
		return -1;
	return fmt(buf, size, "%s: %s%s %llds%s%s%s", name, state, pid,
	    secs_since(st->stamp), ex, next, want);
}

int
status_show(char *buf, size_t size, const char *name,
            const struct status *st, int supervised)
{
	return fmt(buf, size,
	    "name=%s\nstate=%s\npid=%ld\nwant=%s\nsince=%lld\nuptime=%lld\n"
	    "restarts=%lu\nexitcode=%d\nsignal=%d\nsupervised=%d\n"
	    "supervisor=%ld\nwaiting=%s\ndeps=%s\nblocked=%s\n",
	    name, supervised ? state_name(st->state) : "down",
	    supervised ? (long)st->pid : 0L, want_name(st->want), st->since,
	    supervised ? secs_since(st->stamp) : 0LL, st->restarts,
	    st->exitcode, st->signal, supervised,
	    supervised ? (long)st->supervisor : 0L,
	    supervised ? st->waiting : "", st->deps, st->blocked);
}

int
ctl_listen(int dirfd, int *keepfd)
{
	int fd;

	if (unlinkat(dirfd, "control", 0) < 0 && errno != ENOENT)
		return -1;
	if (mkfifoat(dirfd, "control", 0600) < 0)
		return -1;
	fd = openat(dirfd, "control", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* our own writer keeps the FIFO from polling EOF forever */
	*keepfd = openat(dirfd, "control", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (*keepfd < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
ctl_send(int dirfd, const char *line)
{
	char buf[CTL_MAX];
	int fd, n, r;

	n = fmt(buf, sizeof(buf), "%s\n", line);
	if (n < 0)
		return -1;
	fd = openat(dirfd, "control", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write_all(fd, buf, (size_t)n);
	close(fd);
	return r;
}

int
ctl_recv(int fd, struct ctlbuf *cb, void (*fn)(void *, char *), void *ctx)
{
	char *nl, *p, *end;
	ssize_t r;

	for (;;) {
		r = read(fd, cb->buf + cb->len, sizeof(cb->buf) - 1 - cb->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		if (r == 0)
			return 0;
		cb->len += (size_t)r;
		end = cb->buf + cb->len;
		for (p = cb->buf; (nl = memchr(p, '\n', (size_t)(end - p)));
		    p = nl + 1) {
			*nl = '\0';
			/* a line with a NUL in it is not ours */
			if (!cb->skip && strlen(p) == (size_t)(nl - p))
				fn(ctx, p);
			cb->skip = 0;
		}
		cb->len -= (size_t)(p - cb->buf);
		memmove(cb->buf, p, cb->len);
		if (cb->len == sizeof(cb->buf) - 1) {
			cb->len = 0;      /* no newline in sight: drop it all */
			cb->skip = 1;
		}
	}
}

#define EV_RECHECK_MS 20        /* without a subscription */

static int
ev_dir(int dirfd)
{
	if (mkdirat(dirfd, "event", 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(dirfd, "event", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
ev_subscribe(const struct paths *p, const char *name, struct sub *s)
{
	static unsigned n;
	int dirfd;

	s->fd = s->evfd = -1;
	s->active = 1;
	if ((dirfd = svc_open(p, name, 1)) < 0)
		return -1;
	s->evfd = ev_dir(dirfd);
	close(dirfd);
	if (s->evfd < 0 ||
	    fmt(s->name, sizeof(s->name), "%ld.%u", (long)getpid(), n++) < 0 ||
	    mkfifoat(s->evfd, s->name, 0600) < 0)
		return -1;
	s->fd = openat(s->evfd, s->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		unlinkat(s->evfd, s->name, 0);
		return -1;
	}
	return 0;
}

void
ev_unsubscribe(struct sub *s)
{
	if (s->fd >= 0) {
		unlinkat(s->evfd, s->name, 0);
		close(s->fd);
	}
	if (s->evfd >= 0)
		close(s->evfd);
	s->fd = s->evfd = -1;
	s->active = 0;
}

void
ev_wait(struct sub *s, size_t n, long long deadline)
{
	struct pollfd pfd[64];
	char buf[64];
	size_t i;
	int t = timeout_until(deadline);

	for (i = 0; i < n && i < LEN(pfd); i++) {
		pfd[i].fd = s[i].active ? s[i].fd : -1;
		pfd[i].events = POLLIN;
		if (s[i].active && s[i].fd < 0 && (t < 0 || t > EV_RECHECK_MS))
			t = EV_RECHECK_MS;
	}
	if (n > LEN(pfd) && (t < 0 || t > EV_RECHECK_MS))
		t = EV_RECHECK_MS;
	if (poll(pfd, i, t) <= 0)
		return;
	while (i-- > 0)
		if (pfd[i].fd >= 0 && pfd[i].revents)
			while (read(pfd[i].fd, buf, sizeof(buf)) > 0)
				;
}

void
ev_remove(DIR *d)
{
	struct dirent *e;

	rewinddir(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
}

DIR *
ev_open(int dirfd)
{
	int fd = ev_dir(dirfd);
	DIR *d;

	if (fd < 0)
		return NULL;
	if (!(d = fdopendir(fd)))
		close(fd);
	return d;
}

void
ev_notify(DIR *d)
{
	struct dirent *e;
	struct stat st;
	int dfd, fd;

	if (!d)
		return;
	dfd = dirfd(d);
	rewinddir(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		fd = openat(dfd, e->d_name,
		    O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			if (errno == ENXIO)     /* its waiter is gone */
				unlinkat(dfd, e->d_name, 0);
			continue;
		}
		/* a full FIFO holds a wake-up already */
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    write(fd, "", 1) < 0 && errno != EAGAIN)
			unlinkat(dfd, e->d_name, 0);
		close(fd);
	}
}
