/* See LICENSE file for copyright and license details. */
#ifdef __linux__
#define _GNU_SOURCE
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sched.h>
#endif
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <poll.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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

static int
notify_addr(struct sockaddr_un *sa, socklen_t *len, const char *path)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';      /* the abstract namespace */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (path[0] != '@'));
	return 0;
}

int
os_notify_barrier(const char *path, int ms)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	static const char msg[] = "BARRIER=1";
	struct sockaddr_un sa;
	struct msghdr mh;
	struct iovec iov;
	struct pollfd pfd;
	socklen_t salen;
	int fd, p[2], r;

	if (notify_addr(&sa, &salen, path) < 0 || os_pipe(p) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	iov.iov_base = (void *)msg;
	iov.iov_len = sizeof(msg) - 1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &sa;
	mh.msg_namelen = salen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.b;
	mh.msg_controllen = sizeof(c.b);
	CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &p[1], sizeof(int));
	r = sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
	close(fd);
	close(p[1]);
	/* the write end closed everywhere: a hang-up on the read end */
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (r == 0 && (poll(&pfd, 1, ms) <= 0 || !(pfd.revents & POLLHUP))) {
		errno = ETIMEDOUT;
		r = -1;
	}
	close(p[0]);
	return r;
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
os_dir_each(int fd, void (*fn)(void *, const char *), void *ctx)
{
	union {
		char buf[1024];
		unsigned long long align;
	} u;
	struct ent {
		unsigned long long ino;
		long long off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	} *e;
	long n, i;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, fd, u.buf, sizeof(u.buf))) > 0)
		for (i = 0; i < n; i += e->reclen) {
			e = (struct ent *)(void *)(u.buf + i);
			if (strcmp(e->name, ".") && strcmp(e->name, ".."))
				fn(ctx, e->name);
		}
	return n < 0 ? -1 : 0;
}

void
os_pages_free(void *p, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p, b = a + size;

	if (pg <= 0)
		return;
	a = (a + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	b &= ~((uintptr_t)pg - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
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
os_watch(struct watch *w, const char *dir)
{
	uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
	    IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |
	    IN_ONLYDIR;
	/* the parent: dir removed or renamed, or another renamed onto it;
	 * made, only while it is not there */
	uint32_t pmask = IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR;
	char parent[PATH_MAX], *slash;

	w->wd = w->pwd = -1;
	if (fmt(parent, sizeof(parent), "%s", dir) < 0 ||
	    !(slash = strrchr(parent, '/')) ||
	    fmt(w->base, sizeof(w->base), "%s", slash + 1) < 0)
		return -1;
	*slash = '\0';
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	/* the parent too: dir's own IN_DELETE_SELF comes only once nobody
	 * holds it (we do, as our working directory).  The parent first: dir
	 * was there once it was watched, so its removal after is seen */
	if (!parent[0]) {
		parent[0] = '/';
		parent[1] = '\0';
	}
	w->pwd = inotify_add_watch(w->fd, parent, pmask);
	w->wd = inotify_add_watch(w->fd, dir, mask);
	if (w->wd < 0 && w->pwd >= 0)
		w->pwd = inotify_add_watch(w->fd, parent, pmask | IN_CREATE);
	if (w->wd < 0 && w->pwd < 0) {
		os_unwatch(w);
		return -1;
	}
	return 0;
}

void
os_unwatch(struct watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = w->wd = w->pwd = -1;
}

int
os_watch_read(struct watch *w, void (*fn)(void *, const char *, int), void *ctx)
{
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	const struct inotify_event *ev;
	ssize_t n;
	char *p, *buf = u.buf;

	for (;;) {
		n = read(w->fd, u.buf, sizeof(u.buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				fn(ctx, NULL, WATCH_RESCAN);
			else if (ev->wd == w->pwd) {
				if (ev->len && !strcmp(ev->name, w->base))
					fn(ctx, NULL, WATCH_SELF);
			} else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
			    IN_IGNORED))
				fn(ctx, NULL, WATCH_SELF);
			else if (ev->len && ev->name[0])
				fn(ctx, ev->name, WATCH_NAME |
				    ((ev->mask & IN_CREATE) &&
				    !(ev->mask & IN_ISDIR) ? WATCH_NEW : 0));
		}
	}
}

int
os_notice(void)
{
	return inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

int
os_notice_add(int fd, const char *dir)
{
	return inotify_add_watch(fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO |
	    IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ONLYDIR) < 0 ? -1 : 0;
}

void
os_notice_clear(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int
os_notify_socket(const char *path)
{
	struct sockaddr_un sa;
	socklen_t salen;
	mode_t mask;
	int fd, r, on = 1;

	if (notify_addr(&sa, &salen, path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
	    (unlink(path) < 0 && errno != ENOENT)) {
		close(fd);
		return -1;
	}
	/* made 0666 by the umask of its bind; a default ACL of the
	 * directory overrides the umask: then by a chmod of the path that
	 * never follows a link put in its place meanwhile (glibc and musl
	 * refuse a link with AT_SYMLINK_NOFOLLOW), whose failure leaves the
	 * mode the bind gave */
	mask = umask(0111);
	r = bind(fd, (struct sockaddr *)&sa, salen);
	umask(mask);
	if (r < 0) {
		close(fd);
		return -1;
	}
	(void)fchmodat(AT_FDCWD, path, 0666, AT_SYMLINK_NOFOLLOW);
	return fd;
}

ssize_t
os_notify_recv(int fd, char *buf, size_t size, pid_t *pid, uid_t *uid,
               int *fds, int *nfds)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(64 * sizeof(int))];
	} c;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *h;
	struct ucred uc;
	size_t i, nfd;
	ssize_t n;
	int f;

	iov.iov_base = buf;
	iov.iov_len = size - 1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.b;
	mh.msg_controllen = sizeof(c.b);
	*pid = 0;
	*uid = (uid_t)-1;
	*nfds = 0;
	do
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
		if (h->cmsg_level != SOL_SOCKET)
			continue;
		if (h->cmsg_type == SCM_CREDENTIALS &&
		    h->cmsg_len >= CMSG_LEN(sizeof(uc))) {
			memcpy(&uc, CMSG_DATA(h), sizeof(uc));
			*pid = uc.pid;
			*uid = uc.uid;
		} else if (h->cmsg_type == SCM_RIGHTS) {
			/* never kept: the caller closes them (a sender waiting
			 * on one, a barrier, sees it closed) */
			nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nfd; i++) {
				memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(f));
				if (*nfds < 16)
					fds[(*nfds)++] = f;
				else
					close(f);
			}
		}
	}
	if (mh.msg_flags & MSG_TRUNC) {
		while (*nfds > 0)
			close(fds[--*nfds]);
		errno = EMSGSIZE;
		return -1;
	}
	buf[n] = '\0';
	return n;
}

ssize_t
os_pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	return pwritev(fd, iov, n, off);
}

void
os_pipe_size(int fd, int size)
{
	int now = fcntl(fd, F_GETPIPE_SZ);

	if (now >= 0 && now < size)
		(void)fcntl(fd, F_SETPIPE_SZ, size);
}

ssize_t
os_pipe_to_file(int fd, int out, long long *off, size_t max)
{
	loff_t o = (loff_t)*off;
	ssize_t n;

	do
		n = splice(fd, NULL, out, &o, max, SPLICE_F_NONBLOCK);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		*off = (long long)o;
	if (n == 0) {
		errno = EAGAIN;      /* no writer: nothing more for now */
		return -1;
	}
	return n;
}

int
os_writers(int dirfd, const char *name)
{
	int fd, r = -1;

	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* a read lease is refused (EAGAIN) while anyone has it open for
	 * writing; given, it is given back at once */
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		(void)fcntl(fd, F_SETLEASE, F_UNLCK);
		r = 0;
	} else if (errno == EAGAIN)
		r = 1;
	close(fd);
	return r;
}

#else /* !__linux__ */

int
os_writers(int dirfd, const char *name)
{
	(void)dirfd; (void)name;
	errno = ENOSYS;
	return -1;
}

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
void os_pages_free(void *p, size_t size) { (void)p; (void)size; }

int
os_dir_each(int fd, void (*fn)(void *, const char *), void *ctx)
{
	struct dirent *e;
	DIR *d;
	int dup_fd = dup(fd);

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	rewinddir(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			fn(ctx, e->d_name);
	closedir(d);
	return 0;
}
int os_pidfd(pid_t pid) { (void)pid; errno = ENOSYS; return -1; }
int os_self_exe(char *b, size_t s) { (void)b; (void)s; errno = ENOSYS; return -1; }
int
os_watch(struct watch *w, const char *d)
{
	(void)d;
	w->fd = w->wd = w->pwd = -1;
	errno = ENOSYS;
	return -1;
}
void os_unwatch(struct watch *w) { (void)w; }
int os_notify_socket(const char *p) { (void)p; errno = ENOSYS; return -1; }
int os_notice(void) { errno = ENOSYS; return -1; }
int os_notice_add(int fd, const char *d) { (void)fd; (void)d; return -1; }
void os_notice_clear(int fd) { (void)fd; }
ssize_t
os_notify_recv(int fd, char *buf, size_t size, pid_t *pid, uid_t *uid,
               int *fds, int *nfds)
{
	(void)fd; (void)buf; (void)size; (void)pid; (void)uid; (void)fds;
	*nfds = 0;
	errno = ENOSYS;
	return -1;
}
void os_pipe_size(int fd, int size) { (void)fd; (void)size; }

ssize_t
os_pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	ssize_t w, done = 0;
	int i;

	for (i = 0; i < n; i++) {
		w = pwrite(fd, iov[i].iov_base, iov[i].iov_len, off + done);
		if (w < 0)
			return done ? done : -1;
		done += w;
		if ((size_t)w < iov[i].iov_len)
			break;
	}
	return done;
}

ssize_t
os_pipe_to_file(int fd, int out, long long *off, size_t max)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(fd, buf, max < sizeof(buf) ? max : sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = EAGAIN;
	if (n <= 0)
		return -1;
	if (pwrite(out, buf, (size_t)n, (off_t)*off) != n)
		return -1;      /* lost: this fallback cannot do better */
	*off += n;
	return n;
}
int
os_watch_read(struct watch *w, void (*fn)(void *, const char *, int), void *ctx)
{
	(void)w; (void)fn; (void)ctx;
	errno = ENOSYS;
	return -1;
}

#endif

int
os_rename_new(int dirfd, const char *from, const char *to)
{
	int e;

#if defined(__linux__) && defined(SYS_renameat2)
	if (syscall(SYS_renameat2, dirfd, from, dirfd, to, 1U /* NOREPLACE */) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* no RENAME_NOREPLACE (kernel, file system): a link, which fails
	 * with EEXIST as well, and the old name unlinked */
	if (linkat(dirfd, from, dirfd, to, 0) < 0)
		return -1;
	if (unlinkat(dirfd, from, 0) < 0) {
		e = errno;
		(void)unlinkat(dirfd, to, 0);
		errno = e;
		return -1;
	}
	return 0;
}

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
	pi->pid = pid;
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
		else if (field == 6)
			pi->sid = (pid_t)v;
		else if (field == 22)
			pi->starttime = v;
		if (*p != ' ' && field < 22)
			return -1;
	}
	return 0;
}

long
os_procs(struct procinfo **t)
{
	struct procinfo pi, *nt;
	unsigned long long pid;
	struct dirent *e;
	size_t n = 0, cap = 0;
	DIR *d;

	*t = NULL;
	if (!(d = opendir("/proc"))) {
		errno = ENOSYS;
		return -1;
	}
	while ((e = readdir(d))) {
		if (parse_ull(e->d_name, INT_MAX, &pid) < 0 ||
		    os_procinfo((pid_t)pid, &pi) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(nt = realloc(*t, cap * sizeof(**t))))
				break;
			*t = nt;
		}
		(*t)[n++] = pi;
	}
	closedir(d);
	if (!*t && !(*t = malloc(sizeof(**t))))
		return -1;
	return (long)n;
}

int
os_holds_lock(pid_t pid)
{
	char line[256], want[32];
	int fd = open("/proc/locks", O_RDONLY | O_CLOEXEC), found = 0;
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (!f || fmt(want, sizeof(want), " %ld ", (long)pid) < 0) {
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		return 0;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " POSIX ") && strstr(line, want);
	fclose(f);
	return found;
}

long
os_uid(pid_t pid)
{
	char path[32];
	struct stat st;

	if (fmt(path, sizeof(path), "/proc/%ld", (long)pid) < 0 ||
	    stat(path, &st) < 0)
		return -1;
	return (long)st.st_uid;
}

long
os_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 20))
			rl.rlim_cur = 1 << 20;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 20) ?
	    1 << 20 : (long)rl.rlim_cur;
}

int
os_notify_send(const char *path, const char *msg, size_t len)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int fd, r;

	if (notify_addr(&sa, &salen, path) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0)
		return -1;
	r = sendto(fd, msg, len, 0, (struct sockaddr *)&sa, salen) ==
	    (ssize_t)len ? 0 : -1;
	close(fd);
	return r;
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
}

/* what the child reports when it does not run: the step, its errno */
enum { FAILED_EXEC = 1, FAILED_BEFORE };

/* what os_spawn() gives its child */
#define PIDVAR 128
struct child {
	const struct spawn *sp;
	int rep;                  /* the report's write end, or -1: then
	                           * into step and err (in our memory) but
	                           * with async */
	volatile int step, err;
	char *const *envp;
	char *pidvar;             /* ours, PIDVAR bytes, for the child to
	                           * fill, or NULL */
};

static void
spawn_fail(struct child *c, int rep, int step)
{
	int msg[2];

	msg[0] = step;
	msg[1] = errno;
	if (rep >= 0)
		(void)write_all(rep, msg, sizeof(msg));
	else if (!c->sp->async) {
		c->step = msg[0];
		c->err = msg[1];
	} else
		warnf_stderr("cannot run %s:", c->sp->path);
	_exit(127);
}

/* execve() of path, looked up in the (first) PATH of envp when it has no
 * '/': on to the next entry where it is not, or may not be run (EACCES),
 * stopped by any other error, as execvp(3) (but no shell for ENOEXEC) */
static void
exec_path(const char *path, char *const *argv, char *const *envp)
{
	const char *p = NULL, *end;
	char buf[PATH_MAX];
	size_t i, n;
	int e = ENOENT;

	if (strchr(path, '/')) {
		execve(path, argv, envp);
		return;
	}
	for (i = 0; envp[i] && !p; i++)
		if (!strncmp(envp[i], "PATH=", 5))
			p = envp[i] + 5;
	for (p = p ? p : "/usr/local/bin:/bin:/usr/bin";; p = end + 1) {
		end = p + strcspn(p, ":");
		n = (size_t)(end - p);
		/* an empty entry: the working directory */
		if (fmt(buf, sizeof(buf), "%.*s%s%s", (int)n, p, n ? "/" : "",
		    path) < 0)
			errno = ENAMETOOLONG;
		else
			execve(buf, argv, envp);
		if (errno == EACCES || errno == ENAMETOOLONG)
			e = errno;
		else if (errno != ENOENT && errno != ENOTDIR)
			return;
		if (!*end)
			break;
	}
	errno = e;
}

/* whether an fd to give the child is one of those it is given on */
static int
low_fd(const struct spawn *sp)
{
	int i;

	for (i = 0; i < sp->nfd; i++)
		if (sp->fd[i] >= 0 && sp->fd[i] < sp->nfd)
			return 1;
	return 0;
}

/*
 * The child of os_spawn(), in our memory until its exec where it borrows
 * it: it changes no variable of ours (but pidvar, and what before()
 * writes) and allocates nothing it does not free.  Our handlers stay
 * blocked until sig_reset() made them the defaults.
 */
static int
spawn_child(void *arg)
{
	struct child *c = arg;
	const struct spawn *sp = c->sp;
	int keep[SPAWN_FDS], n = sp->nfd, base = sp->nfd + 1, i, rep = c->rep, r;
	int moved = rep >= 0 || low_fd(sp);

	if (sp->leader == SPAWN_SESSION)
		setsid();
	else if (sp->leader == SPAWN_GROUP)
		setpgid(0, 0);
	if (sp->before && sp->before(sp->ctx) < 0)
		spawn_fail(c, rep, FAILED_BEFORE);
	/* what must survive goes above every fd we set, then in place: the
	 * report on n, the fds on 0..n-1; straight in place when none of
	 * them is below n */
	if (rep >= 0 && (r = fcntl(rep, F_DUPFD_CLOEXEC, base)) < 0)
		goto fail;        /* reported on the fd as it was */
	rep = rep >= 0 ? r : -1;
	for (i = 0; i < n; i++)
		if ((keep[i] = sp->fd[i]) >= 0 && moved &&
		    (keep[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, base)) < 0)
			goto fail;
	if (rep >= 0 && (dup2(rep, n) < 0 || set_cloexec(n) < 0))
		goto fail;
	rep = rep >= 0 ? n : -1;
	for (i = 0; i < n; i++)
		if (keep[i] >= 0 ? dup2(keep[i], i) < 0 :
		    keep[i] == SPAWN_CLOSE && close(i) < 0 && errno != EBADF)
			goto fail;
	/* n itself too, unless the report is there */
	os_close_from(rep >= 0 ? base : n);
	if (sp->dir && chdir(sp->dir) < 0)
		goto fail;
	if (c->pidvar && fmt(c->pidvar, PIDVAR, "%s=%ld", sp->pidenv,
	    (long)getpid()) < 0)
		goto fail;
	sig_reset();
	exec_path(sp->path, sp->argv, c->envp);
fail:
	spawn_fail(c, rep, FAILED_EXEC);
	return 127;
}

/*
 * On Linux, a child in our memory until its exec (CLONE_VFORK: we wait
 * till then) on a stack of its own: no page table copied.  Not under
 * ASan, which would not know that stack; not where stacks grow up.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SPAWN_FORK
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPAWN_FORK
#endif
#endif
#if defined(__linux__) && !defined(SPAWN_FORK) && !defined(__hppa__)
#define CHILD_STACK (64 * 1024)   /* touched: a few pages, given back */
#define SPAWN_SHARED 1            /* the child reports in our memory */
static pid_t
spawn_fork(struct child *c)
{
	void *stack;
	pid_t pid;
	int e;

	stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
	    /* cppcheck-suppress invalidFunctionArg ; MAP_ANONYMOUS: no fd */
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	pid = clone(spawn_child, (char *)stack + CHILD_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, c);
	e = errno;
	(void)munmap(stack, CHILD_STACK);
	errno = e;
	return pid;
}
#else
#define SPAWN_SHARED 0
static pid_t
spawn_fork(struct child *c)
{
	pid_t pid = fork();

	if (pid == 0)
		spawn_child(c);
	return pid;
}
#endif

/* envp with name=PID in place of name (the child writes PID into var), */
static char **
env_with_pid(char *const *envp, const char *name, char *var)
{
	size_t i, k = 0, len = strlen(name);
	char **e;

	for (i = 0; envp[i]; i++)
		;
	if (!(e = malloc((i + 2) * sizeof(*e))))
		return NULL;
	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], name, len) || envp[i][len] != '=')
			e[k++] = envp[i];
	e[k++] = var;
	e[k] = NULL;
	return e;
}

/* the child's report: 0 once it executed, or the step that failed, its
 * errno in *e */
static int
spawn_report(int fd, int *e)
{
	int msg[2];
	ssize_t r;

	do
		r = read(fd, msg, sizeof(msg));
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r != (ssize_t)sizeof(msg))
		return 0;
	*e = msg[1];
	return msg[0];
}

pid_t
os_spawn(struct spawn *sp)
{
	char pidvar[PIDVAR], **env = NULL;
	struct child c;
	int rep[2] = { -1, -1 }, e = 0, step;
	sigset_t all, old;
	pid_t pid;

	sp->err = sp->refused = 0;
	c.sp = sp;
	c.envp = sp->envp ? sp->envp : environ;
	c.pidvar = NULL;
	c.step = c.err = 0;
	if (!sp->async && !SPAWN_SHARED && os_pipe(rep) < 0)
		return -1;
	if (sp->pidenv) {
		if (!(env = env_with_pid(c.envp, sp->pidenv, pidvar))) {
			e = errno;
			goto fail;
		}
		c.envp = env;
		c.pidvar = pidvar;
	}
	c.rep = rep[1];
	/* no handler of ours in the child, which may run in our memory */
	sigfillset(&all);
	pid = -1;
	if (sigprocmask(SIG_SETMASK, &all, &old) == 0) {
		pid = spawn_fork(&c);
		e = errno;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
	} else
		e = errno;
	free(env);
	if (pid < 0)
		goto fail;
	if (sp->async)
		return pid;
	if (SPAWN_SHARED) {
		/* it executed or exited by now */
		step = c.step;
		e = c.err;
	} else {
		close(rep[1]);
		/* EOF once it executed */
		step = spawn_report(rep[0], &e);
	}
	if (step == FAILED_BEFORE) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		sp->refused = 1;
		errno = e;
		return -1;
	}
	sp->err = step ? e : 0;
	return pid;
fail:
	if (rep[0] >= 0) {
		close(rep[0]);
		close(rep[1]);
	}
	errno = e;
	return -1;
}

int
os_spawn_result(struct spawn *sp)
{
	return sp->err;
}
