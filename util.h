/* See LICENSE file for copyright and license details. */
#include <stddef.h>
#include <sys/types.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* exit statuses shared by every program (see the EXIT STATUS of the man pages) */
enum {
	EXIT_FAIL   = 1,   /* the request failed or was not reached */
	EXIT_USAGE  = 2,   /* bad usage or argument, no such service */
	EXIT_SYSTEM = 111  /* a system call failed */
};

#if defined(__GNUC__) || defined(__clang__)
#define NORETURN __attribute__((noreturn))
#else
#define NORETURN
#endif

/* messages on stderr as "prog: ..."; a format ending in ':' appends strerror(errno) */
void setprogname(const char *name);
const char *progname(void);
void warnf(const char *fmt, ...);
/* where the lines go instead of stderr: fn returns 0 when it took one,
 * else stderr has it (a line of fn's own goes to stderr alone) */
void set_sink(int (*fn)(const char *line, size_t n));
/* warnf() on stderr alone, whatever the sink (a child in our memory) */
void warnf_stderr(const char *fmt, ...);
/* the same as "who: ..." */
void say(const char *who, const char *fmt, ...);
NORETURN void die(int status, const char *fmt, ...);
/* "usage: SYNOPSIS" on stderr, exit EXIT_USAGE */
NORETURN void usage_exit(const char *synopsis);
/*
 * Start of main(): name in messages (getopt's too); with -h or --help as
 * the first argument, "usage: SYNOPSIS" on stdout and exit 0.
 */
void prog_init(const char *name, const char *synopsis, int argc, char *argv[]);

/* snprintf that fails (-1, errno ENAMETOOLONG) instead of truncating */
int fmt(char *buf, size_t size, const char *f, ...);

/* a decimal number in [0, max]; -1 on anything else */
int parse_ull(const char *s, unsigned long long max, unsigned long long *out);

/* signal names without "SIG": sig_name(15) is "TERM"; sig_parse() takes
 * TERM, SIGTERM or 15 and returns -1 on anything else */
const char *sig_name(int sig);
/* "SIGTERM", or "signal 34" for a signal without a name, into buf */
const char *sig_text(int sig, char *buf, size_t size);
int sig_parse(const char *s);

/* milliseconds of CLOCK_MONOTONIC and seconds of CLOCK_REALTIME */
long long mono_ms(void);
long long wall_s(void);

/* I/O that retries on EINTR and short writes */
int write_all(int fd, const void *buf, size_t n);
ssize_t read_file(const char *path, char *buf, size_t size);

/* fd flags */
int set_nonblock(int fd);
int set_cloexec(int fd);

/*
 * Signals through a self-pipe: the handler writes the signal number as one
 * byte.  sig_pipe() installs it for the given signals and returns the
 * read end; sig_next() returns the next pending signal or 0.
 */
int sig_pipe(const int *sigs, size_t n);
int sig_next(int fd);
/* the last signal the handler caught, 0 before any (a reader of the pipe
 * that cannot read it first: ev_wait() drains what it polls) */
int sig_last(void);
/* ignore signals */
int sig_ignore(const int *sigs, size_t n);

/* "dir/name" into buf, an absolute copy of a path */
int path_join(char *buf, size_t size, const char *dir, const char *name);
/* "dir/name" allocated to its length, NULL when out of memory */
char *path_dup(const char *dir, const char *name);
int abs_path(char *buf, size_t size, const char *path);
char *abs_dup(const char *path);

/* PATH, a directory of ours, made MODE when missing, opened (flags: 0 or
 * O_NOFOLLOW): refused (EPERM) when another user's; made MODE when others
 * could write in it (a fresh tmpfs is 1777) */
int dir_ours(const char *path, mode_t mode, int flags);

/* buf's control characters (C0 but tab and newline, DEL, C1 as UTF-8)
 * each as one '?', in place, for a terminal: what a service wrote never
 * drives it; the new length */
size_t no_controls(char *buf, size_t n);

/* s for a one-line message: control characters as '?', cut to fit buf */
const char *printable(char *buf, size_t size, const char *s);

/* the last component of a path, trailing slashes ignored; NULL if none */
const char *base_name(char *path);

/* open /dev/null on whichever of fds 0, 1, 2 is closed */
int std_fds(void);

/* poll() timeout in ms until deadline (ms of mono_ms()); -1 when deadline < 0 */
int timeout_until(long long deadline);
/* poll() until deadline (as timeout_until()); -1 for a signal; the
 * kernel short of memory (ENOMEM, EAGAIN) is said once, then 0 after a
 * pause of 100 ms, as a timeout: not an end; dies on any other error */
struct pollfd;
int poll_until(struct pollfd *fds, unsigned long n, long long deadline);
