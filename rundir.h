/* See LICENSE file for copyright and license details. */
/*
 * The run-directory protocol, used by every tool.  RUNDIR/NAME/ holds:
 *   lock     mode 0600, held (fcntl write lock) by the runsyssv of NAME
 *   status   key=value lines, replaced atomically (status.new, rename)
 *   pid      the main process, for scripts; absent while none runs
 *   control  FIFO, mode 0600: one command line per write(2)
 *   event/   mode 0700: a FIFO per waiter, which runsyssv writes a byte
 *            into after each change of status (the s6 fifodir)
 *   notify   the service's sd_notify socket (ready=notify)
 *   ready    FIFO the service writes a newline into (ready=fd:N)
 *   log      FIFO, mode 0600: the service's output, on its way to LOGDIR
 *   log.spill what runsyssv took from log and has not written yet
 * RUNDIR/.sysmgr.lock (mode 0600) is held by the one sysmgr of RUNDIR,
 * RUNDIR/pid names it, and RUNDIR/.log is the FIFO of its log.
 * RUNDIR/.status is the status table (table.c): a copy of every status,
 * a slot of SLOT_SIZE bytes a service, for `svctl status` to read at once.
 */
#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif
#define NAMELIST 1024          /* space-separated service names */
#define TEXT_MAX 128           /* a line of text in the status */
#define STATUS_MAX 4096        /* bytes of a status file (3,954 at most) */
#define CTL_MAX 2048           /* bytes of one control line */

/* file names of the run directory */
#define RD_NOTIFY  "notify"
#define RD_READY   "ready"
#define RD_LOG     "log"
#define RD_SPILL   "log.spill"
#define RD_MGRLOG  ".log"
#define RD_MGRSPILL ".log.spill"
#define RD_TABLE   ".status"
/* LOGDIR/sysmgr and RUNDIR/pid are sysmgr's: no service has these names */
#define RD_OWNLOG  "sysmgr"
#define RD_PID     "pid"

enum { ST_DOWN, ST_STARTING, ST_UP, ST_BACKOFF, ST_STOPPING, ST_FAILED,
       ST_RELOADING, ST_COUNT };
enum { WANT_UP, WANT_DOWN, WANT_ONCE };
enum { EXIT_NONE = -1, EXIT_UNKNOWN = -2 };   /* special exitcode values */

struct status {
	int state;
	int want;
	pid_t pid;                    /* main process, 0 when none */
	unsigned long long starttime; /* of pid, see os_procinfo() */
	pid_t supervisor;             /* runsyssv */
	unsigned long long supstart;  /* its start time: who cannot read
	                                 the lock knows it by that */
	long long since;              /* CLOCK_REALTIME s of the last change */
	long long stamp;              /* CLOCK_MONOTONIC ms of the same */
	long long due;                /* CLOCK_MONOTONIC ms of the restart */
	int exitcode;                 /* of the last exit, or EXIT_* */
	int signal;                   /* that ended the last run, or 0 */
	unsigned long starts;         /* since supervision began */
	unsigned long restarts;       /* automatic restarts */
	unsigned long fails;          /* short runs in a row (give-up) */
	unsigned long ignored;        /* notifications refused */
	unsigned long dropped;        /* lines of the log lost */
	unsigned long stoptimeout;    /* s, the service's settings: svctl */
	unsigned long readytimeout;   /* and sysmgr wait that long; 0: none */
	char waiting[NAMELIST];       /* services the script waits for */
	char deps[NAMELIST];          /* services it waited for */
	char blocked[NAMELIST];       /* stopped ones its last run needed */
	char why[TEXT_MAX];           /* what the state is about */
	char text[TEXT_MAX];          /* the service's own STATUS= */
	char bad[TEXT_MAX];           /* the first bad setting */
};

struct paths {
	char *sysdir;                 /* allocated to their length: a */
	char *rundir;                 /* runsyssv's memory is per service */
	char *logdir;
	int rundirfd;                 /* RUNDIR, opened by the first lookup */
};

/* SYSDIR, RUNDIR and LOGDIR from the environment or config.h, absolute */
int paths_init(struct paths *p);

/* 1 if name may name a service: no '/', no leading '.', no blanks */
int name_ok(const char *name);
/* 1 if name is one editors and tools give their temporary files */
int name_temporary(const char *name);
/* why name is kept for sysmgr's own files, or NULL */
const char *name_kept(const char *name);
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
/* the entries of SYSDIR that may be services, sorted (strcmp), their
 * number; one block, for service_list_free() */
int service_list(const char *sysdir, char ***names);
void service_list_free(char **names);

/*
 * RUNDIR/name as a directory fd; with create, RUNDIR and it are made when
 * missing, and must be ours and writable by nobody else (EPERM).  Without,
 * ENOENT when it does not exist.
 */
int svc_open(const struct paths *p, const char *name, int create);
/* RUNDIR itself, made when missing, checked as above */
int rundir_open(const struct paths *p);
/* remove what runsyssv leaves of a service whose script is gone */
void svc_remove(const struct paths *p, const char *name, int dirfd, int evfd);

/*
 * The supervisor locks: svc_lock() in a service's run directory (runsyssv),
 * mgr_lock() in RUNDIR (sysmgr).  They return the fd that holds the lock,
 * or -1 (errno EAGAIN: another holds it).  svc_holder() and mgr_holder()
 * tell who holds it: 0 nobody, -1 cannot tell (errno).  A lock file
 * another user owns or could read is made afresh.
 */
int svc_lock(int dirfd);
pid_t svc_holder(int dirfd);
int mgr_lock(int rundirfd);
pid_t mgr_holder(int rundirfd);

/* pid files for scripts: RUNDIR/name/pid, RUNDIR/pid; 0 removes it */
int pid_write(int dirfd, pid_t pid);

const char *state_name(int state);
const char *want_name(int want);
void status_init(struct status *st);
/* the status file as it is: parse text, read or write it */
int status_parse(const char *buf, struct status *st);
/* the binary form of a status (the status table's), its length or -1
 * when it does not fit; back into a status, 0 or -1 when invalid */
int status_pack(char *buf, size_t size, const struct status *st);
int status_unpack(const char *buf, size_t len, struct status *st);
int status_load(int dirfd, struct status *st);
int status_write(int dirfd, const struct status *st);
/* the same in buf, of STATUS_MAX bytes, without malloc() */
int status_write_in(int dirfd, const struct status *st, char *buf);
/*
 * The status of a service as svctl tells it: 1 and *st when supervised,
 * 0 (and the recorded want) when not, -1 when it cannot be told (errno).
 * The same by name.
 */
int svc_status(int dirfd, struct status *st);
int svc_status_named(struct paths *p, const char *name, struct status *st);
/* 1 for UP and RELOADING: ready, for those who wait */
int status_up(const struct status *st);
/* 1 when the admin stopped it, or it gave up: sysmgr-depends fails then */
int status_blocks(const struct status *st);
/* "NAME: STATE ..." as svctl status prints it; supervised is 0 or 1 */
int status_line(char *buf, size_t size, const char *name,
                const struct status *st, int supervised);
/* key=value lines as svctl show prints them */
int status_show(char *buf, size_t size, const char *name,
                const struct status *st, int supervised);

/*
 * The status table (table.c).  sysmgr makes it (table_open with create)
 * and gives each runsyssv a slot; runsyssv joins its slot with the fd of
 * its lock, after which status_write() copies each status into it (before
 * the file: the table is never behind it), and table_leave() empties it.  A reader loads it whole with /proc/locks;
 * table_status() is then 1 and *st for a service the table vouches for
 * (its slot checks out and its lock is held), -1 when the run directory
 * must be asked (svc_status_named).
 */
#define SLOT_SIZE 512
#define SLOT_MAX 1048575
struct table {
	int ok;
	char *buf;                    /* the file */
	size_t len;
	struct slotref *refs;         /* its valid slots, by name */
	size_t nrefs;
	struct lockent *locks;        /* the write locks, by inode */
	size_t nlocks;
};
int table_open(int rundirfd, int create);
int table_join(int fd, long slot, const char *name, int lockfd);
void table_put(const char *rec, size_t len);
void table_leave(void);
int table_read(int fd, struct table *t);
long table_slot(const struct table *t, const char *name);
int table_load(struct paths *p, struct table *t);
int table_status(const struct table *t, const char *name, struct status *st);
void table_free(struct table *t);

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
/* runsyssv: open the event directory (an fd, -1 on error); wake every
 * waiter */
int ev_open(int dirfd);
void ev_notify(int evfd);

/* a FIFO of the run directory, made (mode 0600) when missing */
int fifo_open(int dirfd, const char *name, int flags);
