/* See LICENSE file for copyright and license details. */
/*
 * The Linux facilities sysmgr uses, each behind one small function with a
 * POSIX fallback (which fails with ENOSYS or does nothing).
 */
#include <sys/types.h>

/* facts about a process from /proc/PID/stat */
struct procinfo {
	pid_t ppid;
	pid_t pgrp;
	unsigned long long starttime;  /* clock ticks after boot */
	char state;                    /* R, S, Z, ... */
};

/*
 * Default dispositions for every signal and an empty mask, before exec:
 * also those ignored when we were started, even the ones libc reserves
 * for itself and will not touch (a posix_spawn'ed parent leaves them so).
 * After sig_prepare(), called once the program's own dispositions are
 * set, only the signals that need it (caught, ignored or reserved) are
 * reset: a few system calls rather than 64.
 */
void sig_prepare(void);
void sig_reset(void);
/* close every fd >= lowfd (close_range(2), else one by one) */
void os_close_from(int lowfd);

/*
 * One way to start a child, for every program.  The child gets a session
 * or a process group of its own when asked, default signal dispositions
 * and an empty mask (sig_reset()), the fds fd[0..nfd-1] as its 0..nfd-1
 * (SPAWN_KEEP leaves ours, SPAWN_CLOSE closes it) and no other, and
 * executes path (looked up in PATH when it has no '/') with argv and envp
 * (NULL: our environment), in dir when not NULL.  With hold, it waits for
 * os_release() before the chdir and the exec.  A failed exec (or chdir) is
 * reported through report: os_spawn_result() reads it.
 */
#define SPAWN_FDS   16
#define SPAWN_KEEP  (-1)
#define SPAWN_CLOSE (-2)
enum { SPAWN_SESSION = 1, SPAWN_GROUP = 2 };
struct spawn {
	const char *path;
	char *const *argv;
	char *const *envp;
	const char *dir;
	int fd[SPAWN_FDS];
	int nfd;
	int leader;            /* 0, SPAWN_SESSION or SPAWN_GROUP */
	int hold;
	/* set by os_spawn() */
	int release;           /* with hold: write end that lets it go on */
	int report;            /* read end: EOF once it executed, else errno */
};
/* a struct spawn of path and argv that keeps fds 0-2 */
void os_spawn_init(struct spawn *sp, const char *path, char *const *argv);
/* the child's pid, or -1 (nothing started, fds of sp closed) */
pid_t os_spawn(struct spawn *sp);
/* with hold: let the child go on to its exec */
int os_release(struct spawn *sp);
/* wait for the exec: 0 once it happened, else the errno that failed it */
int os_spawn_result(struct spawn *sp);
/* a pipe whose both ends are close-on-exec */
int os_pipe(int fd[2]);
/* become a child subreaper (orphaned descendants are reparented to us) */
int os_subreaper(void);
/* a file descriptor that polls readable when process pid exits */
int os_pidfd(pid_t pid);
/* 0 and *pi filled, or -1: no such process, or ENOSYS without /proc */
int os_procinfo(pid_t pid, struct procinfo *pi);
/*
 * Every descendant of the roots, found by walking /proc, but those in
 * process group pgrp.  Returns how many were stored in out (at most max),
 * or -1 without /proc.
 */
long os_descendants(const pid_t *roots, size_t nroots, pid_t pgrp,
                    pid_t *out, size_t max);
/* the path of the running executable */
int os_self_exe(char *buf, size_t size);

/* directory watches (inotify) */
enum { WATCH_NAME = 1, WATCH_NEW = 2, WATCH_RESCAN = 4 };
/*
 * A watch on dir for entries created, removed, renamed, rewritten or
 * chmod'ed; returns a nonblocking fd that polls readable on changes.
 */
int os_watch(const char *dir);
/*
 * Read pending events and call fn(ctx, name, flags) for each one:
 * WATCH_NAME with the name of a changed entry (WATCH_NEW when it was just
 * created and is maybe still being written), WATCH_RESCAN (name NULL) when
 * events were lost or the directory itself changed.  Returns -1 on error.
 */
int os_watch_read(int fd, void (*fn)(void *ctx, const char *name, int flags),
                  void *ctx);
