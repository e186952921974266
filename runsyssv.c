/* See LICENSE file for copyright and license details. */
/* runsyssv: supervise one service */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "os.h"
#include "rundir.h"
#include "util.h"

#define POLL_MS    20     /* re-check of leftover processes while stopping */
#define MAX_DESC   4096   /* processes killed per pass */
#define MAX_BLOCKED 4     /* services watched while blocked on them */

static struct {
	struct paths paths;
	char *script;         /* absolute path */
	const char *name;
	int dirfd, lockfd, ctlfd, ctlkeep, sigfd;
	int execfd;           /* reports a failed exec, EOF on success */
	int pidfd;            /* of an adopted main process */
	DIR *evdir;           /* our event directory: waiters to wake */
	struct sub blocked[MAX_BLOCKED];   /* what blocked the last run */
	struct status st;
	struct ctlbuf ctl;
	pid_t pgrp;           /* process group of the service, 0 when none */
	long long started;    /* mono_ms of the start */
	long long upat;       /* mono_ms to become UP without a "waited" */
	int depends;          /* the script calls sysmgr-depends */
	struct stat seen;     /* of the script, when depends was found */
	int devnull;          /* stdin of the service */
	long long killat;     /* mono_ms of the SIGKILL while stopping */
	long long pollat;     /* mono_ms of the next leftover check */
	int killed;           /* SIGKILL sent */
	int foreign;          /* st.pid is an old instance we cannot wait for */
	int delay;            /* next backoff, seconds */
	int restart;          /* start again once stopped */
	int exiting;          /* exit once stopped */
} sv;

static void
usage(void)
{
	usage_exit("runsyssv SCRIPT");
}

static void
publish(void)
{
	if (status_write(sv.dirfd, &sv.st) < 0)
		warnf("cannot write status in %s/%s:", sv.paths.rundir, sv.name);
	if (!sv.evdir)
		sv.evdir = ev_open(sv.dirfd);
	ev_notify(sv.evdir);
}

static void
set_state(int state)
{
	sv.st.state = state;
	sv.st.stamp = mono_ms();
	sv.st.since = wall_s();
	publish();
}

/* STARTING until a "waited", or DEPENDS_GRACE if none comes */
static void
await_grace(void)
{
	sv.upat = mono_ms() + DEPENDS_GRACE * 1000LL;
}

/* 1 while we have a child: anything left of the service is below one */
static int
have_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/*
 * Signal the service: its process group while the main process lives (a
 * live member keeps the group id from being reused), and with walk every
 * descendant outside that group, found in /proc: ours (as a subreaper,
 * we inherit what the service orphans) and the adopted main process's.
 */
static void
kill_tree(int sig, int walk)
{
	pid_t roots[2], *pids, grp = sv.st.pid > 0 ? sv.pgrp : 0;
	size_t nroots = 0;
	long i, n;

	if (grp > 0)
		kill(-grp, sig);
	else if (sv.st.pid > 0)
		kill(sv.st.pid, sig);
	if (!walk || !(pids = malloc(MAX_DESC * sizeof(*pids))))
		return;
	roots[nroots++] = getpid();
	if (sv.pidfd >= 0 && sv.st.pid > 0)
		roots[nroots++] = sv.st.pid;
	n = os_descendants(roots, nroots, grp, pids, MAX_DESC);
	for (i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
	/* without /proc: the group still, while something of ours lives */
	if (n < 0 && !grp && sv.pgrp > 0 && have_children())
		kill(-sv.pgrp, sig);
}

/* 1 while anything of the service is left */
static int
leftovers(void)
{
	return sv.st.pid > 0 || have_children();
}

/* in BACKOFF after a run that found dependencies stopped: watch them */
static void
watch_blocked(void)
{
	char buf[NAMELIST], *tok, *save;
	int i = 0;

	memcpy(buf, sv.st.blocked, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok && i < MAX_BLOCKED;
	    tok = strtok_r(NULL, " ", &save))
		if (ev_subscribe(&sv.paths, tok, &sv.blocked[i++]) < 0)
			warnf("cannot watch %s:", tok);
}

static void
unwatch(void)
{
	int i;

	for (i = 0; i < MAX_BLOCKED; i++)
		ev_unsubscribe(&sv.blocked[i]);
}

/* 1 when every service of the list is UP */
static int
all_up(const char *list)
{
	char buf[NAMELIST], *tok, *save;
	struct status st;

	memcpy(buf, list, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (status_of(&sv.paths, tok, &st) <= 0 || st.state != ST_UP)
			return 0;
	return 1;
}

/* 1 if a line of the script that is not a comment names sysmgr-depends */
static int
calls_depends(void)
{
	char buf[4096], *line, *save;
	struct stat st;

	/* read again only when the script changed */
	if (stat(sv.script, &st) < 0)
		return 0;
	if (st.st_ino == sv.seen.st_ino && st.st_dev == sv.seen.st_dev &&
	    st.st_size == sv.seen.st_size && st.st_mtime == sv.seen.st_mtime &&
	    st.st_ctime == sv.seen.st_ctime)
		return sv.depends;
	sv.seen = st;
	if (read_file(sv.script, buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (*line != '#' && strstr(line, "sysmgr-depends"))
			return 1;
	}
	return 0;
}

static void spawn(void);

/* wait before the next start, the delay doubling up to BACKOFF_MAX */
static void
backoff(void)
{
	sv.st.due = mono_ms() + sv.delay * 1000LL;
	set_state(ST_BACKOFF);
	watch_blocked();
	say(sv.name, "restarting in %d s", sv.delay);
	sv.delay = sv.delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : sv.delay * 2;
}

static void
spawn(void)
{
	char *argv[] = { sv.script, NULL };
	struct spawn sp;
	pid_t pid;

	/* a new session, stdin on /dev/null, no fd but 0-2; held until its
	 * pid is in the status file: if runsyssv dies first, it gets EOF,
	 * and no unrecorded instance ever runs */
	os_spawn_init(&sp, sv.script, argv);
	sp.leader = SPAWN_SESSION;
	sp.hold = 1;
	sp.fd[0] = sv.devnull;
	if ((pid = os_spawn(&sp)) < 0) {
		warnf("cannot start:");
		sv.st.exitcode = EXIT_SYSTEM;
		sv.st.signal = 0;
		backoff();
		return;
	}
	/*
	 * The least before the release the service waits for: its pid in
	 * the status.  Until we poll again it does not even run on a CPU of
	 * its own, mostly: the rest comes once it has run (exec_done()).
	 */
	sv.st.pid = pid;
	sv.st.starttime = 0;
	sv.st.starts++;
	sv.st.waiting[0] = sv.st.deps[0] = sv.st.blocked[0] = '\0';
	set_state(ST_STARTING);
	if (os_release(&sp) < 0)
		warnf("cannot release the service:");
	sv.execfd = sp.report;
	sv.pgrp = pid;
	sv.killed = 0;
	sv.started = mono_ms();
	sv.upat = 0;
	unwatch();
}

/* the exec of the script: EOF when it succeeded, else its errno; up says
 * whether a success makes the service UP */
static void
exec_done(int up)
{
	struct procinfo pi;
	int e = 0;
	ssize_t r;

	if (sv.execfd < 0)
		return;
	do
		r = read(sv.execfd, &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(sv.execfd);
	sv.execfd = -1;
	say(sv.name, "started (pid %ld)", (long)sv.st.pid);
	/* its start time, for a later runsyssv to know it by */
	if (sv.st.pid > 0 && os_procinfo(sv.st.pid, &pi) == 0)
		sv.st.starttime = pi.starttime;
	sv.depends = calls_depends();
	if (r == (ssize_t)sizeof(e)) {
		errno = e;
		warnf("cannot run %s:", sv.script);
	} else if (up && sv.st.state == ST_STARTING && !sv.st.waiting[0]) {
		if (sv.depends)
			await_grace();
		else
			set_state(ST_UP);
	}
}

static void
stopped(void)
{
	sv.pgrp = 0;
	unwatch();
	set_state(ST_DOWN);
	say(sv.name, "stopped");
	if (sv.restart && !sv.exiting) {
		sv.restart = 0;
		sv.delay = BACKOFF_MIN;
		spawn();
	}
}

/* while stopping: done when nothing is left, else check again soon */
static void
stop_check(void)
{
	long long now = mono_ms();

	/* an old instance we cannot wait for is gone with its group */
	if (sv.foreign && kill(-sv.pgrp, 0) < 0 && errno == ESRCH) {
		sv.foreign = 0;
		sv.st.pid = 0;
	}
	if (!leftovers()) {
		stopped();
		return;
	}
	if (sv.st.pid == 0 || sv.foreign)
		sv.pollat = now + POLL_MS;
	if (now >= sv.killat && !sv.killed) {
		if (sv.st.pid > 0)
			say(sv.name, "did not stop in %d s, sending SIGKILL",
			    STOP_TIMEOUT);
		sv.killed = 1;
	}
	if (sv.killed)
		kill_tree(SIGKILL, 1);
}

static void
stop(int sig)
{
	int idle = sv.st.state == ST_DOWN || sv.st.state == ST_BACKOFF;

	/* not running: done, but for what an earlier run left behind */
	if (idle && !have_children()) {
		if (sv.st.state == ST_BACKOFF)
			stopped();
		return;
	}
	if (sv.st.state != ST_STOPPING) {
		sv.killat = mono_ms() + STOP_TIMEOUT * 1000LL;
		sv.killed = 0;
		set_state(ST_STOPPING);
	}
	sv.pollat = mono_ms();
	if (sig == SIGKILL) {
		sv.killat = mono_ms();
		sv.killed = 1;
	}
	/* leftovers, and an adopted service's orphans (not ours): find them */
	kill_tree(sig, idle || sv.pidfd >= 0);
	if (sig == SIGTERM)
		kill_tree(SIGCONT, idle || sv.pidfd >= 0);
}

static void
exited(int code, int sig)
{
	char buf[32];
	long long ran = mono_ms() - sv.started;

	exec_done(0);
	if (sv.pidfd >= 0) {
		close(sv.pidfd);
		sv.pidfd = -1;
	}
	sv.st.pid = 0;
	sv.st.starttime = 0;
	sv.st.exitcode = code;
	sv.st.signal = sig;
	sv.st.waiting[0] = '\0';
	if (sig)
		say(sv.name, "killed by %s", sig_text(sig, buf, sizeof(buf)));
	else if (code == EXIT_UNKNOWN)
		say(sv.name, "exited (status unknown)");
	else
		say(sv.name, "exited %d", code);
	if (sv.st.state == ST_STOPPING) {
		/* whatever is left gets SIGTERM too, then the same deadline */
		if (!sv.killed && have_children()) {
			kill_tree(SIGTERM, 1);
			kill_tree(SIGCONT, 1);
		}
		publish();
		stop_check();
		return;
	}
	if (sv.st.want != WANT_UP || sv.exiting) {
		sv.pgrp = 0;
		set_state(ST_DOWN);
		return;
	}
	if (ran >= MIN_RUNTIME * 1000LL) {
		sv.st.restarts++;
		sv.delay = BACKOFF_MIN;
		spawn();
		return;
	}
	backoff();
}

static void
reap(void)
{
	pid_t pid;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (pid != sv.st.pid || sv.pidfd >= 0)
			continue;     /* a leftover reparented to us */
		if (WIFSIGNALED(ws))
			exited(EXIT_NONE, WTERMSIG(ws));
		else
			exited(WEXITSTATUS(ws), 0);
	}
	if (sv.st.state == ST_STOPPING && sv.st.pid == 0)
		stop_check();
}

static void
start_now(void)
{
	if (sv.exiting)
		return;
	if (sv.st.state == ST_STOPPING) {
		sv.restart = 1;
		return;
	}
	if (sv.st.state == ST_DOWN || sv.st.state == ST_BACKOFF) {
		sv.delay = BACKOFF_MIN;
		spawn();
	}
}

/* add the names of list to set, once each */
static void
list_add(char *set, const char *list)
{
	char buf[NAMELIST], *tok, *save;
	size_t n;

	memcpy(buf, list, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		n = strlen(set);
		if (list_has(set, tok) || n + strlen(tok) + 2 > NAMELIST)
			continue;
		if (n)
			set[n++] = ' ';
		memcpy(set + n, tok, strlen(tok) + 1);
	}
}

/* the lines of sysmgr-depends: wait LIST, waited, failed, blocked LIST */
static int
depends(const char *line)
{
	const char *arg = strchr(line, ' ');

	arg = arg ? arg + 1 : "";
	if (!list_ok(arg))
		return 0;
	if (!strncmp(line, "wait ", 5) && arg[0]) {
		memcpy(sv.st.waiting, arg, strlen(arg) + 1);
		list_add(sv.st.deps, arg);
		sv.upat = 0;
		if (sv.st.state == ST_UP)
			set_state(ST_STARTING);
		else
			publish();
	} else if (!strcmp(line, "waited")) {
		sv.st.waiting[0] = '\0';
		sv.upat = 0;
		if (sv.st.state == ST_STARTING && sv.execfd < 0)
			set_state(ST_UP);
		else
			publish();
	} else if (!strcmp(line, "failed")) {
		/* the script exits, normally; if it goes on, UP after a while */
		sv.st.waiting[0] = '\0';
		if (sv.st.state == ST_STARTING)
			await_grace();
		publish();
	} else if (!strncmp(line, "blocked ", 8) && arg[0]) {
		memcpy(sv.st.blocked, arg, strlen(arg) + 1);
		publish();
	} else
		return 0;
	return 1;
}

static void
command(void *ctx, char *line)
{
	int want = sv.st.want, sig;

	(void)ctx;
	if (!strcmp(line, "up")) {
		sv.st.want = WANT_UP;
		start_now();
	} else if (!strcmp(line, "once")) {
		sv.st.want = WANT_ONCE;
		start_now();
	} else if (!strcmp(line, "down") || !strcmp(line, "kill")) {
		sv.st.want = WANT_DOWN;
		sv.restart = 0;
		stop(line[0] == 'k' ? SIGKILL : SIGTERM);
	} else if (!strcmp(line, "restart")) {
		sv.st.want = WANT_UP;
		if (sv.st.state == ST_STARTING || sv.st.state == ST_UP) {
			sv.restart = 1;
			stop(SIGTERM);
		} else
			start_now();
	} else if (!strncmp(line, "signal ", 7) &&
	    (sig = sig_parse(line + 7)) > 0) {
		if (sv.st.pid > 0 && kill(sv.st.pid, sig) < 0)
			warnf("cannot send signal %d:", sig);
	} else if (!depends(line))
		say(sv.name, "unknown control command: %s",
		    printable(line, 41, line));
	if (sv.st.want != want)
		publish();
}

/* 1 if process old->pid is still the main process the status names */
static int
same_process(const struct status *old, struct procinfo *pi)
{
	/* a start time not recorded yet (runsyssv died right after the
	 * start): the process that leads its own group under that pid */
	if (os_procinfo(old->pid, pi) == 0)
		return pi->state != 'Z' && (old->starttime ?
		    pi->starttime == old->starttime : pi->pgrp == old->pid);
	/* without /proc: a process that leads its own group, as services
	 * do, under that pid is taken for it */
	if (errno != ENOSYS || getpgid(old->pid) != old->pid)
		return 0;
	pi->pgrp = old->pid;
	pi->starttime = old->starttime;
	return 1;
}

/* take over a still running main process of a previous runsyssv */
static void
adopt(const struct status *old)
{
	struct procinfo pi, again;
	int fd;

	if (old->pid <= 0 || !same_process(old, &pi))
		return;
	/* the same process still, now that we hold a pidfd of that pid? */
	fd = os_pidfd(old->pid);
	if (fd >= 0 && !same_process(old, &again)) {
		close(fd);
		return;
	}
	sv.st.pid = old->pid;
	sv.st.starttime = pi.starttime;
	sv.pgrp = pi.pgrp;
	if (fd < 0) {
		/* cannot wait for it: stop its group before starting anew */
		sv.foreign = 1;
		say(sv.name, "stopping the previous instance (pid %ld)",
		    (long)old->pid);
		return;
	}
	sv.pidfd = fd;
	sv.started = mono_ms();
	say(sv.name, "adopted (pid %ld)", (long)old->pid);
}

/* the run directory: create it, take its lock, listen on its control */
static void
take_rundir(void)
{
	pid_t holder;

	sv.dirfd = svc_open(&sv.paths, sv.name, 1);
	if (sv.dirfd < 0)
		die(EXIT_SYSTEM, "cannot create %s/%s:", sv.paths.rundir, sv.name);
	sv.lockfd = lock_take(sv.dirfd, "lock");
	if (sv.lockfd < 0 && errno == EAGAIN) {
		holder = lock_holder(sv.dirfd, "lock");
		die(EXIT_FAIL, "already supervised by pid %ld", (long)holder);
	}
	if (sv.lockfd < 0)
		die(EXIT_SYSTEM, "cannot lock %s/%s/lock:", sv.paths.rundir, sv.name);
	if ((sv.ctlfd = ctl_listen(sv.dirfd, &sv.ctlkeep)) < 0)
		die(EXIT_SYSTEM, "cannot create %s/%s/control:",
		    sv.paths.rundir, sv.name);
	if (!(sv.evdir = ev_open(sv.dirfd)))
		warnf("cannot open %s/%s/event, waiters will poll:",
		    sv.paths.rundir, sv.name);
}

/* go on from the last status: adopt what still runs, or start */
static void
resume(void)
{
	struct status old;

	if (status_read(sv.dirfd, &old) < 0 && errno != ENOENT)
		warnf("ignoring unreadable status:");
	sv.st = old;
	sv.st.supervisor = getpid();
	sv.st.pid = 0;
	sv.st.waiting[0] = '\0';
	adopt(&old);
	if (sv.pidfd >= 0) {
		/* a script still in sysmgr-depends goes on waiting */
		sv.st.state = old.state == ST_STARTING ? ST_STARTING : ST_UP;
		memcpy(sv.st.waiting, old.waiting, sizeof(old.waiting));
		if (sv.st.state == ST_STARTING && !sv.st.waiting[0])
			await_grace();
		if (old.state == ST_STOPPING || sv.st.want == WANT_DOWN)
			stop(SIGTERM);
		else
			publish();
	} else if (sv.foreign) {
		sv.st.state = ST_UP;
		stop(SIGTERM);
		sv.restart = sv.st.want == WANT_UP;
	} else if (sv.st.want == WANT_UP)
		spawn();
	else
		set_state(ST_DOWN);
}

static void
setup(void)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT };
	static const int ign[] = { SIGHUP, SIGPIPE };
	char *slash;
	int i;

	if (paths_init(&sv.paths) < 0)
		exit(EXIT_SYSTEM);
	if (std_fds() < 0)
		die(EXIT_SYSTEM, "/dev/null:");
	umask(SERVICE_UMASK);
	sv.execfd = sv.pidfd = -1;
	for (i = 0; i < MAX_BLOCKED; i++)
		sv.blocked[i].fd = sv.blocked[i].evfd = -1;
	sv.delay = BACKOFF_MIN;
	take_rundir();
	if ((sv.sigfd = sig_pipe(sigs, LEN(sigs))) < 0 ||
	    sig_ignore(ign, LEN(ign)) < 0)
		die(EXIT_SYSTEM, "signals:");
	sig_prepare();
	if ((sv.devnull = open("/dev/null", O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		die(EXIT_SYSTEM, "/dev/null:");
	if (setenv("SYSMGR_SERVICE", sv.name, 1) < 0 ||
	    setenv("RUNDIR", sv.paths.rundir, 1) < 0)
		die(EXIT_SYSTEM, "setenv:");
	os_subreaper();
	/* services start in the directory of their script */
	slash = strrchr(sv.script, '/');
	*slash = '\0';
	if (chdir(slash == sv.script ? "/" : sv.script) < 0)
		warnf("cannot change directory to %s:", sv.script);
	*slash = '/';
	resume();
}

static void
on_signal(void)
{
	int sig;

	while ((sig = sig_next(sv.sigfd)) > 0) {
		if (sig == SIGCHLD) {
			reap();
			continue;
		}
		sv.exiting = 1;
		stop(SIGTERM);
	}
}

static void
on_timer(void)
{
	long long now = mono_ms();

	if (sv.st.state == ST_BACKOFF && now >= sv.st.due) {
		sv.st.restarts++;
		spawn();
	} else if (sv.st.state == ST_STARTING && sv.upat && now >= sv.upat) {
		sv.upat = 0;
		set_state(ST_UP);
	}
	else if (sv.st.state == ST_STOPPING && (now >= sv.killat ||
	    ((sv.st.pid == 0 || sv.foreign) && now >= sv.pollat)))
		stop_check();
}

/* a service we were blocked on changed: start now if all are up */
static void
on_watch(void)
{
	ev_wait(sv.blocked, MAX_BLOCKED, 0);
	if (sv.st.state == ST_BACKOFF && all_up(sv.st.blocked)) {
		sv.st.restarts++;
		spawn();
	}
}

static long long
deadline(void)
{
	long long d;

	if (sv.st.state == ST_BACKOFF)
		return sv.st.due;
	if (sv.st.state == ST_STARTING && sv.upat)
		return sv.upat;
	if (sv.st.state != ST_STOPPING)
		return -1;
	d = sv.killed ? -1 : sv.killat;
	if ((sv.st.pid == 0 || sv.foreign) && (d < 0 || sv.pollat < d))
		d = sv.pollat;
	return d;
}

static void
finish(void)
{
	char dir[PATH_MAX];
	struct stat st;

	unlinkat(sv.dirfd, "control", 0);
	/* a removed service leaves nothing behind */
	if (lstat(sv.script, &st) < 0 && errno == ENOENT) {
		unlinkat(sv.dirfd, "status", 0);
		unlinkat(sv.dirfd, "lock", 0);
		if (sv.evdir) {
			ev_notify(sv.evdir);   /* waiters see it gone */
			ev_remove(sv.evdir);
		}
		unlinkat(sv.dirfd, "event", AT_REMOVEDIR);
		if (path_join(dir, sizeof(dir), sv.paths.rundir, sv.name) == 0)
			rmdir(dir);
	}
	exit(0);
}

static void
loop(void)
{
	struct pollfd pfd[4 + MAX_BLOCKED];
	nfds_t n, i;
	int fired;

	for (;;) {
		if (sv.exiting && (sv.st.state == ST_DOWN ||
		    sv.st.state == ST_BACKOFF)) {
			if (sv.st.state == ST_BACKOFF)
				set_state(ST_DOWN);
			finish();
		}
		n = 0;
		pfd[n].fd = sv.sigfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = sv.ctlfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = sv.execfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = sv.pidfd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_BLOCKED; i++) {
			pfd[n].fd = sv.blocked[i].fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, timeout_until(deadline())) < 0) {
			if (errno != EINTR)
				die(EXIT_SYSTEM, "poll:");
			continue;
		}
		if (pfd[2].revents)
			exec_done(1);
		if (pfd[0].revents)
			on_signal();
		if (pfd[3].revents && sv.pidfd >= 0)
			exited(EXIT_UNKNOWN, 0);
		if (pfd[1].revents && ctl_recv(sv.ctlfd, &sv.ctl, command, NULL) < 0)
			warnf("control:");
		for (i = fired = 0; i < MAX_BLOCKED; i++)
			fired |= pfd[4 + i].revents != 0;
		if (fired)
			on_watch();
		on_timer();
	}
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX], *arg;

	setprogname("runsyssv");
	if (argc > 1 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	} else if (argc > 1 && argv[1][0] == '-' && argv[1][1])
		usage();
	if (argc != 2)
		usage();
	if (abs_path(path, sizeof(path), argv[1]) < 0)
		die(EXIT_USAGE, "%s:", argv[1]);
	if (!(sv.script = strdup(path)) || !(arg = strdup(path)))
		die(EXIT_SYSTEM, "strdup:");
	if (!(sv.name = arg_name(arg)))
		die(EXIT_USAGE, "%s: invalid service name",
		    printable(path, sizeof(path), argv[1]));
	setprogname(sv.name);
	setup();
	loop();
	return 0;
}
