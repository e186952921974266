/* See LICENSE file for copyright and license details. */
/* bench/: what the measuring helpers share */
#include <stddef.h>
#include <sys/types.h>

#define MS 1000000LL          /* ns in a ms */

#if defined(__GNUC__) || defined(__clang__)
#define NORETURN __attribute__((noreturn))
#else
#define NORETURN
#endif

/* "prog: msg" on stderr; a format ending in ':' appends strerror(errno) */
void warnx_(const char *fmt, ...);
NORETURN void die(int status, const char *fmt, ...);
void setprog(const char *name);

long long now_ns(void);             /* CLOCK_MONOTONIC */
void sleep_ns(long long ns);
long long arg_num(const char *s, long long min, long long max);
/* the COMMAND of "... -- COMMAND...": argv + i + 1 when argv[i] is "--"
 * and a command follows, NULL when i == argc, else a usage error */
char **command(int argc, char *argv[], int i);

/*
 * The FIFO every service script writes one line to ("echo $$ >FIFO") when
 * it starts.  It is opened read-write, so that writers never block and no
 * writer closing it gives EOF.
 */
struct lines {
	int fd;
	char buf[8192];
	size_t len;
	long long at;         /* when the last bytes were read */
};
int lines_open(struct lines *l, const char *path);
/* the next line into out before deadline (now_ns, -1: none): 1, or 0 at
 * the deadline; *at is when it was read */
int lines_next(struct lines *l, long long deadline, char *out, size_t size,
               long long *at);

/* fork + exec argv (with env as the whole environment, unless NULL), not
 * waited for; stdout on /dev/null when quiet */
pid_t spawn(char *const argv[], char *const env[], int quiet);
/* spawn and wait; its exit status, 128 + the signal that killed it, or -1 */
int run(char *const argv[], char *const env[], int quiet);

/* min, median, p90 (nearest rank) and max of v[0..n-1], sorted in place */
struct stats { double min, med, p90, max; };
void stats(double *v, size_t n, struct stats *s);
