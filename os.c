/* See LICENSE file for copyright and license details. */
#ifdef __linux__
#define _GNU_SOURCE
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "util.h"

extern char **environ;

/* close every fd >= lowfd: those /proc/self/fd lists, else every possible one */
static void
close_each(int lowfd)
{
	long max = sysconf(_SC_OPEN_MAX);
	DIR *d;
	struct dirent *e;
	unsigned long long fd;
	int dfd;

	d = opendir("/proc/self/fd");
	if (!d) {
		if (max < 0 || max > 65536)
			max = 65536;
		for (; lowfd < max; lowfd++)
			close(lowfd);
		return;
	}
	dfd = dirfd(d);
	while ((e = readdir(d)))
		if (parse_ull(e->d_name, INT_MAX, &fd) == 0 &&
		    (int)fd >= lowfd && (int)fd != dfd)
			close((int)fd);
	closedir(d);
}

#ifdef __linux__

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* the kernel's sigaction for SIG_DFL: every field is zero, whatever the
 * architecture's layout; the size of its signal set is 8 bytes (16 on
 * mips) */
static int
sig_default_raw(int sig)
{
	static const unsigned long zero[16];

	if (syscall(SYS_rt_sigaction, sig, zero, NULL, 8) == 0)
		return 0;
	return (int)syscall(SYS_rt_sigaction, sig, zero, NULL, 16);
}

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

void
os_close_from(int lowfd)
{
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) < 0)
		close_each(lowfd);
}

int
os_pipe(int fd[2])
{
	return pipe2(fd, O_CLOEXEC);
}

int
os_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int
os_pidfd(pid_t pid)
{
	/* pidfd_open(2) returns a close-on-exec fd */
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int
os_self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int
os_watch(const char *dir)
{
	uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
	    IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |
	    IN_ONLYDIR;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dir, mask) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
os_watch_read(int fd, void (*fn)(void *, const char *, int), void *ctx)
{
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	const struct inotify_event *ev;
	ssize_t n;
	char *p, *buf = u.buf;

	for (;;) {
		n = read(fd, u.buf, sizeof(u.buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF |
			    IN_MOVE_SELF | IN_IGNORED))
				fn(ctx, NULL, WATCH_RESCAN);
			else if (ev->len && ev->name[0])
				fn(ctx, ev->name, WATCH_NAME |
				    ((ev->mask & IN_CREATE) &&
				    !(ev->mask & IN_ISDIR) ? WATCH_NEW : 0));
		}
	}
}

#else /* !__linux__ */

static int sig_default_raw(int sig) { (void)sig; errno = ENOSYS; return -1; }
void os_close_from(int lowfd) { close_each(lowfd); }

int
os_pipe(int fd[2])
{
	if (pipe(fd) < 0)
		return -1;
	if (set_cloexec(fd[0]) < 0 || set_cloexec(fd[1]) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	return 0;
}

int os_subreaper(void) { errno = ENOSYS; return -1; }
int os_pidfd(pid_t pid) { (void)pid; errno = ENOSYS; return -1; }
int os_self_exe(char *b, size_t s) { (void)b; (void)s; errno = ENOSYS; return -1; }
int os_watch(const char *d) { (void)d; errno = ENOSYS; return -1; }
int
os_watch_read(int fd, void (*fn)(void *, const char *, int), void *ctx)
{
	(void)fd; (void)fn; (void)ctx;
	errno = ENOSYS;
	return -1;
}

#endif

/* the signals sig_reset() resets, bit s-1 for signal s: all of them
 * until sig_prepare() found those that need it */
static unsigned long long sig_todo = ~0ULL;

void
sig_prepare(void)
{
	struct sigaction old;
	int s;

	sig_todo = 0;
	for (s = 1; s <= 64; s++)
		if (sigaction(s, NULL, &old) < 0 || old.sa_handler != SIG_DFL)
			sig_todo |= 1ULL << (s - 1);
}

void
sig_reset(void)
{
	struct sigaction sa;
	sigset_t set;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (s = 1; s <= 64; s++) {
		if (s == SIGKILL || s == SIGSTOP || !(sig_todo & (1ULL << (s - 1))))
			continue;
		if (sigaction(s, &sa, NULL) < 0)
			sig_default_raw(s);   /* EINVAL: reserved by libc */
	}
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

int
os_procinfo(pid_t pid, struct procinfo *pi)
{
	char path[64], buf[1024], *p;
	unsigned long long v;
	int field;

	if (fmt(path, sizeof(path), "/proc/%ld/stat", (long)pid) < 0)
		return -1;
	if (read_file(path, buf, sizeof(buf)) < 0) {
		if (errno == ENOENT && access("/proc/self/stat", F_OK) < 0)
			errno = ENOSYS;     /* no /proc here */
		return -1;
	}
	/* the command name may hold anything: fields follow its last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	pi->state = p[2];
	p += 3;
	for (field = 4; field <= 22; field++) {
		while (*p == ' ')
			p++;
		v = strtoull(p, &p, 10);
		if (field == 4)
			pi->ppid = (pid_t)v;
		else if (field == 5)
			pi->pgrp = (pid_t)v;
		else if (field == 22)
			pi->starttime = v;
		if (*p != ' ' && field < 22)
			return -1;
	}
	return 0;
}

struct pp { pid_t pid, ppid, pgrp; };

/* every (pid, ppid) of /proc into a growing array; NULL on failure */
static struct pp *
proc_table(size_t *n)
{
	struct procinfo pi;
	struct pp *t = NULL, *nt;
	size_t cap = 0;
	struct dirent *e;
	unsigned long long pid;
	DIR *d;

	*n = 0;
	if (!(d = opendir("/proc")))
		return NULL;
	while ((e = readdir(d))) {
		if (parse_ull(e->d_name, INT_MAX, &pid) < 0 ||
		    os_procinfo((pid_t)pid, &pi) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(nt = realloc(t, cap * sizeof(*t))))
				break;
			t = nt;
		}
		t[*n].pid = (pid_t)pid;
		t[*n].pgrp = pi.pgrp;
		t[(*n)++].ppid = pi.ppid;
	}
	closedir(d);
	if (!t)
		t = malloc(sizeof(*t));
	return t;
}

static int
in_list(pid_t pid, const pid_t *l, size_t n)
{
	while (n--)
		if (l[n] == pid)
			return 1;
	return 0;
}

long
os_descendants(const pid_t *roots, size_t nroots, pid_t pgrp, pid_t *out,
               size_t max)
{
	struct pp *t;
	size_t n, i, found = 0, before, kept;

	if (!(t = proc_table(&n)))
		return -1;
	/* grow the set until a pass adds nothing: parents precede children
	 * in most tables, so this takes few passes */
	do {
		before = found;
		for (i = 0; i < n && found < max; i++) {
			if (in_list(t[i].pid, out, found) ||
			    in_list(t[i].pid, roots, nroots))
				continue;
			if (in_list(t[i].ppid, roots, nroots) ||
			    in_list(t[i].ppid, out, found))
				out[found++] = t[i].pid;
		}
	} while (found != before && found < max);
	/* the walk needed them as links; the caller does not want them */
	for (i = kept = 0; i < found; i++) {
		size_t j;

		for (j = 0; j < n && t[j].pid != out[i]; j++)
			;
		if (j == n || t[j].pgrp != pgrp || pgrp <= 0)
			out[kept++] = out[i];
	}
	free(t);
	return (long)kept;
}

void
os_spawn_init(struct spawn *sp, const char *path, char *const *argv)
{
	int i;

	memset(sp, 0, sizeof(*sp));
	sp->path = path;
	sp->argv = argv;
	for (i = 0; i < SPAWN_FDS; i++)
		sp->fd[i] = SPAWN_KEEP;
	sp->nfd = 3;
	sp->release = sp->report = -1;
}

/* the child of os_spawn(): report errno on rep if anything fails */
static void
spawn_child(const struct spawn *sp, int go, int rep)
{
	int keep[SPAWN_FDS], n = sp->nfd, base = sp->nfd + 2, i, e;
	char c;

	if (sp->leader == SPAWN_SESSION)
		setsid();
	else if (sp->leader == SPAWN_GROUP)
		setpgid(0, 0);
	sig_reset();
	/* what must survive goes above every fd we set, then in place: the
	 * report on n, the release on n + 1, the fds on 0..n-1 */
	if ((rep = fcntl(rep, F_DUPFD_CLOEXEC, base)) < 0 ||
	    (go >= 0 && (go = fcntl(go, F_DUPFD_CLOEXEC, base)) < 0))
		goto fail;
	for (i = 0; i < n; i++)
		if ((keep[i] = sp->fd[i]) >= 0 &&
		    (keep[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, base)) < 0)
			goto fail;
	if (dup2(rep, n) < 0 || set_cloexec(n) < 0)
		goto fail;
	rep = n;
	if (go >= 0 && (dup2(go, n + 1) < 0 || set_cloexec(n + 1) < 0))
		goto fail;
	go = go >= 0 ? n + 1 : -1;
	for (i = 0; i < n; i++)
		if (keep[i] >= 0 ? dup2(keep[i], i) < 0 :
		    keep[i] == SPAWN_CLOSE && close(i) < 0 && errno != EBADF)
			goto fail;
	os_close_from(base);
	/* held: EOF instead of the byte when our parent died meanwhile */
	if (go >= 0 && (read(go, &c, 1) != 1 || close(go) < 0)) {
		errno = ECANCELED;
		goto fail;
	}
	if (sp->dir && chdir(sp->dir) < 0)
		goto fail;
	if (sp->envp)
		environ = (char **)sp->envp;
	if (strchr(sp->path, '/'))
		execv(sp->path, sp->argv);
	else
		execvp(sp->path, sp->argv);
fail:
	e = errno;
	(void)write_all(rep, &e, sizeof(e));
	_exit(127);
}

pid_t
os_spawn(struct spawn *sp)
{
	int go[2] = { -1, -1 }, rep[2];
	pid_t pid;

	sp->release = sp->report = -1;
	if (os_pipe(rep) < 0)
		return -1;
	if (sp->hold && os_pipe(go) < 0) {
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	if ((pid = fork()) == 0) {
		if (go[1] >= 0)
			close(go[1]);    /* else we would hold our own release */
		spawn_child(sp, go[0], rep[1]);
	}
	close(rep[1]);
	if (go[0] >= 0)
		close(go[0]);
	if (pid < 0) {
		close(rep[0]);
		if (go[1] >= 0)
			close(go[1]);
		return -1;
	}
	sp->report = rep[0];
	sp->release = go[1];
	return pid;
}

int
os_release(struct spawn *sp)
{
	int r = write_all(sp->release, "g", 1);

	close(sp->release);
	sp->release = -1;
	return r;
}

int
os_spawn_result(struct spawn *sp)
{
	ssize_t r;
	int e = 0;

	if (sp->report < 0)
		return 0;
	do
		r = read(sp->report, &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(sp->report);
	sp->report = -1;
	return r == (ssize_t)sizeof(e) ? e : 0;
}
