/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
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

static const char *states[] = { "down", "starting", "up", "backoff", "stopping",
	"failed", "reloading" };
static const char *upper[] = { "DOWN", "STARTING", "UP", "BACKOFF", "STOPPING",
	"FAILED", "RELOADING" };
static const char *wants[] = { "up", "down", "once" };

/* a directory's path without what names no entry at its end, as
 * os_watch() watches it by its parent and its name: "dir/" and "dir/."
 * are dir; one that ends in ".." is refused (NULL) */
static char *
dir_tail(const char *var, char *s)
{
	size_t n;

	for (;;) {
		n = strlen(s);
		if (n > 1 && s[n - 1] == '/')
			s[n - 1] = '\0';
		else if (n > 2 && !strcmp(s + n - 2, "/."))
			s[n - 2] = '\0';
		else
			break;
	}
	n = strlen(s);
	if (n >= 3 && !strcmp(s + n - 3, "/..")) {
		warnf("%s: %s: ends in \"..\": name the directory itself", var, s);
		free(s);
		return NULL;
	}
	return s;
}

static char *
env_path(const char *var, const char *def)
{
	const char *v = getenv(var);
	char *s;

	if (!v || !*v)
		v = def;
	if (!(s = abs_dup(v))) {
		warnf("%s: %s:", var, v);
		return NULL;
	}
	return dir_tail(var, s);
}

int
paths_init(struct paths *p)
{
	if (!(p->sysdir = env_path("SYSDIR", SYSDIR)) ||
	    !(p->rundir = env_path("RUNDIR", RUNDIR)) ||
	    !(p->logdir = env_path("LOGDIR", LOGDIR)))
		return -1;
	p->rundirfd = -1;
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

/* the names editors, sed -i, package managers and scripts write first */
int
name_temporary(const char *name)
{
#define END(s) { s, sizeof(s) - 1 }
	static const struct { const char *s; size_t n; } ends[] = {
	    END(".new"), END(".tmp"), END(".temp"), END("~"), END(".swp"),
	    END(".swx"), END(".bak"), END(".orig"), END(".rej"),
	    END(".dpkg-new"), END(".dpkg-old"), END(".dpkg-dist"),
	    END(".dpkg-tmp"), END(".rpmnew"), END(".rpmsave"), END(".ucf-new"),
	    END(".ucf-old"), END(".ucf-dist") };
#undef END
	size_t n = strlen(name), i;

	for (i = 0; i < LEN(ends); i++)
		if (n > ends[i].n && !memcmp(name + n - ends[i].n, ends[i].s,
		    ends[i].n))
			return 1;
	/* emacs #name#, vim's write test 4913, sed -i's sedXXXXXX */
	if ((n > 2 && name[0] == '#' && name[n - 1] == '#') || !strcmp(name, "4913"))
		return 1;
	if (n != 9 || strncmp(name, "sed", 3))
		return 0;
	for (i = 3; i < n; i++)
		if (!(name[i] >= '0' && name[i] <= '9') &&
		    !(name[i] >= 'a' && name[i] <= 'z') &&
		    !(name[i] >= 'A' && name[i] <= 'Z'))
			return 0;
	return 1;
}

/* names whose files in LOGDIR or RUNDIR are sysmgr's own: why, or NULL */
const char *
name_kept(const char *name)
{
	if (!strcmp(name, RD_OWNLOG))
		return "a name kept for sysmgr's own log";
	if (!strcmp(name, RD_PID))
		return "a name kept for sysmgr's pid file";
	return NULL;
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
	if (name_temporary(name)) {
		*why = "a temporary file name";
		return -1;
	}
	if ((*why = name_kept(name)))
		return -1;
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
visible(const char *name)
{
	return name[0] != '.' && !name_temporary(name);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the visible names of dir, one after another in a buffer of their own */
static char *
dir_names(const char *dir, size_t *len, size_t *n)
{
	struct dirent *e;
	char *buf = NULL, *nb;
	size_t k, cap = 0;
	DIR *d;
	int err;

	*len = *n = 0;
	if (!(d = opendir(dir)))
		return NULL;
	while ((errno = 0, e = readdir(d))) {
		if (!visible(e->d_name))
			continue;
		k = strlen(e->d_name) + 1;
		if (*len + k > cap) {
			cap = cap ? cap * 2 : 16384;
			if (!(nb = realloc(buf, cap)))
				break;
			buf = nb;
		}
		memcpy(buf + *len, e->d_name, k);
		*len += k;
		++*n;
	}
	err = errno;
	closedir(d);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	return buf ? buf : calloc(1, 1);
}

/* one allocation for the list: the pointers, then the names (no
 * allocation a name, as scandir(3) makes) */
int
service_list(const char *sysdir, char ***names)
{
	size_t len, n, i;
	char *buf, **v, *p;

	if (!(buf = dir_names(sysdir, &len, &n)))
		return -1;
	if (n > INT_MAX / 2 ||
	    !(v = malloc(n * sizeof(*v) + len + 1))) {
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	p = (char *)(v + n);
	memcpy(p, buf, len);
	free(buf);
	for (i = 0; i < n; p += strlen(p) + 1)
		v[i++] = p;
	qsort(v, n, sizeof(*v), by_str);
	*names = v;
	return (int)n;
}

void
service_list_free(char **names)
{
	free(names);
}

int
rundir_open(const struct paths *p)
{
	return dir_ours(p->rundir, 0755, 0);
}

int
svc_open(const struct paths *p, const char *name, int create)
{
	char *path = path_dup(p->rundir, name);    /* a small stack */
	int fd = -1, e;

	if (!path)
		return -1;
	if (!create)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if ((fd = rundir_open(p)) >= 0) {
		close(fd);
		fd = dir_ours(path, 0755, 0);
	}
	e = errno;
	free(path);
	errno = e;
	return fd;
}

static void
ev_unlink(void *ctx, const char *name)
{
	unlinkat(*(int *)ctx, name, 0);
}

static void
ev_remove(int svcfd, int evfd)
{
	if (evfd >= 0) {
		ev_notify(evfd);     /* waiters see it gone */
		os_dir_each(evfd, ev_unlink, &evfd);
	}
	unlinkat(svcfd, "event", AT_REMOVEDIR);
}

void
svc_remove(const struct paths *p, const char *name, int dirfd, int ev)
{
	static const char *const files[] = { "control", "status", "pid",
	    RD_NOTIFY, RD_READY, RD_LOG, RD_SPILL, "lock" };
	char dir[PATH_MAX];
	size_t i;

	for (i = 0; i < LEN(files); i++)
		unlinkat(dirfd, files[i], 0);
	ev_remove(dirfd, ev);
	if (path_join(dir, sizeof(dir), p->rundir, name) == 0)
		rmdir(dir);
}

/* 1 when process pid runs as uid (or nothing tells: no /proc) */
static int
runs_as(pid_t pid, uid_t uid)
{
	char path[32];
	struct stat st;

	if (fmt(path, sizeof(path), "/proc/%ld", (long)pid) < 0)
		return 0;
	if (stat(path, &st) == 0)
		return st.st_uid == uid;
	return errno == ENOENT && access("/proc/self", F_OK) < 0;
}

/* the holder of a write lock on fd; 0 when free, or held by what cannot
 * be a supervisor: a read lock (anyone who may read the file could take
 * one), a process of another user than owner (-1: not checked; a write
 * lock needs write access to the file, which only its owner has) */
static pid_t
holder_of(int fd, long owner)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -1;
	if (fl.l_type != F_WRLCK ||
	    (owner >= 0 && !runs_as(fl.l_pid, (uid_t)owner)))
		return 0;
	return fl.l_pid;
}

/* a lock file that is ours and only ours: anything else is replaced */
static int
lock_open(int dirfd, const char *file)
{
	struct stat st;
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(dirfd, file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY |
		    O_NOFOLLOW | O_NONBLOCK, 0600);
		if (fd < 0 && errno != ELOOP)
			return -1;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() && !(st.st_mode & 077))
			return fd;
		if (fd >= 0)
			close(fd);
		if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT)
			return -1;
	}
	errno = EPERM;
	return -1;
}

static int
lock_take(int dirfd, const char *file)
{
	struct flock fl;
	int fd, tries, e;

	for (tries = 0; tries < 2; tries++) {
		if ((fd = lock_open(dirfd, file)) < 0)
			return -1;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return fd;
		e = errno == EACCES ? EAGAIN : errno;
		/* held by no supervisor of ours (a read lock through an old
		 * file mode): that file is not the lock any more */
		if (e == EAGAIN && holder_of(fd, (long)geteuid()) == 0 &&
		    unlinkat(dirfd, file, 0) == 0) {
			close(fd);
			continue;
		}
		close(fd);
		errno = e;
		return -1;
	}
	errno = EAGAIN;
	return -1;
}

static pid_t
lock_holder(int dirfd, const char *file)
{
	pid_t pid;
	int fd;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	pid = holder_of(fd, -1);
	close(fd);
	return pid;
}

int svc_lock(int dirfd) { return lock_take(dirfd, "lock"); }
pid_t svc_holder(int dirfd) { return lock_holder(dirfd, "lock"); }
int mgr_lock(int rundirfd) { return lock_take(rundirfd, ".sysmgr.lock"); }
pid_t mgr_holder(int rundirfd) { return lock_holder(rundirfd, ".sysmgr.lock"); }

/* buf of n bytes into file, replaced atomically through file.new */
static int
replace(int dirfd, const char *file, const char *buf, size_t n)
{
	char tmp[32];
	int fd;

	if (fmt(tmp, sizeof(tmp), "%s.new", file) < 0)
		return -1;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOCTTY | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, n) < 0) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (close(fd) < 0 || renameat(dirfd, tmp, dirfd, file) < 0) {
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int
pid_write(int dirfd, pid_t pid)
{
	char buf[32];
	int n, e;

	if (pid <= 0)
		return unlinkat(dirfd, RD_PID, 0) < 0 && errno != ENOENT ? -1 : 0;
	/* no room for pid.new (RUNDIR full): none, rather than the old pid,
	 * which another process may have by now */
	if ((n = fmt(buf, sizeof(buf), "%ld\n", (long)pid)) < 0 ||
	    replace(dirfd, RD_PID, buf, (size_t)n) < 0) {
		e = errno;
		(void)unlinkat(dirfd, RD_PID, 0);
		errno = e;
		return -1;
	}
	return 0;
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

/* the numbers zeroed, the texts emptied: not the whole 3.5 kB (svctl
 * status inits one a service, twice) */
void
status_init(struct status *st)
{
	memset(st, 0, offsetof(struct status, waiting));
	st->waiting[0] = st->deps[0] = st->blocked[0] = '\0';
	st->why[0] = st->text[0] = st->bad[0] = '\0';
	st->state = ST_DOWN;
	st->want = WANT_UP;
	st->exitcode = EXIT_NONE;
	st->stoptimeout = STOP_TIMEOUT;
}

int
list_ok(const char *list)
{
	const char *p = list, *end;
	char name[NAME_MAX + 1];
	size_t n = strlen(list);

	if (n >= NAMELIST || (n && (list[0] == ' ' || list[n - 1] == ' ')))
		return 0;
	/* names between single blanks, each checked in place */
	for (; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, " ");
		if (end == p || (size_t)(end - p) > NAME_MAX)
			return 0;
		memcpy(name, p, (size_t)(end - p));
		name[end - p] = '\0';
		if (!name_ok(name))
			return 0;
	}
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

/* one table of the keys of the status file, for reading and writing */
enum { K_STATE, K_WANT, K_PID, K_ULL, K_LL, K_EXIT, K_SIG, K_UL, K_LIST,
       K_TEXT };
#define AT(f) offsetof(struct status, f)
static const struct key {
	const char *name;
	int type;
	size_t off;
} keys[] = {
	{ "state", K_STATE, AT(state) }, { "want", K_WANT, AT(want) },
	{ "pid", K_PID, AT(pid) }, { "starttime", K_ULL, AT(starttime) },
	{ "supervisor", K_PID, AT(supervisor) },
	{ "supstart", K_ULL, AT(supstart) }, { "since", K_LL, AT(since) },
	{ "stamp", K_LL, AT(stamp) }, { "due", K_LL, AT(due) },
	{ "exitcode", K_EXIT, AT(exitcode) }, { "signal", K_SIG, AT(signal) },
	{ "starts", K_UL, AT(starts) }, { "restarts", K_UL, AT(restarts) },
	{ "fails", K_UL, AT(fails) }, { "ignored", K_UL, AT(ignored) },
	{ "dropped", K_UL, AT(dropped) },
	{ "stoptimeout", K_UL, AT(stoptimeout) },
	{ "readytimeout", K_UL, AT(readytimeout) },
	{ "waiting", K_LIST, AT(waiting) }, { "deps", K_LIST, AT(deps) },
	{ "blocked", K_LIST, AT(blocked) }, { "why", K_TEXT, AT(why) },
	{ "text", K_TEXT, AT(text) }, { "bad", K_TEXT, AT(bad) },
};
#define FIELD(st, k, type) ((type *)(void *)((char *)(st) + (k)->off))

/* 1 if s has no control character */
static int
text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* the largest value of a numeric key (a negative exit code: at most 2) */
static unsigned long long
key_max(const struct key *k)
{
	switch (k->type) {
	case K_STATE:
		return LEN(states) - 1;
	case K_WANT:
		return LEN(wants) - 1;
	case K_PID:
		return 0x7fffffffULL;
	case K_EXIT:
	case K_SIG:
		return 255;
	case K_LL:
		return 0x7fffffffffffffffULL;
	case K_UL:
		return (unsigned long)-1;
	}
	return (unsigned long long)-1;
}

/* n, negated with neg, as the value of the numeric key k, if in range */
static int
field_set(struct status *st, const struct key *k, unsigned long long n,
          int neg)
{
	if (neg ? k->type != K_EXIT || n > 2 : n > key_max(k))
		return -1;
	switch (k->type) {
	case K_STATE:
	case K_WANT:
	case K_SIG:
		*FIELD(st, k, int) = (int)n;
		break;
	case K_EXIT:
		*FIELD(st, k, int) = neg ? -(int)n : (int)n;
		break;
	case K_PID:
		*FIELD(st, k, pid_t) = (pid_t)n;
		break;
	case K_LL:
		*FIELD(st, k, long long) = (long long)n;
		break;
	case K_UL:
		*FIELD(st, k, unsigned long) = (unsigned long)n;
		break;
	default:
		*FIELD(st, k, unsigned long long) = n;
	}
	return 0;
}

/* the value of the numeric key k, as 64 bits (two's complement) */
static uint64_t
field_get(const struct status *st, const struct key *k)
{
	switch (k->type) {
	case K_STATE:
	case K_WANT:
	case K_SIG:
	case K_EXIT:
		return (uint64_t)(int64_t)*FIELD(st, k, const int);
	case K_PID:
		return (uint64_t)(int64_t)*FIELD(st, k, const pid_t);
	case K_LL:
		return (uint64_t)(int64_t)*FIELD(st, k, const long long);
	case K_UL:
		return *FIELD(st, k, const unsigned long);
	}
	return *FIELD(st, k, const unsigned long long);
}

/* the len bytes of v (no NUL among them) as the list or text of k */
static int
text_set(struct status *st, const struct key *k, const char *v, size_t len)
{
	char *f = FIELD(st, k, char);

	if (len >= (k->type == K_LIST ? NAMELIST : TEXT_MAX))
		return -1;
	memcpy(f, v, len);
	f[len] = '\0';
	return (k->type == K_LIST ? list_ok(f) : text_ok(f)) ? 0 : -1;
}

static int
field_parse(struct status *st, const struct key *k, const char *v)
{
	unsigned long long n = 0;
	int neg = v[0] == '-', i;

	switch (k->type) {
	case K_STATE:
	case K_WANT:
		i = k->type == K_STATE ? lookup(v, states, LEN(states)) :
		    lookup(v, wants, LEN(wants));
		return i < 0 ? -1 : field_set(st, k, (unsigned long long)i, 0);
	case K_LIST:
	case K_TEXT:
		return text_set(st, k, v, strlen(v));
	}
	if (parse_ull(v + neg, neg ? 2 : key_max(k), &n) < 0)
		return -1;
	return field_set(st, k, n, neg);
}

static int
field_format(char *buf, size_t size, const struct status *st,
             const struct key *k)
{
	const char *s;

	switch (k->type) {
	case K_STATE:
	case K_WANT:
		s = k->type == K_STATE ? state_name(*FIELD(st, k, const int)) :
		    want_name(*FIELD(st, k, const int));
		return fmt(buf, size, "%s=%s\n", k->name, s);
	case K_LIST:
	case K_TEXT:
		return fmt(buf, size, "%s=%s\n", k->name, FIELD(st, k, const char));
	case K_PID:
		return fmt(buf, size, "%s=%ld\n", k->name,
		    (long)*FIELD(st, k, const pid_t));
	case K_EXIT:
	case K_SIG:
		return fmt(buf, size, "%s=%d\n", k->name, *FIELD(st, k, const int));
	case K_LL:
		return fmt(buf, size, "%s=%lld\n", k->name,
		    *FIELD(st, k, const long long));
	case K_UL:
		return fmt(buf, size, "%s=%lu\n", k->name,
		    *FIELD(st, k, const unsigned long));
	default:
		return fmt(buf, size, "%s=%llu\n", k->name,
		    *FIELD(st, k, const unsigned long long));
	}
}

/* the key of p (len bytes); keys come in the table's order, so the one
 * after the last found is tried first */
static const struct key *
key_find(const char *p, size_t len, size_t *next)
{
	size_t i, j;

	for (j = 0; j < LEN(keys); j++) {
		i = (*next + j) % LEN(keys);
		if (!strncmp(keys[i].name, p, len) && !keys[i].name[len]) {
			*next = i + 1;
			return &keys[i];
		}
	}
	return NULL;
}

int
status_parse(const char *buf, struct status *st)
{
	char val[NAMELIST];
	const struct key *k;
	const char *p = buf, *nl, *eq;
	size_t vlen, next = 0;

	status_init(st);
	for (; *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			return -1;     /* truncated */
		if (nl == p)
			break;         /* the padding of a write in place */
		if (!(eq = memchr(p, '=', (size_t)(nl - p))))
			return -1;
		/* unknown keys are ignored, for newer writers */
		if (!(k = key_find(p, (size_t)(eq - p), &next)))
			continue;
		vlen = (size_t)(nl - eq - 1);
		if (vlen >= sizeof(val))
			return -1;
		memcpy(val, eq + 1, vlen);
		val[vlen] = '\0';
		if (field_parse(st, k, val) < 0)
			return -1;
	}
	return 0;
}

/*
 * The binary form of a status, for the status table (no text to parse:
 * `svctl status` of 1000 services spent a quarter of its time parsing):
 * each key in the order of keys[], a number as 8 bytes in host byte
 * order, a list or a text with its NUL.
 */
int
status_pack(char *buf, size_t size, const struct status *st)
{
	const struct key *k;
	size_t n = 0, len;
	uint64_t v;

	for (k = keys; k < keys + LEN(keys); k++) {
		if (k->type == K_LIST || k->type == K_TEXT) {
			len = strlen(FIELD(st, k, const char)) + 1;
			if (n + len > size)
				return -1;
			memcpy(buf + n, FIELD(st, k, const char), len);
			n += len;
			continue;
		}
		if (n + 8 > size)
			return -1;
		v = field_get(st, k);
		memcpy(buf + n, &v, 8);
		n += 8;
	}
	return n > INT_MAX ? -1 : (int)n;
}

int
status_unpack(const char *buf, size_t len, struct status *st)
{
	const char *p = buf, *end = buf + len, *nul;
	const struct key *k;
	uint64_t v;
	int neg;

	status_init(st);
	for (k = keys; k < keys + LEN(keys); k++) {
		if (k->type == K_LIST || k->type == K_TEXT) {
			if (!(nul = memchr(p, '\0', (size_t)(end - p))) ||
			    text_set(st, k, p, (size_t)(nul - p)) < 0)
				return -1;
			p = nul + 1;
			continue;
		}
		if (end - p < 8)
			return -1;
		memcpy(&v, p, 8);
		p += 8;
		neg = (k->type == K_EXIT || k->type == K_LL) && (int64_t)v < 0;
		if (field_set(st, k, neg ? -v : v, neg) < 0)
			return -1;
	}
	return p == end ? 0 : -1;
}

/* a status file, path under at */
static int
load(int at, const char *path, struct status *st)
{
	char *buf;
	ssize_t n, r;
	size_t want;
	int fd;

	status_init(st);
	fd = openat(at, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return -1;
	/* on the heap, where the next big buffer reuses it: a runsyssv's
	 * stack (which never shrinks) and data stay a few pages */
	if (!(buf = malloc(STATUS_MAX))) {
		close(fd);
		return -1;
	}
	/* a regular file: a short read is its end */
	for (n = 0; n < STATUS_MAX - 1; n += r) {
		want = STATUS_MAX - 1 - (size_t)n;
		do
			r = read(fd, buf + n, want);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			close(fd);
			free(buf);
			return -1;
		}
		if ((size_t)r < want) {
			n += r;
			break;
		}
	}
	close(fd);
	buf[n] = '\0';
	r = strlen(buf) != (size_t)n || status_parse(buf, st) < 0 ? -1 : 0;
	free(buf);
	if (r < 0) {
		status_init(st);
		errno = EINVAL;
	}
	return (int)r;
}

int
status_load(int dirfd, struct status *st)
{
	return load(dirfd, "status", st);
}

/* with no room for status.new: over the old file, which has its page (a
 * reader may see it half written, takes it for invalid and reads again).
 * A shorter status is written padded with newlines to the old length,
 * then cut: killed in between, we leave a valid status (an empty line
 * ends it), not its head followed by the old one's tail.  buf has
 * STATUS_MAX bytes. */
static int
overwrite(int dirfd, char *buf, size_t n)
{
	int fd = openat(dirfd, "status", O_WRONLY | O_CLOEXEC | O_NOCTTY |
	    O_NOFOLLOW | O_NONBLOCK), r;
	struct stat st;
	size_t len = n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)n) {
		len = st.st_size < STATUS_MAX ? (size_t)st.st_size : STATUS_MAX;
		memset(buf + n, '\n', len - n);
	}
	r = pwrite(fd, buf, len, 0) == (ssize_t)len &&
	    ftruncate(fd, (off_t)n) == 0;
	close(fd);
	return r ? 0 : -1;
}

int
status_write(int dirfd, const struct status *st)
{
	char *buf;
	int r, e;

	if (!(buf = malloc(STATUS_MAX)))       /* see load() */
		return -1;
	r = status_write_in(dirfd, st, buf);
	e = errno;
	free(buf);
	errno = e;
	return r;
}

int
status_write_in(int dirfd, const struct status *st, char *buf)
{
	size_t i, n = 0;
	int w, e, r = -1;

	/* the table's copy first, binary, in the same buffer: whoever has
	 * seen the file say a state (svctl waiting for it) then finds the
	 * table saying it too; emptied again if the file cannot be written */
	if ((w = status_pack(buf, STATUS_MAX, st)) >= 0)
		table_put(buf, (size_t)w);
	else
		table_put(NULL, 0);
	for (i = 0; i < LEN(keys); i++) {
		if ((w = field_format(buf + n, STATUS_MAX - n, st, &keys[i])) < 0)
			goto out;
		n += (size_t)w;
	}
	if ((r = replace(dirfd, "status", buf, n)) == 0 ||
	    ((e = errno) != ENOSPC && e != EDQUOT))
		goto out;
	if ((r = overwrite(dirfd, buf, n)) < 0)
		errno = e;           /* the first reason */
out:
	if (r < 0) {
		e = errno;
		table_put(NULL, 0);
		errno = e;
	}
	return r;
}

/* who cannot read the lock: the supervisor the status names, if that
 * very process (its start time) runs as the owner of the lock */
static int
supervisor_runs(int at, const char *lock, const struct status *st)
{
	struct procinfo pi;
	struct stat ls;

	if (st->supervisor <= 0 || !st->supstart ||
	    os_procinfo(st->supervisor, &pi) < 0 || pi.state == 'Z' ||
	    pi.starttime != st->supstart ||
	    fstatat(at, lock, &ls, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return runs_as(st->supervisor, ls.st_uid);
}

/* the status of the service whose lock and status are these paths */
static int
query(int at, const char *lock, const char *status, struct status *st)
{
	pid_t holder = lock_holder(at, lock);
	int r;

	status_init(st);
	if (holder < 0 && errno != EACCES)
		return -1;
	r = load(at, status, st);
	if (r < 0 && errno != ENOENT && errno != EINVAL)
		return -1;
	if (holder > 0 || (holder < 0 && r == 0 &&
	    supervisor_runs(at, lock, st))) {
		if (holder > 0)
			st->supervisor = holder;    /* the lock says, not the file */
		if (r == 0)
			return 1;
		if (errno == EINVAL)
			return -1;      /* being replaced: ask again */
		/* a runsyssv that has just taken the lock */
		status_init(st);
		st->supervisor = holder > 0 ? holder : 0;
		st->state = ST_STARTING;
		st->stamp = mono_ms();
		return 1;
	}
	/* what was recorded, the want above all, is still of use */
	if (r < 0)
		status_init(st);
	st->state = ST_DOWN;
	st->pid = 0;
	return 0;
}

int
svc_status(int dirfd, struct status *st)
{
	return query(dirfd, "lock", "status", st);
}

int
svc_status_named(struct paths *p, const char *name, struct status *st)
{
	char lock[NAME_MAX + 8], status[NAME_MAX + 8];
	int *fd = &p->rundirfd;
	size_t n = strlen(name);

	status_init(st);
	if (*fd < 0 && (*fd = open(p->rundir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (n > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(lock, name, n);
	memcpy(lock + n, "/lock", sizeof("/lock"));
	memcpy(status, name, n);
	memcpy(status + n, "/status", sizeof("/status"));
	return query(*fd, lock, status, st);
}

int
status_up(const struct status *st)
{
	return st->state == ST_UP || st->state == ST_RELOADING;
}

int
status_blocks(const struct status *st)
{
	return st->want == WANT_DOWN || st->state == ST_FAILED ||
	    (st->want == WANT_ONCE && st->state == ST_DOWN);
}

static long long
secs_since(long long stamp)
{
	long long d = mono_ms() - stamp;

	return d > 0 ? d / 1000 : 0;
}

/* the status line, built by appending: one buffer, no vsnprintf a part
 * (svctl status of 1000 services spent 39 % of its time in it) */
struct line {
	char *buf;
	size_t n, size;
	int full;
};

static void
put(struct line *l, const char *s)
{
	size_t k = strlen(s);

	if (l->full || l->n + k >= l->size) {
		l->full = 1;
		return;
	}
	memcpy(l->buf + l->n, s, k + 1);
	l->n += k;
}

static void
put_num(struct line *l, long long v)
{
	char d[24];
	size_t i = sizeof(d) - 1;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	d[i] = '\0';
	do
		d[--i] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		d[--i] = '-';
	put(l, d + i);
}

/* ", LABEL a, b" for a non-empty space-separated list */
static void
put_list(struct line *l, const char *label, const char *list)
{
	char name[NAME_MAX + 1];
	size_t k;

	put(l, label);
	for (; *list; list += k + (list[k] == ' ')) {
		k = strcspn(list, " ");
		memcpy(name, list, k < sizeof(name) ? k : sizeof(name) - 1);
		name[k < sizeof(name) ? k : sizeof(name) - 1] = '\0';
		put(l, name);
		if (list[k])
			put(l, ", ");
	}
}

/* ", exited 1" / ", killed by SIGKILL" for the last exit */
static void
put_exit(struct line *l, const struct status *st)
{
	char sig[32];

	if (st->pid > 0 || st->state == ST_STARTING || status_up(st))
		return;
	if (st->signal) {
		put(l, ", killed by ");
		put(l, sig_text(st->signal, sig, sizeof(sig)));
	} else if (st->exitcode >= 0) {
		put(l, ", exited ");
		put_num(l, st->exitcode);
	} else if (st->exitcode == EXIT_UNKNOWN)
		put(l, ", exited (status unknown)");
}

/* the runsyssv's remarks, the service's words, what comes next, the want */
static void
put_rest(struct line *l, const struct status *st)
{
	int running = st->state != ST_DOWN && st->state != ST_STOPPING &&
	    st->state != ST_FAILED;
	long long in;

	if (st->why[0]) {
		put(l, ", ");
		put(l, st->why);
	}
	if (st->text[0]) {
		put(l, ", \"");
		put(l, st->text);
		put(l, "\"");
	}
	if (st->bad[0]) {
		put(l, ", bad setting: ");
		put(l, st->bad);
	}
	if (st->state == ST_BACKOFF) {
		in = st->due - mono_ms();
		put(l, ", restart ");
		put_num(l, (long long)st->restarts + 1);
		put(l, " in ");
		put_num(l, in > 0 ? (in + 999) / 1000 : 0);
		put(l, "s");
		if (st->blocked[0])
			put_list(l, ", or when up: ", st->blocked);
	} else if (st->waiting[0])
		put_list(l, ", waiting for ", st->waiting);
	if (st->want == WANT_DOWN && running)
		put(l, ", want down");
	else if (st->want == WANT_UP && !running && st->state != ST_FAILED)
		put(l, ", want up");
}

int
status_line(char *buf, size_t size, const char *name,
            const struct status *st, int supervised)
{
	struct line l;

	l.buf = buf;
	l.n = l.full = 0;
	l.size = size;
	if (size)
		buf[0] = '\0';
	put(&l, name);
	if (!supervised) {
		put(&l, ": DOWN (not supervised)");
		return l.full ? -1 : (int)l.n;
	}
	put(&l, ": ");
	put(&l, st->state >= 0 && st->state < (int)LEN(upper) ?
	    upper[st->state] : "?");
	if (st->pid > 0) {
		put(&l, " (pid ");
		put_num(&l, st->pid);
		put(&l, ")");
	}
	put(&l, " ");
	put_num(&l, secs_since(st->stamp));
	put(&l, "s");
	put_exit(&l, st);
	put_rest(&l, st);
	if (l.full) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return (int)l.n;
}

int
status_show(char *buf, size_t size, const char *name,
            const struct status *st, int supervised)
{
	return fmt(buf, size,
	    "name=%s\nstate=%s\npid=%ld\nwant=%s\nsince=%lld\nuptime=%lld\n"
	    "restarts=%lu\nlast_exitcode=%d\nlast_signal=%d\nsupervised=%d\n"
	    "supervisor=%ld\nwaiting=%s\ndeps=%s\nblocked=%s\nwhy=%s\n"
	    "text=%s\nbad=%s\nfails=%lu\nignored=%lu\ndropped=%lu\n",
	    name, supervised ? state_name(st->state) : "down",
	    supervised ? (long)st->pid : 0L, want_name(st->want), st->since,
	    supervised ? secs_since(st->stamp) : 0LL, st->restarts,
	    st->exitcode, st->signal, supervised,
	    supervised ? (long)st->supervisor : 0L,
	    supervised ? st->waiting : "", st->deps, st->blocked,
	    supervised ? st->why : "", st->text, st->bad, st->fails,
	    st->ignored, st->dropped);
}

int
fifo_open(int dirfd, const char *name, int flags)
{
	struct stat st;
	int fd;

	if (mkfifoat(dirfd, name, 0600) < 0 && errno != EEXIST)
		return -1;
	fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	/* whatever had that name must be our FIFO */
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
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
	/* read and write: its own writer, it never polls a hang-up (which
	 * it would once runsyssv closed it after a wake-up) */
	s->fd = openat(s->evfd, s->name, O_RDWR | O_NONBLOCK | O_CLOEXEC);
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

int
ev_open(int dirfd)
{
	return ev_dir(dirfd);
}

/* one waiter: a byte into its FIFO, or the FIFO removed when nobody
 * reads it any more */
static void
ev_wake(void *ctx, const char *name)
{
	struct stat st;
	int dfd = *(int *)ctx, fd;

	if (name[0] == '.')
		return;
	fd = openat(dfd, name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY);
	if (fd < 0) {
		if (errno == ENXIO)     /* its waiter is gone */
			unlinkat(dfd, name, 0);
		return;
	}
	/* a full FIFO holds a wake-up already */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    write(fd, "", 1) < 0 && errno != EAGAIN)
		unlinkat(dfd, name, 0);
	close(fd);
}

void
ev_notify(int evfd)
{
	if (evfd >= 0)
		os_dir_each(evfd, ev_wake, &evfd);
}
