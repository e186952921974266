/* See LICENSE file for copyright and license details. */
/*
 * The Linux facilities sysmgr uses, each behind one small function with a
 * POSIX fallback (which fails with ENOSYS or does nothing).
 */
#include <sys/types.h>

/* facts about a process from /proc/PID/stat */
struct procinfo {
	pid_t pid;
	pid_t ppid;
	pid_t pgrp;
	pid_t sid;
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
 * executes path (looked up in the PATH of envp, or /usr/local/bin:/bin:
 * /usr/bin, when it has no '/') with argv and envp (NULL: our
 * environment), in dir when not NULL.
 *
 * On Linux the child borrows our memory until its exec (vfork): no page
 * table is copied, and os_spawn() returns once the child executed or
 * failed.  Elsewhere, and under ASan, it is a fork, and os_spawn() waits
 * for the same unless async.  before(ctx), when set, runs in the child
 * first, still with our fds: whatever it writes is written in our memory
 * too (vfork) or only in the child's (fork), so it writes nothing but
 * what we would write ourselves; when it fails, nothing runs: os_spawn()
 * fails with its errno and refused set.  A failed exec (or chdir) is in
 * err, which os_spawn_result() gives; with async the child says why on
 * its stderr instead, and os_spawn() does not wait for it.
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
	int (*before)(void *ctx);
	void *ctx;
	const char *pidenv;    /* a variable set to the child's own pid */
	int async;             /* no report: the child says why it failed */
	/* set by os_spawn() */
	int err;               /* the errno of a failed exec, or 0 */
	int refused;           /* before() failed: nothing started */
};
/* a struct spawn of path and argv that keeps fds 0-2 */
void os_spawn_init(struct spawn *sp, const char *path, char *const *argv);
/* the child's pid, or -1 (nothing started) */
pid_t os_spawn(struct spawn *sp);
/* 0 once the exec happened, else the errno that failed it */
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
 * Every process of /proc (zombies too) into *t, allocated; returns how
 * many, or -1 (ENOSYS without /proc).
 */
long os_procs(struct procinfo **t);
/* 1 if process pid holds a POSIX lock on any file (/proc/locks) */
int os_holds_lock(pid_t pid);
/* the uid a process runs as (the owner of /proc/PID), -1 when unknown */
long os_uid(pid_t pid);
/* fn(ctx, name) for each entry of the directory fd but . and .., from
 * its start, without a DIR (and its 32 kB buffer); -1 on error */
int os_dir_each(int fd, void (*fn)(void *ctx, const char *name), void *ctx);
/* give back the whole pages within a buffer (they read as zeros after) */
void os_pages_free(void *p, size_t size);
/* the path of the running executable */
int os_self_exe(char *buf, size_t size);

/* directory watches (inotify) */
enum { WATCH_NAME = 1, WATCH_NEW = 2, WATCH_RESCAN = 4, WATCH_SELF = 8 };
struct watch {
	int fd;                /* polls readable on changes, -1 when none */
	int wd, pwd;           /* the directory's watch, its parent's */
	char base[256];        /* the directory's name in its parent */
};
/*
 * Watch dir for entries created, removed, renamed, rewritten or chmod'ed,
 * and its parent for dir itself being made, removed, renamed or replaced
 * (a symbolic link re-pointed): 0, or -1 (ENOSYS without inotify).  While
 * dir does not exist, only the parent is watched.  (Other entries of the
 * parent wake the watcher too: removed or renamed ones, and, while dir
 * does not exist, made ones.)
 */
int os_watch(struct watch *w, const char *dir);
void os_unwatch(struct watch *w);
/*
 * Read pending events and call fn(ctx, name, flags) for each one:
 * WATCH_NAME with the name of a changed entry (WATCH_NEW when it was just
 * created and is maybe still being written), WATCH_RESCAN (name NULL) when
 * events were lost, WATCH_SELF (name NULL) when dir itself went or came:
 * then os_watch() it again.  Returns -1 on error.
 */
int os_watch_read(struct watch *w,
                  void (*fn)(void *ctx, const char *name, int flags),
                  void *ctx);
/* whether a process has name (in dirfd) open for writing: 1, 0 when none
 * has, -1 when it cannot be told (a lease refused to us: not root nor
 * its owner; ENOSYS off Linux) */
int os_writers(int dirfd, const char *name);

/* from renamed to (both in dirfd) unless to exists: -1 and EEXIST then */
int os_rename_new(int dirfd, const char *from, const char *to);

/* a watch of files written in directories (svctl log -f): an fd that
 * polls readable when one of them changes; -1 without inotify */
int os_notice(void);
int os_notice_add(int fd, const char *dir);
void os_notice_clear(int fd);

/*
 * sd_notify: a datagram socket bound to path (mode 0666: who may send is
 * checked by credentials), which receives the sender's pid and uid with
 * each datagram.  os_notify_recv() returns the length of the next one
 * (NUL-terminated; -1 with EAGAIN when none, EMSGSIZE when too long); the
 * file descriptors sent with it go into fds (*nfds of them, at most 16:
 * the rest are closed), for the caller to close.
 */
int os_notify_socket(const char *path);
ssize_t os_notify_recv(int fd, char *buf, size_t size, pid_t *pid, uid_t *uid,
                       int *fds, int *nfds);
/* send one datagram to the socket path ('@' first: abstract namespace) */
int os_notify_send(const char *path, const char *msg, size_t len);
/*
 * BARRIER=1 with a file descriptor, then wait (at most ms) until the
 * receiver closed it: it has read what we sent before, while we lived.
 * 0, or -1 (ETIMEDOUT).
 */
int os_notify_barrier(const char *path, int ms);

/* raise the soft limit of open files to the hard one; the limit */
long os_fd_limit(void);
/* pwritev(2): iov at off in one write where we can (else one a part) */
struct iovec;
ssize_t os_pwritev(int fd, const struct iovec *iov, int n, off_t off);
/* the capacity of a pipe: at least size bytes if we may, else as it is */
void os_pipe_size(int fd, int size);
/*
 * Move up to max bytes from the pipe fd to the file out at *off (both
 * advanced): what was taken from the pipe is in the file, whatever
 * happens to us (splice(2)).  -1 with EAGAIN when the pipe is empty.
 */
ssize_t os_pipe_to_file(int fd, int out, long long *off, size_t max);
