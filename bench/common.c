/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static const char *prog = "bench";

void
setprog(const char *name)
{
	prog = name;
}

static void
vwarn(const char *fmt, va_list ap)
{
	int e = errno;

	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	if (fmt[0] && fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(e));
	fputc('\n', stderr);
}

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

long long
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die(111, "clock_gettime:");
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
sleep_ns(long long ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long long
arg_num(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die(2, "%s: not a number in [%lld, %lld]", s, min, max);
	return v;
}

char **
command(int argc, char *argv[], int i)
{
	if (i == argc)
		return NULL;
	if (strcmp(argv[i], "--") || i + 1 >= argc)
		die(2, "expected -- COMMAND... after the operands");
	return argv + i + 1;
}

int
lines_open(struct lines *l, const char *path)
{
	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		return -1;
	l->len = 0;
	l->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return l->fd < 0 ? -1 : 0;
}

int
lines_next(struct lines *l, long long deadline, char *out, size_t size,
           long long *at)
{
	struct pollfd pfd;
	char *nl;
	size_t n;
	ssize_t r;
	long long left;
	int ms;

	for (;;) {
		if ((nl = memchr(l->buf, '\n', l->len))) {
			n = (size_t)(nl - l->buf);
			if (n >= size)
				n = size - 1;
			memcpy(out, l->buf, n);
			out[n] = '\0';
			n = (size_t)(nl - l->buf) + 1;
			memmove(l->buf, l->buf + n, l->len - n);
			l->len -= n;
			*at = l->at;
			return 1;
		}
		if (l->len == sizeof(l->buf))
			l->len = 0;        /* an overlong line: dropped */
		r = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (r > 0) {
			l->at = now_ns();
			l->len += (size_t)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			die(111, "read:");
		ms = -1;
		if (deadline >= 0) {
			left = deadline - now_ns();
			if (left <= 0)
				return 0;
			ms = (int)((left + MS - 1) / MS);
		}
		pfd.fd = l->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			die(111, "poll:");
	}
}

pid_t
spawn(char *const argv[], char *const env[], int quiet)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		die(111, "fork:");
	if (pid == 0) {
		/* not close-on-exec: it may be 1 itself */
		if (quiet && (fd = open("/dev/null", O_WRONLY)) >= 0 && fd != 1) {
			if (dup2(fd, 1) < 0)
				_exit(111);
			close(fd);
		}
		if (env)
			execve(argv[0], argv, env);
		else
			execvp(argv[0], argv);
		warnx_("exec %s:", argv[0]);
		_exit(127);
	}
	return pid;
}

int
run(char *const argv[], char *const env[], int quiet)
{
	pid_t pid = spawn(argv, env, quiet);
	int ws;

	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
stats(double *v, size_t n, struct stats *s)
{
	size_t k;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp);
	s->min = v[0];
	s->max = v[n - 1];
	s->med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	k = (n * 9 + 9) / 10;      /* ceil(0.9 n) */
	s->p90 = v[k - 1];
}
