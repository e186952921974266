/* See LICENSE file for copyright and license details. */
/* init: PID 1 -- boot, keep sysmgr alive, reap every zombie, shut down */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../config.h"
#include "../os.h"
#include "../util.h"
#include "sys.h"

#define REEXEC "--reexec"   /* argv[1] of init executing itself: state follows */
#define MAXSIG 64           /* the highest signal number of Linux */

/* the phases in order; a shutdown runs from P_SYSMGR to P_FINAL */
enum { P_BOOT, P_RUN, P_SYSMGR, P_RCBOOT, P_RC, P_TERM, P_KILL, P_FINAL };

/* what a phase that times out says */
static const struct {
	const char *what;
	int secs;
} late[] = {
	[P_BOOT] = { INIT_RC_BOOT " still running after %d s: starting sysmgr",
	             INIT_RC_BOOT_WAIT },
	[P_SYSMGR] = { "sysmgr did not exit in %d s", INIT_SYSMGR_WAIT },
	[P_RCBOOT] = { INIT_RC_BOOT " still running %d s after SIGKILL",
	               INIT_KILL_WAIT },
	[P_RC] = { INIT_RC_SHUTDOWN " did not finish in %d s", INIT_RC_WAIT },
	[P_TERM] = { "processes left after the grace time of %d s", INIT_GRACE },
	[P_KILL] = { "processes left %d s after SIGKILL", INIT_KILL_WAIT },
	[P_FINAL] = { NULL, 0 },
};

/* the signals of PID 1, and the commands that send them */
static const struct {
	const char *name;
	int sig;
	int action;
} acts[] = {
	{ "halt", SIGUSR1, A_HALT },
	{ "poweroff", SIGUSR2, A_POWEROFF },
	{ "reboot", SIGTERM, A_REBOOT },
	{ NULL, SIGINT, A_REBOOT },      /* Ctrl-Alt-Del */
	{ NULL, SIGPWR, A_POWEROFF },    /* container managers */
};
static const char *const action_name[] = { "", "halt", "poweroff", "reboot" };

static struct {
	char exe[PATH_MAX];    /* executed by a re-exec */
	sigset_t sigs;         /* blocked, and waited for */
	int phase;
	int action;            /* at the end of the shutdown */
	long long deadline;    /* mono_ms of the end of the phase, -1 for none */
	int extended;          /* P_SYSMGR's deadline is sysmgr's own */
	pid_t boot;            /* rc.boot, 0 when none (it may outlive P_BOOT) */
	pid_t rc;              /* rc.shutdown, 0 when none */
	pid_t sysmgr;          /* 0 when none */
	pid_t rebooter;        /* the child calling reboot(2), 0 when none */
	long long started;     /* mono_ms of the start of sysmgr */
	long long retry;       /* mono_ms of its next start, -1 for none */
	int delay;             /* seconds of the next backoff */
	int alone;             /* no child is left */
} in;

/* the command of acts called name, or -1 */
static int
act_named(const char *name)
{
	size_t i;

	for (i = 0; name && i < LEN(acts); i++)
		if (acts[i].name && !strcmp(acts[i].name, name))
			return (int)i;
	return -1;
}

/* ask PID 1 for command i; with now, reboot(2) here instead */
static int
request(int i, int now)
{
	if (now) {
		sys_reboot(acts[i].action);
		die(EXIT_FAIL, "cannot %s:", acts[i].name);
	}
	/* the shutdown's SIGTERM (and SIGHUP) to every process may come
	 * before our exit: the request was sent, the exit stays 0 */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (kill(1, acts[i].sig) < 0)
		die(EXIT_FAIL, "cannot signal PID 1:");
	return 0;
}

/* executed as poweroff, reboot or halt: "NAME [-f]" */
static int
named(int i, int argc, char *argv[])
{
	char synopsis[32];
	int c, now = 0;

	setprogname(acts[i].name);
	while ((c = getopt(argc, argv, "f")) != -1)
		if (c == 'f')
			now = 1;
		else
			break;
	if (c != -1 || optind != argc) {
		fmt(synopsis, sizeof(synopsis), "%s [-f]", acts[i].name);
		usage_exit(synopsis);
	}
	return request(i, now);
}

/* not PID 1: "init poweroff|reboot|halt" asks PID 1 */
static int
client(int argc, char *argv[])
{
	int i;

	if (argc > 0 && (i = act_named(base_name(argv[0]))) >= 0)
		return named(i, argc, argv);
	if (argc != 2 || (i = act_named(argv[1])) < 0)
		usage_exit("init poweroff|reboot|halt");
	return request(i, 0);
}

static void
report(const char *who, int ws)
{
	const char *name;

	if (WIFSIGNALED(ws)) {
		name = sig_name(WTERMSIG(ws));
		warnf("%s killed by SIG%s", who, name ? name : "?");
	} else
		warnf("%s exited %d", who, WEXITSTATUS(ws));
}

/* path [arg] in a session of its own; 0 when it cannot be started */
static pid_t
spawn(const char *path, const char *arg)
{
	char *argv[] = { (char *)path, (char *)arg, NULL };
	struct spawn sp;
	pid_t pid;

	os_spawn_init(&sp, path, argv);
	sp.leader = SPAWN_SESSION;
	if ((pid = os_spawn(&sp)) < 0) {
		warnf("cannot start %s:", path);
		return 0;
	}
	if ((errno = os_spawn_result(&sp))) {
		warnf("cannot run %s:", path);
		return 0;        /* reap() collects it */
	}
	return pid;
}

/* an rc script, when there is one */
static pid_t
run_rc(const char *path, const char *arg)
{
	if (access(path, X_OK) < 0) {
		if (errno != ENOENT)
			warnf("%s:", path);
		return 0;
	}
	return spawn(path, arg);
}

/* start sysmgr again after a delay, which doubles */
static void
backoff(void)
{
	warnf("starting sysmgr again in %d s", in.delay);
	in.retry = mono_ms() + in.delay * 1000LL;
	in.delay = in.delay * 2 > INIT_BACKOFF_MAX ? INIT_BACKOFF_MAX : in.delay * 2;
}

static void
start_sysmgr(void)
{
	in.retry = -1;
	in.started = mono_ms();
	if ((in.sysmgr = spawn(INIT_SYSMGR, NULL)) <= 0)
		backoff();
}

static void
sysmgr_gone(int ws)
{
	long long ran = mono_ms() - in.started;

	in.sysmgr = 0;
	report("sysmgr", ws);
	if (in.phase != P_RUN)
		return;
	if (ran < INIT_MIN_RUNTIME * 1000LL) {
		backoff();
		return;
	}
	in.delay = INIT_BACKOFF_MIN;
	start_sysmgr();
}

static void
rebooter_gone(int ws)
{
	in.rebooter = 0;
	errno = WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
	warnf("%s failed:", action_name[in.action]);
	/* a container that may not reboot(2) ends this way */
	if (sys_initial_ns() == 0) {
		warnf("exiting instead");
		exit(0);
	}
}

static void
reap(void)
{
	pid_t pid;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (pid == in.sysmgr)
			sysmgr_gone(ws);
		else if (pid == in.boot || pid == in.rc) {
			if (!WIFEXITED(ws) || WEXITSTATUS(ws))
				report(pid == in.boot ? INIT_RC_BOOT :
				    INIT_RC_SHUTDOWN, ws);
			*(pid == in.boot ? &in.boot : &in.rc) = 0;
		} else if (pid == in.rebooter)
			rebooter_gone(ws);
	}
	in.alone = pid < 0 && errno == ECHILD;
}

static void
kill_all(int sig)
{
	warnf("sending SIG%s to every process", sig_name(sig));
	if ((kill(-1, sig) < 0 || (sig == SIGTERM && kill(-1, SIGCONT) < 0)) &&
	    errno != ESRCH)
		warnf("kill:");
	reap();
}

/*
 * No process is left to wait for: none of ours (ECHILD), and, in another
 * PID namespace than the first, none at all: one that joined it (nsenter,
 * a container's exec) is not our child, and only there does kill(-1, 0)
 * tell, as the first has kernel threads.
 */
static int
none_left(void)
{
	reap();
	if (!in.alone)
		return 0;
	return sys_initial_ns() != 0 || (kill(-1, 0) < 0 && errno == ESRCH);
}

/* reboot(2) in a child, as the kernel wants PID 1 alive */
static void
finish(void)
{
	pid_t pid;

	sys_teardown();
	warnf("%s now", action_name[in.action]);
	if ((pid = fork()) == 0) {
		sys_reboot(in.action);
		_exit(errno & 0xff);
	}
	if (pid > 0) {
		in.rebooter = pid;
		return;
	}
	warnf("fork:");
	sys_reboot(in.action);
	warnf("%s failed:", action_name[in.action]);
}

/* a shutdown while rc.boot runs (it may be mounting, checking a disk):
 * it is asked to end, and rc.shutdown waits for it as for sysmgr */
static void
stop_rc_boot(void)
{
	if (in.boot <= 0)
		return;
	warnf("sending SIGTERM to %s", INIT_RC_BOOT);
	if ((kill(-in.boot, SIGTERM) < 0 || kill(-in.boot, SIGCONT) < 0) &&
	    errno != ESRCH)
		warnf("kill:");
}

/* enter the current phase; 0 when it has nothing to wait for */
static int
begin(void)
{
	long long now = mono_ms();

	in.deadline = late[in.phase].secs ? now + late[in.phase].secs * 1000LL : -1;
	switch (in.phase) {
	case P_BOOT:
		return (in.boot = run_rc(INIT_RC_BOOT, NULL)) > 0;
	case P_RUN:
		start_sysmgr();
		return 1;
	case P_SYSMGR:
		in.retry = -1;
		stop_rc_boot();
		if (in.sysmgr > 0 && kill(in.sysmgr, SIGTERM) == 0)
			return 1;
		warnf("sysmgr is not running: services stop with every process");
		return in.boot > 0;
	case P_RCBOOT:      /* it outlived its SIGTERM: not beside rc.shutdown */
		if (in.boot <= 0)
			return 0;
		warnf("sending SIGKILL to %s", INIT_RC_BOOT);
		if (kill(-in.boot, SIGKILL) < 0 && errno != ESRCH)
			warnf("kill:");
		return 1;
	case P_RC:
		return (in.rc = run_rc(INIT_RC_SHUTDOWN,
		    action_name[in.action])) > 0;
	case P_TERM:
	case P_KILL:
		if (none_left())
			return 0;
		kill_all(in.phase == P_TERM ? SIGTERM : SIGKILL);
		return !none_left();
	default:
		finish();
		return 1;
	}
}

/* 1 when the work of the current phase is done */
static int
done(void)
{
	switch (in.phase) {
	case P_BOOT:
	case P_RCBOOT:
		return in.boot == 0;
	case P_RC:
		return in.rc == 0;
	case P_SYSMGR:
		return in.sysmgr == 0 && in.boot == 0;
	case P_TERM:
	case P_KILL:
		return none_left();
	default:
		return 0;
	}
}

/*
 * When sysmgr will be done with the services, on the monotonic clock, as
 * it says in RUNDIR/.sysmgr.stop (their stop-timeouts along the longest
 * chain of dependencies); -1 when it does not say.
 */
static long long
sysmgr_bound(void)
{
	const char *rundir = getenv("RUNDIR");
	unsigned long long d, most = (unsigned long long)mono_ms() +
	    INIT_SYSMGR_MAX * 1000ULL;
	char path[PATH_MAX], buf[32];

	if (fmt(path, sizeof(path), "%s/.sysmgr.stop", rundir && *rundir ?
	    rundir : RUNDIR) < 0 || read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_ull(buf, (unsigned long long)-1, &d) < 0)
		return -1;
	/* further away: not taken (nonsense, or not worth the wait) */
	return d <= most ? (long long)d : -1;
}

/* the time for sysmgr is over: unless it said it needs more, once */
static int
sysmgr_late(void)
{
	long long d = sysmgr_bound();

	if (in.phase != P_SYSMGR || d <= in.deadline)
		return 1;
	warnf("sysmgr needs %lld s more for the services' stop-timeouts",
	    (d - mono_ms() + 999) / 1000);
	in.deadline = d;
	in.extended = 1;
	return 0;
}

/* go on to the next phases as long as the current one is over */
static void
advance(void)
{
	int over;

	for (;;) {
		over = in.deadline >= 0 && mono_ms() >= in.deadline;
		if (done())
			over = 1;
		else if (over && !(over = sysmgr_late()))
			return;
		else if (over && in.phase == P_SYSMGR && !in.sysmgr)
			warnf("%s did not end in %d s", INIT_RC_BOOT,
			    late[P_SYSMGR].secs);
		else if (over && in.phase == P_SYSMGR && in.extended)
			warnf("sysmgr did not exit in the time it said it needed");
		else if (over)
			warnf(late[in.phase].what, late[in.phase].secs);
		if (!over)
			return;
		do
			in.phase++;
		while (!begin());
	}
}

static void
shutdown(int action, int sig)
{
	in.action = action;
	warnf("SIG%s: %s", sig_name(sig), action_name[action]);
	if (in.phase == P_FINAL && !in.rebooter)
		finish();    /* try again */
	if (in.phase >= P_SYSMGR)
		return;
	in.phase = P_SYSMGR;
	while (!begin())
		in.phase++;
}

/* execute init again in place; sysmgr and its pid stay our child */
static void
reexec(void)
{
	char pid[32], delay[32], started[32];
	char *argv[] = { in.exe, REEXEC, pid, delay, started, NULL };

	if (in.phase != P_RUN || in.boot > 0) {
		warnf("SIGQUIT: no re-exec while booting or shutting down");
		return;
	}
	/* the new image would start it at once */
	if (in.retry >= 0) {
		warnf("SIGQUIT: no re-exec while sysmgr waits to start again");
		return;
	}
	if (fmt(pid, sizeof(pid), "%ld", (long)in.sysmgr) < 0 ||
	    fmt(delay, sizeof(delay), "%d", in.delay) < 0 ||
	    fmt(started, sizeof(started), "%lld", in.started) < 0)
		return;
	warnf("SIGQUIT: re-executing %s", in.exe);
	execv(in.exe, argv);
	warnf("cannot re-execute %s:", in.exe);
}

static void
on_signal(int sig)
{
	size_t i;

	if (sig == SIGCHLD)
		reap();
	else if (sig == SIGQUIT)
		reexec();
	for (i = 0; i < LEN(acts); i++)
		if (acts[i].sig == sig)
			shutdown(acts[i].action, sig);
}

/* the next signal, or 0 when the deadline came first */
static int
next_signal(void)
{
	long long d = in.phase == P_RUN ? in.retry : in.deadline;
	struct timespec ts;
	int ms, sig;

	/* processes not ours end without a SIGCHLD: looked for now and then */
	if ((in.phase == P_TERM || in.phase == P_KILL) && in.alone &&
	    (d < 0 || d > mono_ms() + INIT_POLL_MS))
		d = mono_ms() + INIT_POLL_MS;

	if (d < 0)
		sig = sigwaitinfo(&in.sigs, NULL);
	else {
		ms = timeout_until(d);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		sig = sigtimedwait(&in.sigs, NULL, &ts);
	}
	return sig < 0 ? 0 : sig;
}

static void
on_timer(void)
{
	if (in.phase == P_RUN && in.retry >= 0 && mono_ms() >= in.retry)
		start_sysmgr();
}

/* stdio on the console where the kernel left it closed, else /dev/null */
static void
console(void)
{
	int fd = -1, i;

	for (i = 0; i < 3; i++) {
		if (fcntl(i, F_GETFD) >= 0)
			continue;
		/* open() takes the lowest free fd: i */
		if (fd < 0 && (fd = open(INIT_CONSOLE, O_RDWR | O_NOCTTY)) < 0)
			break;
		if (fd != i && dup2(fd, i) < 0)
			break;
	}
	/* /dev/null for the rest; when even that fails, nowhere to say so */
	if (i < 3)
		(void)std_fds();
}

static void
boot(void)
{
	umask(022);
	if (chdir("/") < 0)
		warnf("cannot chdir to /:");
	sys_mount();
	console();
	if (!getenv("PATH") && setenv("PATH", INIT_PATH, 1) < 0)
		warnf("setenv:");
	sys_hostname();
	if (sys_initial_ns() == 1)
		sys_cad_off();
	in.phase = P_BOOT;
	while (!begin())
		in.phase++;
}

/* after a re-exec: argv is init --reexec PID DELAY STARTED (of sysmgr;
 * the monotonic clock goes on across the exec) */
static void
resume(char *argv[])
{
	unsigned long long pid, delay, started;
	siginfo_t si;

	if (parse_ull(argv[2], INT_MAX, &pid) < 0 ||
	    parse_ull(argv[3], INIT_BACKOFF_MAX, &delay) < 0 ||
	    parse_ull(argv[4], (unsigned long long)mono_ms(), &started) < 0) {
		warnf("bad re-exec state: %s %s %s", argv[2], argv[3], argv[4]);
		pid = 0;
		delay = INIT_BACKOFF_MIN;
		started = 0;
	}
	memset(&si, 0, sizeof(si));
	if (pid && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		warnf("sysmgr (pid %llu) is not a child:", pid);
		pid = 0;
	}
	(void)sys_initial_ns();    /* known while /proc is there */
	in.phase = P_RUN;
	in.delay = (int)delay;
	in.sysmgr = (pid_t)pid;
	in.started = (long long)started;
	warnf("re-executed, sysmgr pid %ld", (long)in.sysmgr);
	if (!in.sysmgr)
		start_sysmgr();
	reap();
}

/* every signal but faults waits for sigwaitinfo(), even across a re-exec */
static void
signals(void)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS,
	    SIGTRAP };
	struct sigaction sa;
	size_t i;
	int s;

	sigfillset(&in.sigs);
	for (i = 0; i < LEN(faults); i++)
		sigdelset(&in.sigs, faults[i]);
	if (sigprocmask(SIG_BLOCK, &in.sigs, NULL) < 0)
		warnf("sigprocmask:");
	/* and none is ignored (nor SIGCHLD, whose zombies we need) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (s = 1; s <= MAXSIG; s++)
		if (sigismember(&in.sigs, s) == 1 &&
		    sigaction(s, &sa, NULL) < 0 && errno != EINVAL)
			warnf("sigaction %d:", s);
}

static void
setup(int argc, char *argv[])
{
	signals();
	in.deadline = in.retry = -1;
	in.delay = INIT_BACKOFF_MIN;
	if (argc == 5 && !strcmp(argv[1], REEXEC))
		resume(argv);
	else
		boot();
	if ((argv[0][0] == '/' && fmt(in.exe, sizeof(in.exe), "%s", argv[0]) < 0) ||
	    (argv[0][0] != '/' && os_self_exe(in.exe, sizeof(in.exe)) < 0))
		warnf("cannot find my executable, no re-exec:");
}

int
main(int argc, char *argv[])
{
	setprogname("init");
	if (getpid() != 1)
		return client(argc, argv);
	setup(argc, argv);
	for (;;) {
		advance();
		on_signal(next_signal());
		on_timer();
	}
}
