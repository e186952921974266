/* See LICENSE file for copyright and license details. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util.h"

static struct {
	const char *prog;
	int sigfd;            /* write end of the self-pipe */
	int (*sink)(const char *, size_t);
	int in_sink;          /* a line the sink itself says */
} u = { "?", -1, NULL, 0 };

void
set_sink(int (*fn)(const char *, size_t))
{
	u.sink = fn;
}

void
setprogname(const char *name)
{
	u.prog = name;
}

const char *
progname(void)
{
	return u.prog;
}

static void
vwarn(const char *who, int sink, const char *f, va_list ap)
{
	char buf[1024];
	size_t len, flen = strlen(f);
	int saved = errno;

	len = (size_t)snprintf(buf, sizeof(buf), "%s: ", who);
	if (len < sizeof(buf))
		vsnprintf(buf + len, sizeof(buf) - len, f, ap);
	len = strlen(buf);
	if (flen && f[flen - 1] == ':' && len < sizeof(buf) - 1)
		snprintf(buf + len, sizeof(buf) - len, " %s", strerror(saved));
	len = strlen(buf);
	if (len == sizeof(buf) - 1)
		len--;
	buf[len++] = '\n';
	if (sink && u.sink && !u.in_sink) {
		u.in_sink = 1;
		len = u.sink(buf, len) == 0 ? 0 : len;
		u.in_sink = 0;
	}
	/* one write, so that lines of several processes do not mix */
	if (len)
		write_all(2, buf, len);
	errno = saved;
}

void
warnf(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vwarn(u.prog, 1, f, ap);
	va_end(ap);
}

void
warnf_stderr(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vwarn(u.prog, 0, f, ap);
	va_end(ap);
}

void
say(const char *who, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vwarn(who, 1, f, ap);
	va_end(ap);
}

void
die(int status, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vwarn(u.prog, 1, f, ap);
	va_end(ap);
	exit(status);
}

void
usage_exit(const char *synopsis)
{
	char buf[512];
	int n = fmt(buf, sizeof(buf), "usage: %s\n", synopsis);

	write_all(2, buf, n < 0 ? sizeof(buf) - 1 : (size_t)n);
	exit(EXIT_USAGE);
}

void
prog_init(const char *name, const char *synopsis, int argc, char *argv[])
{
	char buf[512];
	int n;

	setprogname(name);
	if (argc > 0)
		argv[0] = (char *)name;
	if (argc < 2 || (strcmp(argv[1], "-h") && strcmp(argv[1], "--help")))
		return;
	n = fmt(buf, sizeof(buf), "usage: %s\n", synopsis);
	if (write_all(1, buf, n < 0 ? sizeof(buf) - 1 : (size_t)n) < 0)
		exit(EXIT_SYSTEM);
	exit(0);
}

int
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return n;
}

int
parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if ((unsigned long long)(*s - '0') > max ||
		    v > (max - (unsigned long long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*out = v;
	return 0;
}

long long
mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
poll_until(struct pollfd *fds, unsigned long n, long long deadline)
{
	static int said;
	struct timespec pause = { 0, 100000000 };
	int r = poll(fds, (nfds_t)n, timeout_until(deadline));

	if (r >= 0) {
		said = 0;
		return r;
	}
	if (errno == EINTR)
		return -1;
	if (errno != ENOMEM && errno != EAGAIN)
		die(EXIT_SYSTEM, "poll:");
	if (!said) {
		said = 1;
		warnf("poll, tried again in 100 ms until it works:");
	}
	nanosleep(&pause, NULL);
	/* as a poll that timed out: the caller's deadlines still come */
	while (n > 0)
		fds[--n].revents = 0;
	return 0;
}

long long
wall_s(void)
{
	return (long long)time(NULL);
}

int
timeout_until(long long deadline)
{
	long long now;

	if (deadline < 0)
		return -1;
	now = mono_ms();
	if (deadline <= now)
		return 0;
	if (deadline - now > INT_MAX)
		return INT_MAX;
	return (int)(deadline - now);
}

int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read at most size-1 bytes of a file and NUL-terminate them */
ssize_t
read_file(const char *path, char *buf, size_t size)
{
	ssize_t r;
	size_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (n < size - 1) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

static int
fd_addflag(int fd, int get, int set, int flag)
{
	int fl = fcntl(fd, get);

	if (fl < 0)
		return -1;
	return fcntl(fd, set, fl | flag) < 0 ? -1 : 0;
}

int
set_nonblock(int fd)
{
	return fd_addflag(fd, F_GETFL, F_SETFL, O_NONBLOCK);
}

int
set_cloexec(int fd)
{
	return fd_addflag(fd, F_GETFD, F_SETFD, FD_CLOEXEC);
}

static volatile sig_atomic_t last_sig;

static void
sig_handler(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	last_sig = sig;
	/* a full pipe already holds a wake-up; the byte may be dropped */
	if (write(u.sigfd, &c, 1) < 0)
		errno = saved;
	errno = saved;
}

int
sig_pipe(const int *sigs, size_t n)
{
	struct sigaction sa;
	sigset_t set;
	int p[2];
	size_t i;

	if (pipe(p) < 0)
		return -1;
	if (set_cloexec(p[0]) < 0 || set_cloexec(p[1]) < 0 ||
	    set_nonblock(p[0]) < 0 || set_nonblock(p[1]) < 0)
		return -1;
	u.sigfd = p[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (i = 0; i < n; i++) {
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
		sigaddset(&set, sigs[i]);
	}
	/* a mask inherited from whoever started us would keep them away */
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		return -1;
	return p[0];
}

int
sig_ignore(const int *sigs, size_t n)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++) {
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	}
	return 0;
}

int
sig_last(void)
{
	return last_sig;
}

int
sig_next(int fd)
{
	unsigned char c;
	ssize_t r;

	do
		r = read(fd, &c, 1);
	while (r < 0 && errno == EINTR);
	return r == 1 ? c : 0;
}

int
path_join(char *buf, size_t size, const char *dir, const char *name)
{
	return fmt(buf, size, "%s/%s", dir, name) < 0 ? -1 : 0;
}

char *
path_dup(const char *dir, const char *name)
{
	size_t d = strlen(dir), n = strlen(name);
	char *s = malloc(d + n + 2);

	if (s) {
		memcpy(s, dir, d);
		s[d] = '/';
		memcpy(s + d + 1, name, n + 1);
	}
	return s;
}

int
abs_path(char *buf, size_t size, const char *path)
{
	size_t n;

	if (path[0] == '/')
		return fmt(buf, size, "%s", path) < 0 ? -1 : 0;
	/* the working directory straight into buf: no copy on the stack */
	if (!getcwd(buf, size))
		return -1;
	n = strcmp(buf, "/") ? strlen(buf) : 0;
	return fmt(buf + n, size - n, "/%s", path) < 0 ? -1 : 0;
}

/* path made absolute, allocated (the working directory on the heap only
 * when it is needed: a small stack, and no page touched for nothing) */
char *
abs_dup(const char *path)
{
	char *buf, *s = NULL;
	int e;

	if (path[0] == '/')
		return strdup(path);
	if (!(buf = malloc(PATH_MAX)))
		return NULL;
	if (abs_path(buf, PATH_MAX, path) == 0)
		s = strdup(buf);
	e = errno;
	free(buf);
	errno = e;
	return s;
}

const char *
printable(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < size && s[i]; i++)
		buf[i] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? '?' : s[i];
	if (size)
		buf[i] = '\0';
	return buf;
}

const char *
base_name(char *path)
{
	size_t n = strlen(path);
	char *s;

	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return NULL;     /* left as it was, for the error to name it */
	path[n] = '\0';
	s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int
std_fds(void)
{
	int fd;

	if (fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 &&
	    fcntl(2, F_GETFD) >= 0)
		return 0;
	/* inherited on purpose: no O_CLOEXEC */
	while ((fd = open("/dev/null", O_RDWR | O_NOCTTY)) >= 0 && fd <= 2)
		;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static const struct { int sig; const char *name; } signames[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" }, { SIGSTOP, "STOP" },
	{ SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGSYS, "SYS" },
#ifdef SIGWINCH
	{ SIGWINCH, "WINCH" },
#endif
#ifdef SIGPWR
	{ SIGPWR, "PWR" },
#endif
};

const char *
sig_name(int sig)
{
	size_t i;

	for (i = 0; i < LEN(signames); i++)
		if (signames[i].sig == sig)
			return signames[i].name;
	return NULL;
}

const char *
sig_text(int sig, char *buf, size_t size)
{
	const char *n = sig_name(sig);

	if ((n ? fmt(buf, size, "SIG%s", n) : fmt(buf, size, "signal %d", sig)) < 0)
		buf[0] = '\0';
	return buf;
}

int
sig_parse(const char *s)
{
	unsigned long long n;
	size_t i;

	if (parse_ull(s, 127, &n) == 0)
		/* a number the system knows as a signal */
		return n > 0 && sigaction((int)n, NULL, NULL) == 0 ? (int)n : -1;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < LEN(signames); i++)
		if (!strcmp(signames[i].name, s))
			return signames[i].sig;
	return -1;
}

int
dir_ours(const char *path, mode_t mode, int flags)
{
	struct stat st;
	int fd, e;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -1;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (st.st_uid != geteuid())
		e = EPERM;
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) && fchmod(fd, mode) < 0)
		e = errno;
	else
		return fd;
	close(fd);
	errno = e;
	return -1;
}

size_t
no_controls(char *buf, size_t n)
{
	unsigned char *p = (unsigned char *)buf;
	size_t i, o;

	for (i = o = 0; i < n; i++, o++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') || p[i] == 0x7f)
			p[o] = '?';
		else if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			p[o] = '?';
			i++;
		} else
			p[o] = p[i];
	return o;
}
