/* See LICENSE file for copyright and license details. */
/*
 * The run-directory protocol, used by every tool.  RUNDIR/NAME/ holds:
 *   lock     held (fcntl write lock) by the runsyssv supervising NAME
 *   status   key=value lines, replaced atomically (status.new, rename)
 *   control  FIFO, mode 0600: one command line per write(2)
 *   event/   mode 0700: a FIFO per waiter, which runsyssv writes a byte
 *            into after each change of status (the s6 fifodir)
 * RUNDIR/.sysmgr.lock is held by the one sysmgr of RUNDIR.
 */
#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif
#define NAMELIST 1024          /* space-separated service names */
#define STATUS_MAX 4096        /* bytes of a status file */
#define CTL_MAX 2048           /* bytes of one control line */

enum { ST_DOWN, ST_STARTING, ST_UP, ST_BACKOFF, ST_STOPPING };
enum { WANT_UP, WANT_DOWN, WANT_ONCE };
enum { EXIT_NONE = -1, EXIT_UNKNOWN = -2 };   /* special exitcode values */

struct status {
	int state;
	int want;
	pid_t pid;                    /* main process, 0 when none */
	unsigned long long starttime; /* of pid, see os_procinfo() */
	pid_t supervisor;             /* runsyssv, for information only */
	long long since;              /* CLOCK_REALTIME s of the last change */
	long long stamp;              /* CLOCK_MONOTONIC ms of the same */
	long long due;                /* CLOCK_MONOTONIC ms of the restart */
	int exitcode;                 /* of the last exit, or EXIT_* */
	int signal;                   /* that ended the last run, or 0 */
	unsigned long starts;         /* since supervision began */
	unsigned long restarts;       /* automatic restarts */
	char waiting[NAMELIST];       /* services the script waits for */
	char deps[NAMELIST];          /* services it waited for */
	char blocked[NAMELIST];       /* stopped ones its last run needed */
};

struct paths {
	char *sysdir;                 /* allocated to their length: a */
	char *rundir;                 /* runsyssv's memory is per service */
};

/* SYSDIR and RUNDIR from the environment or config.h, made absolute */
int paths_init(struct paths *p);

/* 1 if name may name a service: no '/', no leading '.', no blanks */
int name_ok(const char *name);
/* 1 if list is names separated by single spaces, and fits a NAMELIST */
int list_ok(const char *list);
/* 1 if name is in the space-separated list */
int list_has(const char *list, const char *name);
/* the service name of a command-line argument (a name or a path) */
const char *arg_name(char *arg);
/* 0 if SYSDIR/name is a service, else -1 and *why says why not */
int service_check(const char *sysdir, const char *name, const char **why);
/*
 * The service a command-line argument names, or NULL after saying why not;
 * *exists is then 1 for an entry of SYSDIR that is not a service.
 */
const char *service_arg(const char *sysdir, char *arg, int *exists);
/* scandir(3) of the entries of SYSDIR that may be services, sorted */
int service_list(const char *sysdir, char ***names);
void service_list_free(char **names, int n);

/* RUNDIR/name as a directory fd, created (with RUNDIR) when create is set */
int svc_open(const struct paths *p, const char *name, int create);

/* the supervisor lock: lock_take returns the fd that holds it */
int lock_take(int dirfd, const char *file);
pid_t lock_holder(int dirfd, const char *file);   /* 0 when free */

const char *state_name(int state);
const char *want_name(int want);
void status_init(struct status *st);
int status_parse(const char *buf, struct status *st);
int status_read(int dirfd, struct status *st);
int status_write(int dirfd, const struct status *st);
/* 1 and *st when supervised, 0 (and a blank *st) when not, -1 unreadable */
int status_get(int dirfd, struct status *st);
/* the same by name */
int status_of(const struct paths *p, const char *name, struct status *st);
/* "NAME: STATE ..." as svctl status prints it; supervised is 0 or 1 */
int status_line(char *buf, size_t size, const char *name,
                const struct status *st, int supervised);
/* key=value lines as svctl show prints them */
int status_show(char *buf, size_t size, const char *name,
                const struct status *st, int supervised);

/* control: runsyssv listens, svctl and sysmgr-depends send */
struct ctlbuf {
	char buf[CTL_MAX];
	size_t len;
	int skip;                     /* discarding an overlong line */
};
int ctl_listen(int dirfd, int *keepfd);
int ctl_send(int dirfd, const char *line);
int ctl_recv(int fd, struct ctlbuf *cb,
             void (*fn)(void *ctx, char *line), void *ctx);

/* a waiter's subscription to the status changes of one service */
struct sub {
	int active;                   /* waited for (0: ignored by ev_wait) */
	int fd;                       /* its FIFO, -1 when none: re-check */
	int evfd;                     /* the event directory */
	char name[32];
};
/* subscribe (creating RUNDIR/name/event/ when needed); -1 when we may not */
int ev_subscribe(const struct paths *p, const char *name, struct sub *s);
void ev_unsubscribe(struct sub *s);
/* wait until a subscription fires or the deadline (mono_ms, -1 for none);
 * where one could not be made, only 20 ms */
void ev_wait(struct sub *s, size_t n, long long deadline);
/* runsyssv: open the event directory; wake every waiter */
DIR *ev_open(int dirfd);
void ev_notify(DIR *d);
void ev_remove(DIR *d);          /* every FIFO: the service is gone */
