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
#include "log.h"
#include "os.h"
#include "rundir.h"
#include "settings.h"
#include "util.h"

#define POLL_MS     20    /* checks of processes we cannot wait for */
#define MAX_BLOCKED 4     /* services watched while blocked on them */
#define MAX_PROCS   4096  /* processes of the service signalled at once */
#define NOTIFY_MAX  4096  /* bytes of an sd_notify datagram (systemd's) */
#define NOTIFY_FDS  16    /* fds kept with one until it is checked */

/*
 * The machine.  Its states are those of the status file, but for STOPPING,
 * which is two: the stop signal sent (STOPPING), SIGKILL sent (KILLING).
 * Each event calls the action its state has for it in machine[][]; an
 * action changes state only through enter(), which sets the one deadline
 * of the new state (E_TIMER), and ends a stop by what sv.then says.
 */
enum { S_DOWN, S_STARTING, S_UP, S_RELOADING, S_STOPPING, S_KILLING,
       S_BACKOFF, S_FAILED, S_N };
enum {
	E_START,      /* up, once */
	E_STOP,       /* down */
	E_KILL,       /* kill */
	E_RESTART,    /* restart */
	E_QUIT,       /* SIGTERM or SIGINT to runsyssv */
	E_READY,      /* the service is ready (see ready()) */
	E_WAIT,       /* its script waits for other services */
	E_RELOAD,     /* it says it reloads (RELOADING=1) */
	E_LEAVING,    /* it says it stops by itself (STOPPING=1) */
	E_DIED,       /* the main process ended */
	E_GONE,       /* nothing of the service is left */
	E_TIMER,      /* the deadline of the state */
	E_DEPSUP,     /* a service the last run was blocked on changed */
	E_N
};
/* what a stop leads to */
enum { T_DOWN, T_START, T_RESTART, T_BACKOFF, T_FAILED, T_QUIT, T_NEXT };
/* how the main process is waited for */
enum { TRACK_CHILD, TRACK_PIDFD, TRACK_POLL };

static const int visible[S_N] = {
	[S_DOWN] = ST_DOWN, [S_STARTING] = ST_STARTING, [S_UP] = ST_UP,
	[S_RELOADING] = ST_RELOADING, [S_STOPPING] = ST_STOPPING,
	[S_KILLING] = ST_STOPPING, [S_BACKOFF] = ST_BACKOFF,
	[S_FAILED] = ST_FAILED,
};

static struct {
	struct paths paths;
	char *script;         /* absolute path */
	const char *name;
	long slot;            /* in the status table, -1: none */
	struct settings set;  /* of the current run */
	struct stat seen;     /* of the script when set was read */
	int state;            /* S_* */
	int then;             /* T_*: what the stop leads to */
	long long deadline;   /* mono_ms of E_TIMER, -1 for none */
	long long killat;     /* STOPPING: mono_ms of the SIGKILL */
	struct status st;
	int dirfd, lockfd, ctlfd, ctlkeep, sigfd, devnull;
	struct spawn sp;      /* the last run's */
	int track;            /* TRACK_* */
	int pidfd;            /* of the main process, TRACK_PIDFD */
	pid_t pgrp;           /* process group of the service, 0 when none */
	unsigned long long leadstart;      /* start time of its leader */
	int subreaper;        /* what the service orphans is ours */
	unsigned long long supstart;       /* our own start time */
	pid_t written;        /* in the pid file */
	long long started;    /* mono_ms of the start, or of the adoption */
	int delay;            /* of the next backoff, s */
	long long wdog_ms;    /* its WATCHDOG_USEC=, -1: the setting's */
	int wdog_fired;       /* this run was stopped by the watchdog */
	int was_ready;        /* this run said it was ready */
	int waited;           /* sysmgr-depends returned, this run */
	int notifyfd;         /* ready=notify: its socket */
	int readyfd, readyw;  /* ready=fd:N: the FIFO, our end and its */
	int evdir;            /* our event directory: waiters to wake */
	struct sub blocked[MAX_BLOCKED];   /* what blocked the last run */
	struct ctlbuf ctl;
	struct logw log;      /* LOGDIR/NAME */
	int logr, logw;       /* the log FIFO: our end, the service's */
	char *events;         /* RUNDIR/.log: sysmgr's, for our lines */
	char *notify;         /* RUNDIR/NAME/notify */
	int evfd;             /* open on it, or -1 */
} sv;

typedef void action(void);

#define SYNOPSIS "runsyssv [-s SLOT] [--] SCRIPT\n" \
	"environment: RUNDIR (" RUNDIR "), LOGDIR (" LOGDIR ")"

static void
usage(void)
{
	usage_exit(SYNOPSIS);
}

static void
publish(void)
{
	pid_t pid = sv.st.pid;

	/* the pid file first: whoever has seen the status (svctl stop
	 * waiting for DOWN) finds the pid file saying the same */
	if (pid != sv.written && pid_write(sv.dirfd, pid) == 0)
		sv.written = pid;
	if (status_write(sv.dirfd, &sv.st) < 0)
		warnf("cannot write status in %s/%s:", sv.paths.rundir, sv.name);
	if (sv.evdir < 0)
		sv.evdir = ev_open(sv.dirfd);
	ev_notify(sv.evdir);
}

static void
set_why(const char *why)
{
	if (why != sv.st.why &&
	    fmt(sv.st.why, sizeof(sv.st.why), "%s", why ? why : "") < 0)
		sv.st.why[0] = '\0';
}

/* our lines into sysmgr's log, when it reads it: 0, or -1 */
static int
to_sysmgr(const char *line, size_t n)
{
	if (sv.evfd < 0)
		sv.evfd = open(sv.events, O_WRONLY | O_NONBLOCK | O_CLOEXEC |
		    O_NOCTTY | O_NOFOLLOW);
	if (sv.evfd < 0)
		return -1;
	if (write(sv.evfd, line, n) == (ssize_t)n)
		return 0;
	/* full, or sysmgr gone (EPIPE): open again next time */
	close(sv.evfd);
	sv.evfd = -1;
	return -1;
}

/* a line of the service while its log cannot be written */
static int
log_fallback(const char *line, size_t n)
{
	char buf[4096];
	int len;

	if (n > sizeof(buf) - NAME_MAX - 4)
		n = sizeof(buf) - NAME_MAX - 4;
	if ((len = fmt(buf, sizeof(buf), "%s: %.*s\n", sv.name, (int)n, line)) < 0)
		return -1;
	return to_sysmgr(buf, (size_t)len);
}

/* the one way into a state: its deadline (-1: none) and what it is about */
static void
enter(int state, long long deadline, const char *why)
{
	sv.state = state;
	sv.deadline = deadline;
	/* the time of the last change of what is seen: kept from STOPPING
	 * to KILLING, and by a runsyssv that took over (since loaded) */
	if (sv.st.state != visible[state] || !sv.st.since) {
		sv.st.stamp = mono_ms();
		sv.st.since = wall_s();
	}
	sv.st.state = visible[state];
	set_why(why);
	publish();
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static long long
after(unsigned long secs)
{
	return mono_ms() + (long long)secs * 1000;
}

/* STARTING, not ready: till ready-timeout, -1 with none (0) */
static long long
ready_deadline(void)
{
	return sv.set.ready_timeout ? after(sv.set.ready_timeout) : -1;
}

/* the watchdog's next deadline: the service's WATCHDOG_USEC= or the
 * setting's, -1 for none */
static long long
wdog_deadline(void)
{
	if (sv.wdog_ms >= 0)
		return sv.wdog_ms ? mono_ms() + sv.wdog_ms : -1;
	return sv.set.watchdog ? after(sv.set.watchdog) : -1;
}

/*
 * The processes of the service.
 */

/* 1 while we have a child: anything left of our service is below one */
static int
have_children(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* 1 when the processes of the service are out of our sight: polled */
static int
unwaited(void)
{
	return sv.track != TRACK_CHILD || !sv.subreaper;
}

static int
by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct procinfo *)a)->pid;
	pid_t y = ((const struct procinfo *)b)->pid;

	return x < y ? -1 : x > y;
}

static const struct procinfo *
proc_find(const struct procinfo *t, long n, pid_t pid)
{
	struct procinfo key;

	memset(&key, 0, sizeof(key));
	key.pid = pid;
	return bsearch(&key, t, (size_t)n, sizeof(*t), by_pid);
}

/* 1 if p descends from runsyssv or from the main process */
static int
descends(const struct procinfo *t, long n, const struct procinfo *p)
{
	int depth;

	for (depth = 0; p && depth < 256; depth++) {
		if (p->ppid == getpid() || (sv.st.pid > 0 && p->ppid == sv.st.pid))
			return 1;
		if (p->ppid <= 1)
			return 0;
		p = proc_find(t, n, p->ppid);
	}
	return 0;
}

/* the process group of the run is still the service's, its leader (the
 * process of that number, NULL when there is none) being the first
 * process of the run or the main process: else another took the number
 * once the group was empty, and its group is not ours */
static int
group_ours(const struct procinfo *leader)
{
	return sv.pgrp > 1 && (!leader || leader->pid == sv.st.pid ||
	    (sv.leadstart && leader->starttime == sv.leadstart));
}

/*
 * The processes of the service but its main process, as its kill setting
 * counts them: those of its process group (unless another group took its
 * number: one whose leader is not the service's), and for kill=tree every
 * descendant of runsyssv and of the main process.  At most max of them
 * into out; -1 without /proc.
 */
static long
others(pid_t *out, long max)
{
	const struct procinfo *p;
	struct procinfo *t;
	long n, i, found = 0;
	int group;

	/* ours, with nothing below us: nothing to look for in /proc (at a
	 * shutdown, a walk of /proc by each runsyssv would make it O(n^2)) */
	if (sv.set.kill == KILL_PROCESS || (!unwaited() && !have_children()))
		return 0;
	if ((n = os_procs(&t)) < 0)
		return -1;
	qsort(t, (size_t)n, sizeof(*t), by_pid);
	group = group_ours(proc_find(t, n, sv.pgrp));
	for (i = 0; i < n && found < max; i++) {
		p = &t[i];
		if (p->pid == getpid() || p->pid == sv.st.pid || p->state == 'Z')
			continue;
		if ((group && p->pgrp == sv.pgrp) ||
		    (sv.set.kill == KILL_TREE && descends(t, n, p)))
			out[found++] = p->pid;
	}
	free(t);
	return found;
}

/* how many processes of the service are left but the main process */
static long
count_others(void)
{
	pid_t *pids;
	long n;

	if (sv.set.kill == KILL_PROCESS || (!unwaited() && !have_children()))
		return 0;
	if (!(pids = malloc(MAX_PROCS * sizeof(*pids))))
		return 1;
	n = others(pids, MAX_PROCS);
	free(pids);
	/* without /proc: the group, while a child of ours is left */
	if (n < 0)
		n = sv.pgrp > 1 && have_children() && kill(-sv.pgrp, 0) == 0;
	return n;
}

static void
send(pid_t pid, int sig)
{
	if (pid > 1 && pid != getpid())
		kill(pid, sig);
}

/*
 * Signal the service as its kill setting says: the main process, or its
 * process group while the main process leads it (a live leader keeps its
 * number from being reused); with walk, or when the group has no such
 * leader, every other process as others() finds them.
 */
static void
signal_service(int sig, int walk)
{
	int leads = sv.st.pid > 1 && sv.pgrp == sv.st.pid;
	pid_t *pids;
	long i, n;

	if (leads && sv.set.kill != KILL_PROCESS)
		kill(-sv.pgrp, sig);
	else if (sv.st.pid > 0)
		send(sv.st.pid, sig);
	if (!leads)
		walk = 1;
	if (!walk || sv.set.kill == KILL_PROCESS ||
	    !(pids = malloc(MAX_PROCS * sizeof(*pids))))
		return;
	n = others(pids, MAX_PROCS);
	for (i = 0; i < n; i++)
		send(pids[i], sig);
	free(pids);
	if (n < 0 && sv.pgrp > 1 && have_children())
		kill(-sv.pgrp, sig);
}

/* the stop signal (and SIGCONT, so that a stopped process gets it) */
static void
signal_stop(int walk)
{
	signal_service(sv.set.stop_signal, walk);
	if (sv.set.stop_signal != SIGCONT)
		signal_service(SIGCONT, walk);
}

/* the deadline of KILLING: a check, when what is left does not tell us */
static long long
kill_deadline(void)
{
	return unwaited() ? mono_ms() + POLL_MS : -1;
}

/*
 * The machine's actions.
 */
static void dispatch(int ev);
static void spawn(int automatic);

/* while stopping: done when nothing is left */
static void
check_gone(void)
{
	if (sv.state != S_STOPPING && sv.state != S_KILLING)
		return;
	if (sv.track == TRACK_POLL && sv.st.pid > 0 &&
	    kill(-sv.pgrp, 0) < 0 && errno == ESRCH)
		sv.st.pid = 0;     /* an old instance gone with its group */
	if (sv.st.pid == 0 && count_others() == 0)
		dispatch(E_GONE);
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

/* wait before the next start, the delay doubling up to BACKOFF_MAX */
static void
backoff(void)
{
	sv.st.due = after((unsigned long)sv.delay);
	enter(S_BACKOFF, sv.st.due, sv.st.why);
	watch_blocked();
	say(sv.name, "restarting in %d s", sv.delay);
	sv.delay = sv.delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : sv.delay * 2;
}

static void drain(int flush);

static void
finish(void)
{
	struct stat st;

	drain(1);
	/* what the next runsyssv reads: FAILED stays */
	if (sv.state != S_DOWN && sv.state != S_FAILED)
		enter(S_DOWN, -1, NULL);
	unlinkat(sv.dirfd, "control", 0);
	table_leave();
	/* a removed service leaves nothing behind */
	if (lstat(sv.script, &st) < 0 && errno == ENOENT)
		svc_remove(&sv.paths, sv.name, sv.dirfd, sv.evdir);
	exit(0);
}

/* where a stop, or a run, leads */
static void
go(int then)
{
	switch (then) {
	case T_START:
	case T_RESTART:
		spawn(then == T_RESTART);
		break;
	case T_BACKOFF:
		backoff();
		break;
	case T_FAILED:
		enter(S_FAILED, -1, sv.st.why);
		say(sv.name, "%s", sv.st.why);
		break;
	case T_QUIT:
		finish();
		break;
	default:
		enter(S_DOWN, -1, NULL);
	}
}

/* after the main process ended on its own: by the want and the settings */
static int
next(void)
{
	long long ran = mono_ms() - sv.started;

	if (sv.st.want == WANT_UP && sv.set.restart == RESTART_ON_FAILURE &&
	    sv.st.exitcode == 0 && !sv.st.signal && !sv.wdog_fired)
		sv.st.want = WANT_ONCE;   /* done, and said so */
	if (sv.st.want != WANT_UP)
		return T_DOWN;
	if (ran >= MIN_RUNTIME * 1000LL) {
		sv.st.fails = 0;
		sv.delay = BACKOFF_MIN;
		return T_RESTART;
	}
	/* a run blocked on a stopped dependency is not its own failure: it
	 * waits in BACKOFF for that service (DEPSUP), whatever give-up says */
	if (sv.set.give_up && !sv.st.blocked[0] &&
	    ++sv.st.fails >= sv.set.give_up) {
		fmt(sv.st.why, sizeof(sv.st.why), "gave up after %lu starts",
		    sv.st.fails);
		return T_FAILED;
	}
	return T_BACKOFF;
}

/* STOPPING until killat; what we cannot wait for is checked meanwhile */
static long long
stop_deadline(void)
{
	long long poll = mono_ms() + POLL_MS;

	return unwaited() && poll < sv.killat ? poll : sv.killat;
}

static void
enter_stopping(int then, const char *why)
{
	sv.then = then;
	sv.killat = after(sv.set.stop_timeout);
	enter(S_STOPPING, stop_deadline(), why);
}

/* begin a stop that leads to then: the stop signal, SIGKILL at the
 * stop-timeout; walk: look for the processes outside the group now */
static void
stop(int then, int walk, const char *why)
{
	enter_stopping(then, why);
	signal_stop(walk);
	check_gone();
}

static void
kill_now(int then)
{
	sv.then = then;
	enter(S_KILLING, kill_deadline(), sv.st.why);
	signal_service(SIGKILL, 1);
	check_gone();
}

/* DOWN, BACKOFF, FAILED: start now */
static void
a_start(void)
{
	spawn(0);
}

/* running: stop, for good, to start again, to exit */
static void a_stop(void) { stop(T_DOWN, unwaited(), NULL); }
static void a_restart(void) { stop(T_START, unwaited(), NULL); }
static void a_quit_running(void) { stop(T_QUIT, unwaited(), NULL); }
static void a_kill(void) { kill_now(sv.then == T_QUIT ? T_QUIT : T_DOWN); }

/* STOPPING and KILLING: change where the stop leads */
/* where the stop leads, unless runsyssv exits after it: the want is
 * recorded for the next one */
static void
then(int t)
{
	if (sv.then != T_QUIT)
		sv.then = t;
}

static void a_then_start(void) { then(T_START); }
static void a_then_down(void) { then(T_DOWN); }
static void a_then_quit(void) { sv.then = T_QUIT; signal_stop(1); }
static void a_stop_again(void) { then(T_DOWN); signal_stop(1); }

/* not running: what earlier runs left is stopped (then DOWN, or exit) */
static void
sweep(int then, int sig)
{
	unwatch();
	if (!count_others()) {
		if (then == T_QUIT)
			finish();
		if (sv.state == S_BACKOFF || sv.state == S_FAILED) {
			enter(S_DOWN, -1, NULL);
			say(sv.name, "stopped");
		}
		return;
	}
	if (sig == SIGKILL)
		kill_now(then);
	else
		stop(then, 1, "stopping what earlier runs left");
}

static void a_sweep(void) { sweep(T_DOWN, SIGTERM); }
static void a_sweep_kill(void) { sweep(T_DOWN, SIGKILL); }
static void a_quit(void) { sweep(T_QUIT, SIGTERM); }

/* ready: what its script said it waits for is over too */
static void
a_up(void)
{
	sv.st.waiting[0] = '\0';
	enter(S_UP, wdog_deadline(), NULL);
	if (sv.set.ready != READY_NONE)
		say(sv.name, "ready");
	sv.was_ready = 1;
}

/* the script waits for services: STARTING, without a deadline */
static void a_wait(void) { enter(S_STARTING, -1, NULL); }

static void
a_reload(void)
{
	enter(S_RELOADING, sv.deadline, NULL);
}

/* STOPPING=1: it stops by itself; what comes next is known once it did */
static void a_leaving(void) { enter_stopping(T_NEXT, "stopping"); }

/* the main process ended on its own; what it left is stopped first */
static void
a_died(void)
{
	char why[64];
	int then;
	long n;

	set_why(NULL);
	then = next();
	if (!(n = count_others())) {
		go(then);
		return;
	}
	fmt(why, sizeof(why), "%ld process%s left by the last run", n,
	    n == 1 ? "" : "es");
	say(sv.name, "%s, stopping them", why);
	/* a give-up keeps its reason: FAILED says it */
	stop(then, 1, then == T_FAILED ? sv.st.why : why);
}

/* the main process ended while stopping: the rest gets the signal too */
static void
a_died_stopping(void)
{
	if (sv.then == T_NEXT)
		sv.then = next();
	if (sv.state == S_STOPPING)
		signal_stop(1);
	else
		signal_service(SIGKILL, 1);
	if (sv.state == S_KILLING)
		sv.deadline = kill_deadline();
	check_gone();
}

static void
a_gone(void)
{
	int then = sv.then;

	say(sv.name, "stopped");
	go(then == T_NEXT ? next() : then);
}

/* STARTING too long: the grace of a script calling sysmgr-depends, or
 * no readiness within ready-timeout */
static void
a_late(void)
{
	char why[64];

	if (sv.set.ready == READY_NONE) {
		dispatch(E_READY);
		return;
	}
	fmt(why, sizeof(why), "not ready after %lu s", sv.st.readytimeout);
	say(sv.name, "%s, stopping it", why);
	stop(T_BACKOFF, unwaited(), why);
}

/* no WATCHDOG=1 in time: SIGABRT, then the stop escalation */
static void
a_watchdog(void)
{
	say(sv.name, "watchdog timeout, sending SIGABRT");
	sv.wdog_fired = 1;    /* a failure, whatever its exit */
	enter_stopping(T_NEXT, "watchdog timeout");
	send(sv.st.pid, SIGABRT);
	send(sv.st.pid, SIGCONT);
}

/* STOPPING: a check of what we cannot wait for, or the stop-timeout */
static void
a_stop_timer(void)
{
	check_gone();
	if (sv.state != S_STOPPING)
		return;
	if (mono_ms() < sv.killat) {
		sv.deadline = stop_deadline();
		return;
	}
	if (sv.st.pid > 0)
		say(sv.name, "did not stop in %lu s, sending SIGKILL",
		    sv.set.stop_timeout);
	kill_now(sv.then);
}

/* KILLING: again, as long as something is left */
static void
a_rekill(void)
{
	signal_service(SIGKILL, 1);
	sv.deadline = kill_deadline();
	check_gone();
}

static void
a_due(void)
{
	sv.st.restarts++;
	spawn(0);
}

/* 1 when every service of the list is UP */
static int
all_up(const char *list)
{
	char buf[NAMELIST], *tok, *save;
	struct status *st = malloc(sizeof(*st));     /* a small stack */
	int up = st != NULL;

	memcpy(buf, list, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); up && tok;
	    tok = strtok_r(NULL, " ", &save))
		up = svc_status_named(&sv.paths, tok, st) > 0 && status_up(st);
	free(st);
	return up;
}

static void
a_depsup(void)
{
	if (all_up(sv.st.blocked))
		a_due();
}

#define _ 0
static action *const machine[S_N][E_N] = {
	/*            START       STOP          KILL          RESTART
	              QUIT        READY  WAIT    RELOAD    LEAVING
	              DIED        GONE     TIMER       DEPSUP */
	[S_DOWN] = { a_start, a_sweep, a_sweep_kill, a_start,
	             a_quit, _, _, _, _,
	             _, _, _, _ },
	[S_STARTING] = { _, a_stop, a_kill, a_restart,
	             a_quit_running, a_up, a_wait, _, a_leaving,
	             a_died, _, a_late, _ },
	[S_UP] = { _, a_stop, a_kill, a_restart,
	             a_quit_running, _, a_wait, a_reload, a_leaving,
	             a_died, _, a_watchdog, _ },
	[S_RELOADING] = { _, a_stop, a_kill, a_restart,
	             a_quit_running, a_up, a_wait, _, a_leaving,
	             a_died, _, a_watchdog, _ },
	[S_STOPPING] = { a_then_start, a_stop_again, a_kill, a_then_start,
	             a_then_quit, _, _, _, _,
	             a_died_stopping, a_gone, a_stop_timer, _ },
	[S_KILLING] = { a_then_start, a_then_down, a_then_down, a_then_start,
	             a_then_quit, _, _, _, _,
	             a_died_stopping, a_gone, a_rekill, _ },
	[S_BACKOFF] = { a_start, a_sweep, a_sweep_kill, a_start,
	             a_quit, _, _, _, _,
	             _, _, a_due, a_depsup },
	[S_FAILED] = { a_start, a_sweep, a_sweep_kill, a_start,
	             a_quit, _, _, _, _,
	             _, _, _, _ },
};
#undef _

static void
dispatch(int ev)
{
	action *a = machine[sv.state][ev];

	if (a)
		a();
}

/*
 * Starting a run.
 */

/* each bad setting is said once, until the script changes */
static void
report_bad(void *ctx, int line, const char *kv, const char *why)
{
	char buf[SETTING_BAD];

	(void)ctx;
	say(sv.name, "%s:%d: bad setting %s: %s, ignored", sv.script,
	    line, printable(buf, sizeof(buf), kv), why);
}

/* 1 when the script is not the one whose settings we have */
static int
script_changed(void)
{
	struct stat st;

	if (stat(sv.script, &st) < 0)
		memset(&st, 0, sizeof(st));
	else if (st.st_ino == sv.seen.st_ino &&
	    st.st_dev == sv.seen.st_dev && st.st_size == sv.seen.st_size &&
	    st.st_mtim.tv_sec == sv.seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == sv.seen.st_mtim.tv_nsec &&
	    st.st_ctim.tv_sec == sv.seen.st_ctim.tv_sec &&
	    st.st_ctim.tv_nsec == sv.seen.st_ctim.tv_nsec)
		return 0;
	sv.seen = st;
	return 1;
}

/* the settings, read again when the script changed; the timeouts of the
 * run, whatever the last one was given more */
static void
read_settings(void)
{
	const char *more;

	if (script_changed()) {
		if (settings_read(sv.script, &sv.set, report_bad, NULL) < 0)
			settings_default(&sv.set);   /* the exec will say why */
		/* the mark kept whole, the setting cut to make room for it */
		more = sv.set.nbad > 1 ? " (and more)" : "";
		fmt(sv.st.bad, sizeof(sv.st.bad), "%.*s%s",
		    (int)(sizeof(sv.st.bad) - 1 - strlen(more)), sv.set.bad, more);
		log_limits(&sv.log, sv.set.log_size, sv.set.log_keep);
	}
	sv.st.stoptimeout = sv.set.stop_timeout;
	sv.st.readytimeout = sv.set.ready != READY_NONE ? sv.set.ready_timeout : 0;
}

/* RUNDIR/NAME/notify, the socket of ready=notify */
static void
open_notify(void)
{
	if ((sv.notifyfd = os_notify_socket(sv.notify)) < 0)
		warnf("cannot make its notification socket:");
}

/* the socket lives as long as the run */
static void
close_notify(void)
{
	if (sv.notifyfd < 0)
		return;
	close_fd(&sv.notifyfd);
	unlink(sv.notify);
}

/* RUNDIR/NAME/ready, read by us, and open for reading and writing in the
 * service, so that writing it never fails, with us or without */
static void
open_ready_fifo(void)
{
	if (sv.readyfd < 0)
		sv.readyfd = fifo_open(sv.dirfd, RD_READY, O_RDONLY | O_NONBLOCK);
	if (sv.readyw < 0)
		sv.readyw = fifo_open(sv.dirfd, RD_READY, O_RDWR);
	if (sv.readyfd < 0 || sv.readyw < 0)
		warnf("cannot make its readiness FIFO:");
}

/* the channels of readiness for the next run, and its environment */
static void
prepare_ready(struct spawn *sp)
{
	char usec[32];
	int i;

	/* the socket also for a watchdog's pings */
	close_notify();
	if (sv.set.ready == READY_NOTIFY || sv.set.watchdog)
		open_notify();
	if (sv.notifyfd < 0)
		unsetenv("NOTIFY_SOCKET");
	else if (setenv("NOTIFY_SOCKET", sv.notify, 1) < 0)
		warnf("setenv:");
	if (sv.set.ready == READY_FD) {
		open_ready_fifo();
		/* the fds between stderr and it: none of ours */
		for (i = 3; i < sv.set.ready_fd; i++)
			sp->fd[i] = SPAWN_CLOSE;
		sp->nfd = sv.set.ready_fd + 1;
		sp->fd[sv.set.ready_fd] = sv.readyw;
	}
	unsetenv("WATCHDOG_PID");
	if (sv.set.watchdog && fmt(usec, sizeof(usec), "%lu000000",
	    sv.set.watchdog) >= 0 && setenv("WATCHDOG_USEC", usec, 1) == 0)
		sp->pidenv = "WATCHDOG_PID";
	else
		unsetenv("WATCHDOG_USEC");
}

/* RUNDIR/NAME/log: read by us, open for reading and writing as the
 * service's output, so that it always has a reader, with us or not */
static int
open_log_fifo(void)
{
	if (sv.logr < 0 &&
	    (sv.logr = fifo_open(sv.dirfd, RD_LOG, O_RDONLY | O_NONBLOCK)) >= 0)
		os_pipe_size(sv.logr, LOG_PIPE);
	if (sv.logw < 0)
		sv.logw = fifo_open(sv.dirfd, RD_LOG, O_RDWR);
	return sv.logr >= 0 && sv.logw >= 0 ? 0 : -1;
}

/* the output of the next run: its log, our own, or nowhere */
static void
prepare_log(struct spawn *sp)
{
	if (sv.set.log == LOG_OFF)
		sp->fd[1] = sp->fd[2] = sv.devnull;
	else if (sv.set.log == LOG_FILE && open_log_fifo() == 0)
		sp->fd[1] = sp->fd[2] = sv.logw;
	else if (sv.set.log == LOG_FILE)
		warnf("cannot make its log FIFO, its output goes to ours:");
}

/* the exec of the run is known: it succeeded, or it exits 127 now */
static void
exec_done(void)
{
	struct procinfo pi;
	int e = os_spawn_result(&sv.sp);

	if (e) {
		errno = e;
		warnf("cannot run %s:", sv.script);
		return;
	}
	say(sv.name, "started (pid %ld)", (long)sv.st.pid);
	/* its start time, for a later runsyssv to know it by */
	if (sv.st.pid > 0 && os_procinfo(sv.st.pid, &pi) == 0)
		sv.st.starttime = sv.leadstart = pi.starttime;
	if (sv.set.ready != READY_NONE)
		enter(S_STARTING, ready_deadline(), "not ready");
	else if (sv.set.depends)
		enter(S_STARTING, after(DEPENDS_GRACE), NULL);
	else
		dispatch(E_READY);
}

/*
 * In the child, before its exec (in our memory, or in a copy of it): its
 * pid into the status, or it does not run.  A start that cannot be
 * recorded does not run.  Its buffer on the child's own stack: nothing
 * of our heap is in use when someone kills the child meanwhile.
 */
static int
record(void *ctx)
{
	char buf[STATUS_MAX];

	(void)ctx;
	sv.st.pid = getpid();
	return status_write_in(sv.dirfd, &sv.st, buf);
}

static void
spawn(int automatic)
{
	char *argv[] = { sv.script, NULL };
	pid_t pid;

	unwatch();
	read_settings();
	if (automatic)
		sv.st.restarts++;
	if (sv.set.restart == RESTART_NEVER && sv.st.want == WANT_UP)
		sv.st.want = WANT_ONCE;
	/* what the child records before its exec */
	sv.st.starttime = 0;
	sv.st.starts++;
	sv.st.waiting[0] = sv.st.deps[0] = sv.st.blocked[0] = '\0';
	sv.st.text[0] = '\0';
	sv.st.state = ST_STARTING;
	sv.st.stamp = mono_ms();
	sv.st.since = wall_s();
	sv.wdog_ms = -1;
	sv.wdog_fired = sv.was_ready = sv.waited = 0;
	/* as exec_done() will say it: the first record of a start already
	 * tells why it is STARTING */
	set_why(sv.set.ready != READY_NONE ? "not ready" : NULL);
	/* a new session, stdin on /dev/null, no fd but 0-2 (and ready=fd:N) */
	os_spawn_init(&sv.sp, sv.script, argv);
	sv.sp.leader = SPAWN_SESSION;
	sv.sp.before = record;
	sv.sp.fd[0] = sv.devnull;
	prepare_log(&sv.sp);
	prepare_ready(&sv.sp);
	if ((pid = os_spawn(&sv.sp)) < 0) {
		sv.st.pid = 0;
		if (sv.sp.refused) {
			warnf("cannot record the start, not starting:");
			fmt(sv.st.why, sizeof(sv.st.why),
			    "cannot record the start: %s", strerror(errno));
		} else {
			warnf("cannot start:");
			sv.st.starts--;
			sv.st.exitcode = EXIT_SYSTEM;
			sv.st.signal = 0;
			set_why(NULL);
		}
		backoff();
		return;
	}
	sv.st.pid = pid;
	sv.track = TRACK_CHILD;
	sv.pgrp = pid;
	sv.leadstart = 0;
	sv.started = mono_ms();
	sv.state = S_STARTING;
	sv.deadline = -1;
	if (pid_write(sv.dirfd, pid) == 0)
		sv.written = pid;
	ev_notify(sv.evdir);
	exec_done();
}

/*
 * Events from the outside.
 */

/* the service's output into its log; flush: its last line too */
static void
drain(int flush)
{
	if (sv.logr < 0)
		return;
	log_drain(&sv.log, sv.logr, flush);
	if (sv.log.lost != sv.st.dropped) {
		sv.st.dropped = sv.log.lost;
		publish();
	}
}

/* the main process ended: code and sig, or EXIT_UNKNOWN */
static void
main_gone(int code, int sig)
{
	char buf[32];

	drain(1);
	close_fd(&sv.pidfd);
	close_notify();
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
	dispatch(E_DIED);
}

static void
reap(void)
{
	pid_t pid;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (pid != sv.st.pid)
			continue;     /* a leftover reparented to us */
		if (WIFSIGNALED(ws))
			main_gone(EXIT_NONE, WTERMSIG(ws));
		else
			main_gone(WEXITSTATUS(ws), 0);
	}
	check_gone();
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
		if (sv.state == S_STARTING || sv.state == S_UP ||
		    sv.state == S_RELOADING)
			dispatch(E_WAIT);
		else
			publish();
	} else if (!strcmp(line, "waited") || !strcmp(line, "failed")) {
		sv.st.waiting[0] = '\0';
		if (sv.state != S_STARTING)
			publish();
		else if (sv.was_ready)
			dispatch(E_READY);     /* ready before it waited */
		else if (sv.set.ready != READY_NONE)
			enter(S_STARTING, ready_deadline(), "not ready");
		else if (line[0] == 'w' && ++sv.waited >= sv.set.depends)
			dispatch(E_READY);
		else      /* failed: the script exits, normally; more lines
			   * call it: not UP between them; UP later if not */
			enter(S_STARTING, after(DEPENDS_GRACE), NULL);
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
	/* a start or restart asked for tries again afresh: the backoff
	 * from 1 s, the count of give-up from 0, whatever state it finds */
	if (!strcmp(line, "up") || !strcmp(line, "once") ||
	    !strcmp(line, "restart")) {
		sv.delay = BACKOFF_MIN;
		sv.st.fails = 0;
	}
	if (!strcmp(line, "up") || !strcmp(line, "once")) {
		sv.st.want = line[0] == 'u' ? WANT_UP : WANT_ONCE;
		dispatch(E_START);
	} else if (!strcmp(line, "down") || !strcmp(line, "kill")) {
		sv.st.want = WANT_DOWN;
		dispatch(line[0] == 'k' ? E_KILL : E_STOP);
	} else if (!strcmp(line, "restart")) {
		sv.st.want = WANT_UP;
		dispatch(E_RESTART);
	} else if (!strcmp(line, "reload")) {
		if (sv.st.pid > 0)
			send(sv.st.pid, sv.set.reload_signal);
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

/*
 * sd_notify and ready=fd:N.
 */

/* 1 if pid is a process of the service */
static int
of_service(pid_t pid)
{
	struct procinfo pi, lead, *t;
	long n;
	int r;

	if (pid > 1 && pid == sv.st.pid)
		return 1;
	if (pid <= 1 || os_procinfo(pid, &pi) < 0)
		return 0;
	if (sv.pgrp > 1 && pi.pgrp == sv.pgrp && pi.sid == sv.pgrp &&
	    group_ours(os_procinfo(sv.pgrp, &lead) == 0 ? &lead : NULL))
		return 1;
	if ((n = os_procs(&t)) < 0)
		return 0;
	qsort(t, (size_t)n, sizeof(*t), by_pid);
	r = descends(t, n, proc_find(t, n, pid));
	free(t);
	return r;
}

/* the sender may speak for the service: one of its processes, running
 * as root or as its main process does */
static int
trusted(pid_t pid, uid_t uid)
{
	/* the user first: a stranger costs no walk of /proc */
	return (uid == 0 || (long)uid == os_uid(sv.st.pid)) && of_service(pid);
}

/* MAINPID=: another process of the service is its main process now */
static void
new_main(const char *v)
{
	unsigned long long n;
	struct procinfo pi;
	int fd;

	if (parse_ull(v, 0x7fffffff, &n) < 0 || (pid_t)n == sv.st.pid ||
	    !of_service((pid_t)n) || os_procinfo((pid_t)n, &pi) < 0)
		return;
	if (pi.ppid != getpid()) {
		if ((fd = os_pidfd((pid_t)n)) < 0)
			return;
		close_fd(&sv.pidfd);
		sv.pidfd = fd;
		sv.track = TRACK_PIDFD;
	} else {
		close_fd(&sv.pidfd);
		sv.track = TRACK_CHILD;
	}
	sv.st.pid = (pid_t)n;
	sv.st.starttime = pi.starttime;
	say(sv.name, "main process is now pid %ld", (long)n);
	publish();
}

/* the whole seconds from deadline from to to, added to *secs */
static void
lengthen(unsigned long *secs, long long from, long long to)
{
	*secs += (unsigned long)((to - from + 999) / 1000);
}

/* EXTEND_TIMEOUT_USEC: more time to get ready, or to stop; the status's
 * readytimeout or stoptimeout grows with it, for svctl's wait */
static void
extend(const char *v)
{
	unsigned long long us;
	long long d;

	if (parse_ull(v, 86400ULL * 1000000, &us) < 0)
		return;
	d = mono_ms() + (long long)(us / 1000);
	if (sv.state == S_STARTING && sv.deadline >= 0 && d > sv.deadline) {
		if (sv.st.readytimeout)
			lengthen(&sv.st.readytimeout, sv.deadline, d);
		sv.deadline = d;
		publish();
	}
	if (sv.state == S_STOPPING && d > sv.killat) {
		lengthen(&sv.st.stoptimeout, sv.killat, d);
		sv.killat = d;
		sv.deadline = stop_deadline();
		publish();
	}
}

/* WATCHDOG_USEC=: the watchdog's time from now on (0: none), for this
 * run; in UP or RELOADING its deadline moves to now plus that */
static void
wdog_set(const char *v)
{
	unsigned long long us;

	if (parse_ull(v, 86400ULL * 1000000, &us) < 0)
		return;
	sv.wdog_ms = (long long)((us + 999) / 1000);
	if (sv.state == S_UP || sv.state == S_RELOADING)
		sv.deadline = wdog_deadline();
}

/* the lines that change the state, the one that wins first: STOPPING
 * over the others, READY over RELOADING, as systemd takes them */
static const struct { const char *kv; int ev; } notify_states[] = {
	{ "STOPPING=1", E_LEAVING }, { "READY=1", E_READY },
	{ "RELOADING=1", E_RELOAD },
};

/* of the keys with a value, the first line of a datagram is taken, as
 * systemd does: marked in seen after the changes of state */
enum { N_STATUS = LEN(notify_states), N_MAINPID, N_WDOG, N_EXTEND };
static int
first(unsigned *seen, int key)
{
	if (*seen & 1u << key)
		return 0;
	*seen |= 1u << key;
	return 1;
}

/*
 * One line of a datagram, in two passes, as systemd takes them: first
 * the lines that change no state (STATUS, MAINPID), so that
 * "READY=1\nSTATUS=up" is one change of the status, and the changes of
 * state (READY, RELOADING, STOPPING) marked in *seen, whose winner is
 * taken between the passes; then those that apply to the state the
 * service is in (EXTEND_TIMEOUT_USEC, WATCHDOG), so that
 * "STOPPING=1\nEXTEND_TIMEOUT_USEC=..." extends the stop it begins.
 */
static void
notify_line(const char *line, int pass, unsigned *seen)
{
	const char *v = strchr(line, '=');
	size_t i, k;
	long long d;

	if (!v)
		return;
	k = (size_t)(v++ - line);
	for (i = 0; i < LEN(notify_states); i++)
		if (!strcmp(line, notify_states[i].kv)) {
			*seen |= 1u << i;
			return;
		}
	if (pass == 0 && k == 6 && !strncmp(line, "STATUS", k)) {
		if (first(seen, N_STATUS))
			printable(sv.st.text, sizeof(sv.st.text), v);
	} else if (pass == 0 && k == 7 && !strncmp(line, "MAINPID", k)) {
		if (first(seen, N_MAINPID))
			new_main(v);
	} else if (pass != 1)
		return;
	else if (!strcmp(line, "WATCHDOG=1")) {
		if ((sv.state == S_UP || sv.state == S_RELOADING) &&
		    (d = wdog_deadline()) >= 0)
			sv.deadline = d;
	} else if (!strcmp(line, "WATCHDOG=trigger")) {
		if (sv.state == S_UP || sv.state == S_RELOADING)
			a_watchdog();
	} else if (k == 13 && !strncmp(line, "WATCHDOG_USEC", k)) {
		if (first(seen, N_WDOG))
			wdog_set(v);
	} else if (k == 19 && !strncmp(line, "EXTEND_TIMEOUT_USEC", k) &&
	    first(seen, N_EXTEND))
		extend(v);
}

/* the change of state a datagram's lines marked, the winner's */
static void
notify_state(unsigned seen)
{
	size_t i;

	for (i = 0; i < LEN(notify_states); i++)
		if (seen & 1u << i) {
			dispatch(notify_states[i].ev);
			return;
		}
}

static void
on_notify(void)
{
	char buf[NOTIFY_MAX + 1], text[TEXT_MAX], *line;
	int fds[NOTIFY_FDS], nfds, pass, state, ok, left = NOTIFY_BATCH;
	unsigned seen;
	int strangers = 0;
	ssize_t n;
	pid_t pid;
	uid_t uid;

	while (left-- > 0 && ((n = os_notify_recv(sv.notifyfd, buf, sizeof(buf),
	    &pid, &uid, fds, &nfds)) >= 0 || errno == EMSGSIZE ||
	    errno == EINTR)) {
		if (n < 0)
			continue;
		memcpy(text, sv.st.text, sizeof(text));
		state = sv.state;
		/* the fds it sent (a barrier) are closed once it is checked,
		 * as it waits for that */
		ok = trusted(pid, uid);
		while (nfds > 0)
			close(fds[--nfds]);
		if (!ok) {
			/* a stranger's barrier alone is not counted */
			if (!strcmp(buf, "BARRIER=1"))
				continue;
			if (!sv.st.ignored++)
				say(sv.name, "ignoring a notification from pid %ld,"
				    " uid %ld: not of the service", (long)pid,
				    (long)uid);
			strangers = 1;
			continue;
		}
		if (strlen(buf) != (size_t)n)
			continue;       /* a NUL: not the protocol's */
		for (seen = 0, pass = 0; pass < 2; pass++) {
			if (pass == 1)
				notify_state(seen);
			for (line = buf; line < buf + n; line += strlen(line) + 1) {
				line[strcspn(line, "\n")] = '\0';
				notify_line(line, pass, &seen);
			}
		}
		/* what no change of state wrote (STATUS= alone, say) */
		if (strcmp(text, sv.st.text) && state == sv.state)
			publish();
	}
	/* the count of those ignored, once for them all */
	if (strangers)
		publish();
}

/* ready=fd:N: a newline means ready (the service's word, as READY=1,
 * whatever the script said it waits for) */
static void
on_ready_fifo(void)
{
	char buf[256];
	ssize_t n;
	int nl = 0;

	while ((n = read(sv.readyfd, buf, sizeof(buf))) > 0)
		nl |= memchr(buf, '\n', (size_t)n) != NULL;
	if (nl)
		dispatch(E_READY);
}

/*
 * Start-up: take over from the last runsyssv.
 */

/* 1 if process pid is still the main process recorded with start */
static int
same_process(pid_t pid, unsigned long long start, struct procinfo *pi)
{
	if (pid <= 1)
		return 0;
	/* a start time not recorded yet (runsyssv died right after the
	 * start): the process that leads its own session under that pid */
	if (os_procinfo(pid, pi) == 0)
		return pi->state != 'Z' && pi->pgrp > 1 && (start ?
		    pi->starttime == start :
		    pi->pgrp == pid && pi->sid == pid);
	/* without /proc: a process that leads its own group, as services
	 * do, under that pid is taken for it */
	if (errno != ENOSYS || getpgid(pid) != pid)
		return 0;
	pi->pgrp = pid;
	pi->starttime = start;
	return 1;
}

/* take over a still running main process of a previous runsyssv: 0, or
 * -1 when none runs */
static int
adopt(pid_t pid, unsigned long long start)
{
	struct procinfo pi, again;
	int fd;

	if (!same_process(pid, start, &pi))
		return -1;
	/* the same process still, now that we hold a pidfd of that pid? */
	fd = os_pidfd(pid);
	if (fd >= 0 && !same_process(pid, start, &again)) {
		close(fd);
		return -1;
	}
	sv.st.pid = pid;
	sv.st.starttime = pi.starttime;
	sv.pgrp = pi.pgrp;
	sv.leadstart = pi.pgrp == pid ? pi.starttime : 0;
	sv.started = mono_ms();
	sv.pidfd = fd;
	sv.track = fd >= 0 ? TRACK_PIDFD : TRACK_POLL;
	if (fd >= 0)
		say(sv.name, "adopted (pid %ld)", (long)pid);
	else
		say(sv.name, "stopping the previous instance (pid %ld)", (long)pid);
	return 0;
}

/* the channels of readiness of an adopted service: the same paths */
static void
readopt_ready(void)
{
	if (sv.set.ready == READY_NOTIFY || sv.set.watchdog)
		open_notify();
	if (sv.set.ready == READY_FD)
		open_ready_fifo();
}

/* go on from the last status (read into sv.st itself: no copy of a
 * struct status on the stack): adopt what still runs, or start */
static void
resume(void)
{
	unsigned long long start;
	pid_t pid;
	int old;

	if (status_load(sv.dirfd, &sv.st) < 0 && errno != ENOENT)
		warnf("ignoring unreadable status:");
	sv.log.lost = sv.st.dropped;      /* counted on from there */
	old = sv.st.state;
	pid = sv.st.pid;
	start = sv.st.starttime;
	sv.st.supervisor = getpid();
	sv.st.supstart = sv.supstart;
	sv.st.pid = 0;
	read_settings();
	if (adopt(pid, start) < 0) {
		sv.st.waiting[0] = '\0';
		if (sv.st.want != WANT_DOWN && old == ST_FAILED)
			enter(S_FAILED, -1, sv.st.why);
		else if (sv.st.want == WANT_UP && old == ST_BACKOFF &&
		    sv.st.due > mono_ms() &&
		    sv.st.due <= after(BACKOFF_MAX)) {
			/* its delay goes on (a time of this boot's clock) */
			enter(S_BACKOFF, sv.st.due, sv.st.why);
			watch_blocked();
		} else if (sv.st.want == WANT_UP)
			spawn(0);
		else
			enter(S_DOWN, -1, NULL);
		return;
	}
	if (sv.track == TRACK_POLL) {
		sv.st.waiting[0] = '\0';
		stop(sv.st.want == WANT_UP ? T_START : T_DOWN, 0, NULL);
		return;
	}
	readopt_ready();
	if (old == ST_STOPPING || sv.st.want == WANT_DOWN) {
		sv.st.waiting[0] = '\0';
		stop(sv.st.want == WANT_UP ? T_START : T_DOWN, 1, NULL);
	} else if (old == ST_UP || old == ST_RELOADING) {
		sv.st.waiting[0] = '\0';
		sv.was_ready = 1;
		enter(old == ST_UP ? S_UP : S_RELOADING, wdog_deadline(), NULL);
	} else      /* a script still in sysmgr-depends goes on waiting */
		enter(S_STARTING, sv.st.waiting[0] ? -1 :
		    sv.set.ready != READY_NONE ? ready_deadline() :
		    after(DEPENDS_GRACE), sv.set.ready != READY_NONE &&
		    !sv.st.waiting[0] ? "not ready" : NULL);
}

/* a number in a file of the run directory, 0 when none */
static pid_t
read_pid(const char *file, char *buf, size_t size)
{
	unsigned long long n;
	ssize_t r;
	int fd;

	buf[0] = '\0';
	if ((fd = openat(sv.dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) < 0)
		return 0;
	r = read(fd, buf, size - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return parse_ull(buf, 0x7fffffff, &n) == 0 ? (pid_t)n : 0;
}

/* 1 if pid is a runsyssv of sysmgr 0.1 */
static int
original_runsyssv(pid_t pid)
{
	char path[64], comm[32];

	return pid > 1 && fmt(path, sizeof(path), "/proc/%ld/comm", (long)pid) >= 0 &&
	    read_file(path, comm, sizeof(comm)) > 0 && !strcmp(comm, "runsyssv\n");
}

/*
 * An upgrade in place from sysmgr 0.1: its run directory holds syspid (its
 * runsyssv), pid (the service) and, when the admin stopped it, lock (a
 * signal number: 0 for once), and no status.  Its runsyssv is killed
 * alone, as its SIGTERM would stop the service, which is then taken for
 * ours through the status written here (resume() adopts it).
 */
static void
take_original(void)
{
	struct status st;
	struct procinfo pi;
	char buf[32], lock[32];
	pid_t sys, svc;
	int i;

	if (faccessat(sv.dirfd, "status", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	sys = read_pid("syspid", buf, sizeof(buf));
	svc = read_pid(RD_PID, buf, sizeof(buf));
	read_pid("lock", lock, sizeof(lock));
	if (!sys && !lock[0])
		return;
	status_init(&st);
	if (lock[0])
		st.want = !strcmp(lock, "0") ? WANT_ONCE : WANT_DOWN;
	if (original_runsyssv(sys) && svc > 1 && os_procinfo(svc, &pi) == 0 &&
	    pi.ppid == sys && pi.state != 'Z') {
		kill(sys, SIGKILL);
		for (i = 0; i < 100 && kill(sys, 0) == 0 && original_runsyssv(sys); i++)
			poll(NULL, 0, 10);
		st.pid = svc;
		st.starttime = pi.starttime;
		st.state = ST_UP;
	}
	say(sv.name, "taking over from sysmgr 0.1: its runsyssv (pid %ld) %s",
	    (long)sys, st.pid ? "killed, its service adopted" : "gone");
	unlinkat(sv.dirfd, "syspid", 0);
	if (status_write(sv.dirfd, &st) < 0)
		warnf("cannot write status:");
}

/* the slot sysmgr gave us (-s) in its status table: a copy of each status
 * goes there (rundir.h) */
static void
join_table(void)
{
	int rfd, fd = -1;

	if (sv.slot < 0)
		return;
	if ((rfd = open(sv.paths.rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fd = table_open(rfd, 0);
		close(rfd);
	}
	if (fd < 0 || table_join(fd, sv.slot, sv.name, sv.lockfd) < 0) {
		warnf("cannot use %s/%s, svctl status reads our status file:",
		    sv.paths.rundir, RD_TABLE);
		if (fd >= 0)
			close(fd);
	}
}

/* the run directory: create it, take its lock, listen on its control */
static void
take_rundir(void)
{
	pid_t holder;

	sv.dirfd = svc_open(&sv.paths, sv.name, 1);
	if (sv.dirfd < 0)
		die(EXIT_SYSTEM, "cannot use %s/%s:", sv.paths.rundir, sv.name);
	take_original();
	sv.lockfd = svc_lock(sv.dirfd);
	if (sv.lockfd < 0 && errno == EAGAIN) {
		holder = svc_holder(sv.dirfd);
		die(EXIT_FAIL, "already supervised by pid %ld", (long)holder);
	}
	if (sv.lockfd < 0)
		die(EXIT_SYSTEM, "cannot lock %s/%s/lock:", sv.paths.rundir, sv.name);
	join_table();
	if ((sv.ctlfd = ctl_listen(sv.dirfd, &sv.ctlkeep)) < 0)
		die(EXIT_SYSTEM, "cannot create %s/%s/control:",
		    sv.paths.rundir, sv.name);
	if ((sv.evdir = ev_open(sv.dirfd)) < 0)
		warnf("cannot open %s/%s/event, waiters will poll:",
		    sv.paths.rundir, sv.name);
}

static void
setup(void)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	static const int ign[] = { SIGPIPE };
	struct procinfo pi;
	char *slash, *dir;
	int i;

	if (paths_init(&sv.paths) < 0)
		exit(EXIT_SYSTEM);
	if (std_fds() < 0)
		die(EXIT_SYSTEM, "/dev/null:");
	umask(SERVICE_UMASK);
	sv.pidfd = sv.notifyfd = sv.readyfd = sv.readyw = -1;
	sv.logr = sv.logw = sv.evfd = sv.evdir = -1;
	if (!(sv.events = path_dup(sv.paths.rundir, RD_MGRLOG)) ||
	    !(dir = path_dup(sv.paths.rundir, sv.name)) ||
	    !(sv.notify = path_dup(dir, RD_NOTIFY)))
		die(EXIT_SYSTEM, "malloc:");
	free(dir);
	set_sink(to_sysmgr);
	sv.deadline = -1;
	for (i = 0; i < MAX_BLOCKED; i++)
		sv.blocked[i].fd = sv.blocked[i].evfd = -1;
	sv.delay = BACKOFF_MIN;
	take_rundir();
	if ((sv.sigfd = sig_pipe(sigs, LEN(sigs))) < 0 ||
	    sig_ignore(ign, LEN(ign)) < 0)
		die(EXIT_SYSTEM, "signals:");
	sig_prepare();
	if ((sv.devnull = open("/dev/null", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		die(EXIT_SYSTEM, "/dev/null:");
	if (log_open(&sv.log, sv.dirfd, RD_SPILL, sv.paths.logdir, sv.name) < 0)
		die(EXIT_SYSTEM, "cannot open %s/%s/%s:", sv.paths.rundir, sv.name,
		    RD_SPILL);
	sv.log.fallback = log_fallback;
	/* what the last run wrote and nobody read yet */
	if (faccessat(sv.dirfd, RD_LOG, F_OK, 0) == 0 && open_log_fifo() < 0)
		warnf("cannot open %s/%s/%s:", sv.paths.rundir, sv.name, RD_LOG);
	if (setenv("SYSMGR_SERVICE", sv.name, 1) < 0 ||
	    setenv("RUNDIR", sv.paths.rundir, 1) < 0)
		die(EXIT_SYSTEM, "setenv:");
	sv.subreaper = os_subreaper() == 0;
	/* services start in the directory of their script */
	slash = strrchr(sv.script, '/');
	*slash = '\0';
	if (chdir(slash == sv.script ? "/" : sv.script) < 0)
		warnf("cannot change directory to %s:", sv.script);
	*slash = '/';
	if (os_procinfo(getpid(), &pi) == 0)
		sv.supstart = pi.starttime;
	resume();
	/* what a killed runsyssv had taken from the FIFO and not written:
	 * now (with the log settings read), not once the service writes */
	log_drain(&sv.log, -1, 0);
}

static void
on_signal(void)
{
	int sig;

	while ((sig = sig_next(sv.sigfd)) > 0) {
		if (sig == SIGCHLD)
			reap();
		else if (sig == SIGHUP)
			log_reopen(&sv.log);
		else
			dispatch(E_QUIT);
	}
}

/* the deadline of the state; one that an action left in the past is
 * dropped rather than spun on */
static void
on_timer(void)
{
	long long d = sv.deadline;

	if (d < 0 || mono_ms() < d)
		return;
	dispatch(E_TIMER);
	if (sv.deadline == d) {
		warnf("state %s: deadline not moved", state_name(sv.st.state));
		sv.deadline = -1;
	}
}

/* whether the main process of the pidfd we hold now has ended: the one
 * polled may have been handed over (MAINPID=) meanwhile */
static int
pidfd_ended(void)
{
	struct pollfd p;

	p.fd = sv.pidfd;
	p.events = POLLIN;
	return sv.pidfd >= 0 && poll(&p, 1, 0) > 0;
}

static void
loop(void)
{
	enum { P_SIG, P_CTL, P_PIDFD, P_NOTIFY, P_READY, P_LOG, P_SUBS };
	struct pollfd pfd[P_SUBS + MAX_BLOCKED];
	size_t i;
	int fired;

	for (;;) {
		pfd[P_SIG].fd = sv.sigfd;
		pfd[P_CTL].fd = sv.ctlfd;
		pfd[P_PIDFD].fd = sv.pidfd;
		pfd[P_NOTIFY].fd = sv.notifyfd;
		pfd[P_READY].fd = sv.set.ready == READY_FD ? sv.readyfd : -1;
		pfd[P_LOG].fd = sv.logr;
		for (i = 0; i < MAX_BLOCKED; i++)
			pfd[P_SUBS + i].fd = sv.blocked[i].fd;
		for (i = 0; i < LEN(pfd); i++)
			pfd[i].events = POLLIN;
		if (poll_until(pfd, LEN(pfd), sv.deadline) < 0)
			continue;
		if (pfd[P_LOG].revents)
			drain(0);
		/* in the order the service said things: what its script said
		 * (sysmgr-depends), its readiness, then its end */
		if (pfd[P_CTL].revents && ctl_recv(sv.ctlfd, &sv.ctl, command, NULL) < 0)
			warnf("control:");
		if (pfd[P_NOTIFY].revents && sv.notifyfd >= 0)
			on_notify();
		if (pfd[P_READY].revents && sv.readyfd >= 0)
			on_ready_fifo();
		if (pfd[P_SIG].revents)
			on_signal();
		if (pfd[P_PIDFD].revents && pidfd_ended())
			main_gone(EXIT_UNKNOWN, 0);
		for (i = fired = 0; i < MAX_BLOCKED; i++)
			fired |= pfd[P_SUBS + i].revents != 0;
		if (fired) {
			ev_wait(sv.blocked, MAX_BLOCKED, 0);
			dispatch(E_DEPSUP);
		}
		on_timer();
	}
}

int
main(int argc, char *argv[])
{
	char shown[256], *arg;
	const char *why;
	unsigned long long slot;
	int opt;

	prog_init("runsyssv", SYNOPSIS, argc, argv);
	sv.slot = -1;
	sv.wdog_ms = -1;
	while ((opt = getopt(argc, argv, "+s:")) != -1) {
		if (opt != 's' || parse_ull(optarg, SLOT_MAX, &slot) < 0)
			usage();
		sv.slot = (long)slot;
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	/* the name, from the argument without its trailing slashes, which
	 * the script is then run without too ("" names none) */
	if (!(arg = strdup(argv[0])))
		die(EXIT_SYSTEM, "strdup:");
	if (!(sv.name = arg_name(arg)))
		die(EXIT_USAGE, "%s: invalid service name",
		    printable(shown, sizeof(shown), argv[0]));
	if ((why = name_kept(sv.name)))
		die(EXIT_USAGE, "%s: %s", printable(shown, sizeof(shown),
		    argv[0]), why);
	if (!(sv.script = abs_dup(arg)))
		die(errno == ENOMEM ? EXIT_SYSTEM : EXIT_USAGE, "%s:",
		    printable(shown, sizeof(shown), argv[0]));
	setprogname(sv.name);
	setup();
	loop();
	return 0;
}
