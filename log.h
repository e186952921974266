/* See LICENSE file for copyright and license details. */
/*
 * Logs: lines taken from a FIFO (a service's output, or the event lines
 * of every runsyssv) and written to DIR/current, each with a UTC time
 * stamp, rotated by size.  What is taken from the FIFO is first moved into
 * a spill file of the run directory (splice(2): in one step, so that it is
 * in the spill file whatever happens to us), and its header says how much
 * of it is in current already: a new process goes on where a killed one
 * stopped, without losing or repeating a line (log_open()).
 */
#include <stddef.h>

/* "2026-12-05T21:55:12.123456Z ": the stamp of a line, then one blank */
#define LOG_STAMP 28

struct logw {
	char *dir;                    /* LOGDIR/NAME */
	const char *name;             /* for messages */
	int dirfd;                    /* of dir, -1 until made */
	int cur;                      /* current, -1 when not open */
	unsigned long long ino, size; /* of current */
	unsigned long max, keep;      /* log-size, log-keep */
	int spill;                    /* the spill file */
	int spill_said;               /* it failed but for a full disk: said */
	long long eof, start;         /* of the spill, of what is not written */
	int echo;                     /* an fd the lines also go to, or -1 */
	int echo_tty;                 /* it is a terminal: no_controls() */
	int held;                     /* the first byte of a C1 pair held back */
	int failing;                  /* current cannot be written: said */
	int dirty;                    /* the buffers touched since freed */
	int busy;                     /* in emit(): no line of our own now */
	long long retry;              /* mono_ms of the next try */
	unsigned long dropped;        /* lines lost while failing */
	unsigned long lost;           /* lines lost, ever */
	/* where lines go while current cannot be written: 0 when taken */
	int (*fallback)(const char *line, size_t n);
};

/*
 * Take over the spill file spill of the directory rundirfd (made when
 * missing) for the log LOGDIR/name: what a killed writer wrote of it into
 * current is skipped, a line it wrote half is cut.  0, or -1 (errno).
 */
int log_open(struct logw *w, int rundirfd, const char *spill,
             const char *logdir, const char *name);
/* the rotation settings */
void log_limits(struct logw *w, unsigned long max, unsigned long keep);
/* move what fifo holds into the log; the last line without a newline
 * waits for the rest of it, unless flush (the service ended).  fifo -1:
 * what the spill holds (a killed writer's lines, at a start) */
void log_drain(struct logw *w, int fifo, int flush);
/* a line of our own: stamped and written at once */
void log_line(struct logw *w, const char *line, size_t n);
/* open current again (SIGHUP, or a failure some time ago) */
void log_reopen(struct logw *w);
/* the stamp of now, LOG_STAMP bytes with its blank */
void log_stamp(char *buf);
/* a rotated file, @YYYYMMDDThhmmss.uuuuuuZ.s as a rotation names them (no
 * other name is taken for the newest, nor removed, nor read): a scandir()
 * filter */
struct dirent;
int log_rotated(const struct dirent *e);
