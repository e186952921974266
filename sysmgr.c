/* See LICENSE file for copyright and license details. */
/* sysmgr: keep one runsyssv per service of SYSDIR */
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

#define POLL_MS 100   /* checks of runsyssv we cannot wait for, at shutdown */

struct svc {
	char name[NAME_MAX + 1];
	pid_t pid;            /* its runsyssv, 0 when none */
	int pidfd;            /* of an adopted runsyssv, else -1 */
	int child;            /* pid is our child */
	int valid;            /* the entry is a service */
	int warned;           /* that it is not was said */
	long long spawned;    /* mono_ms of the start of runsyssv */
	long long retry;      /* mono_ms of the next attempt, 0 for none */
	int delay;            /* seconds to the next attempt after that */
	char *deps;           /* at shutdown: what it waited for */
	long long killat;     /* at shutdown: mono_ms to SIGKILL runsyssv */
};

static struct {
	struct paths paths;
	char runsyssv[PATH_MAX];
	char argv0[PATH_MAX];     /* absolute */
	struct svc *svc;
	struct pollfd *pfd;
	size_t n, cap;
	int sigfd, watchfd, lockfd;
	int stopping;
	long long rescan;     /* next periodic scan without inotify */
} m;

static void
usage(void)
{
	usage_exit("sysmgr");
}

static struct svc *
find(const char *name)
{
	size_t i;

	for (i = 0; i < m.n; i++)
		if (!strcmp(m.svc[i].name, name))
			return &m.svc[i];
	return NULL;
}

static struct svc *
add(const char *name)
{
	struct svc *s;
	void *p;
	size_t cap;

	if (m.n == m.cap) {
		cap = m.cap ? m.cap * 2 : 64;
		if (!(p = realloc(m.svc, cap * sizeof(*m.svc))))
			return NULL;
		m.svc = p;
		if (!(p = realloc(m.pfd, (cap + 2) * sizeof(*m.pfd))))
			return NULL;
		m.pfd = p;
		m.cap = cap;
	}
	s = &m.svc[m.n++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, strlen(name) + 1);
	s->pidfd = -1;
	return s;
}

static void
del(struct svc *s)
{
	if (s->pidfd >= 0)
		close(s->pidfd);
	free(s->deps);
	*s = m.svc[--m.n];
}

/* runsyssv next to our own executable, else on PATH */
static void
find_runsyssv(void)
{
	char self[PATH_MAX], *slash;
	const char *path;

	/* only absolute paths: we run in SYSDIR */
	if (os_self_exe(self, sizeof(self)) < 0 &&
	    fmt(self, sizeof(self), "%s", m.argv0) < 0)
		self[0] = '\0';
	if (self[0] == '/' && (slash = strrchr(self, '/'))) {
		*slash = '\0';
		if (path_join(m.runsyssv, sizeof(m.runsyssv), self, "runsyssv") == 0 &&
		    access(m.runsyssv, X_OK) == 0)
			return;
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (path[0] == '/' && fmt(m.runsyssv, sizeof(m.runsyssv),
		    "%.*s/runsyssv", (int)len, path) >= 0 &&
		    access(m.runsyssv, X_OK) == 0)
			return;
		path += len + (path[len] == ':');
	}
	m.runsyssv[0] = '\0';
}

/* schedule the next attempt for s; returns its delay in seconds */
static int
retry_later(struct svc *s)
{
	int d = s->delay < SPAWN_RETRY ? SPAWN_RETRY : s->delay;

	s->retry = mono_ms() + d * 1000LL;
	s->delay = d * 2 > BACKOFF_MAX ? BACKOFF_MAX : d * 2;
	return d;
}

static void
spawn(struct svc *s)
{
	char script[PATH_MAX];
	char *argv[] = { "runsyssv", "--", script, NULL };
	struct spawn sp;
	pid_t pid;
	int e;

	if (!m.runsyssv[0])
		find_runsyssv();
	if (!m.runsyssv[0]) {
		errno = ENOENT;
		say(s->name, "cannot run runsyssv, retrying in %d s:",
		    retry_later(s));
		return;
	}
	os_spawn_init(&sp, m.runsyssv, argv);
	sp.leader = SPAWN_SESSION;
	if (path_join(script, sizeof(script), m.paths.sysdir, s->name) < 0 ||
	    (pid = os_spawn(&sp)) < 0) {
		say(s->name, "cannot start runsyssv, retrying in %d s:",
		    retry_later(s));
		return;
	}
	if ((e = os_spawn_result(&sp))) {
		waitpid(pid, NULL, 0);
		errno = e;
		say(s->name, "cannot run %s, retrying in %d s:", m.runsyssv,
		    retry_later(s));
		find_runsyssv();
		return;
	}
	s->pid = pid;
	s->child = 1;
	s->spawned = mono_ms();
}

/*
 * The runsyssv that holds the lock of s, or 0; with pidfd, a pidfd of it
 * (or -1), taken while it still held the lock.
 */
static pid_t
holder(const struct svc *s, int *pidfd)
{
	pid_t pid = 0, again;
	int dfd, fd = -1;

	if ((dfd = svc_open(&m.paths, s->name, 0)) < 0)
		return 0;
	pid = lock_holder(dfd, "lock");
	if (pid > 0 && pidfd) {
		fd = os_pidfd(pid);
		again = lock_holder(dfd, "lock");
		if (again != pid && fd >= 0) {
			close(fd);
			fd = -1;
			pid = again;
		}
		*pidfd = fd;
	}
	close(dfd);
	return pid > 0 ? pid : 0;
}

/* adopt the runsyssv that holds the lock of s, or start one */
static void
ensure(struct svc *s)
{
	pid_t pid;

	if (m.stopping || s->pid > 0 || s->retry)
		return;
	if (!(pid = holder(s, &s->pidfd))) {
		spawn(s);
		return;
	}
	s->pid = pid;
	s->child = 0;
	s->spawned = mono_ms();
	say(s->name, "adopted runsyssv (pid %ld)", (long)pid);
}

static void
check(const char *name)
{
	struct svc *s = find(name);
	const char *why;

	if (service_check(m.paths.sysdir, name, &why) == 0) {
		if (!s && !(s = add(name))) {
			say(name, "out of memory");
			return;
		}
		s->valid = 1;
		s->warned = 0;
		ensure(s);
		return;
	}
	if (strcmp(why, "no such service") && (!s || !s->warned)) {
		char buf[NAME_MAX + 1];

		say(printable(buf, sizeof(buf), name), "not a service: %s", why);
		if (!s)
			s = add(name);
		if (s)
			s->warned = 1;
	}
	if (!s)
		return;
	s->valid = 0;
	s->retry = 0;
	if (s->pid > 0)
		kill(s->pid, SIGTERM);   /* runsyssv stops the service, exits */
	else if (!strcmp(why, "no such service"))
		del(s);
}

static void
on_change(void *ctx, const char *name, int flags)
{
	struct stat st;

	if (flags & WATCH_RESCAN) {
		*(int *)ctx = 1;
		return;
	}
	if (name[0] == '.')
		return;
	/* a regular file just created is maybe still being written: its
	 * close (IN_CLOSE_WRITE) or chmod comes next; a hard link is whole */
	if ((flags & WATCH_NEW) && fstatat(AT_FDCWD, name, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1)
		return;
	check(name);
}

/* without inotify, or with a runsyssv we cannot wait for: scan now and then */
static void
schedule_scan(void)
{
	size_t i;

	m.rescan = 0;
	for (i = 0; i < m.n && m.watchfd >= 0; i++)
		if (m.svc[i].pid > 0 && !m.svc[i].child && m.svc[i].pidfd < 0)
			break;
	if (m.watchfd < 0 || i < m.n)
		m.rescan = mono_ms() + SCAN_INTERVAL * 1000LL;
}

static void
rescan(void)
{
	char **names;
	int n, i;
	size_t j;

	n = service_list(m.paths.sysdir, &names);
	if (n < 0) {
		warnf("cannot read %s:", m.paths.sysdir);
		return;
	}
	for (i = 0; i < n; i++)
		check(names[i]);
	/* entries that are gone */
	for (j = 0; j < m.n; j++) {
		for (i = 0; i < n && strcmp(names[i], m.svc[j].name); i++)
			;
		if (i == n && m.svc[j].valid) {
			check(m.svc[j].name);
			j = (size_t)-1;    /* del() may have moved entries */
		}
	}
	service_list_free(names, n);
	schedule_scan();
}

static void
gone(struct svc *s, int ws, int known)
{
	char buf[32];
	long long ran = mono_ms() - s->spawned;

	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	s->pid = 0;
	if (m.stopping)
		return;
	if (!s->valid) {
		if (s->warned == 0)
			del(s);
		return;
	}
	if (!known)
		say(s->name, "runsyssv exited");
	else if (WIFSIGNALED(ws))
		say(s->name, "runsyssv killed by %s",
		    sig_text(WTERMSIG(ws), buf, sizeof(buf)));
	else
		say(s->name, "runsyssv exited %d", WEXITSTATUS(ws));
	/* at once after a healthy run, or the first time; a runsyssv that
	 * keeps dying at once is restarted with a doubling delay */
	if (ran >= MIN_RUNTIME * 1000LL)
		s->delay = 0;
	if (s->delay && !holder(s, NULL)) {
		say(s->name, "restarting runsyssv in %d s", retry_later(s));
		return;
	}
	if (!s->delay)
		s->delay = SPAWN_RETRY;
	ensure(s);
}

/* a runsyssv that is not our child and has no pidfd: still there? */
static void
check_unwatched(void)
{
	size_t i;

	for (i = 0; i < m.n; i++)
		if (m.svc[i].pid > 0 && !m.svc[i].child && m.svc[i].pidfd < 0 &&
		    holder(&m.svc[i], NULL) != m.svc[i].pid)
			gone(&m.svc[i], 0, 0);
}

/* run directories of scripts that are gone: stop their runsyssv */
static void
stop_orphans(void)
{
	char **names;
	const char *why;
	struct svc tmp;
	pid_t pid;
	int n, i;

	if ((n = service_list(m.paths.rundir, &names)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (service_check(m.paths.sysdir, names[i], &why) == 0 ||
		    fmt(tmp.name, sizeof(tmp.name), "%s", names[i]) < 0 ||
		    !(pid = holder(&tmp, NULL)))
			continue;
		say(names[i], "not a service (%s), stopping its runsyssv (pid %ld)",
		    why, (long)pid);
		kill(pid, SIGTERM);
	}
	service_list_free(names, n);
}

static void
reap(void)
{
	pid_t pid;
	size_t i;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
		for (i = 0; i < m.n; i++)
			if (m.svc[i].child && m.svc[i].pid == pid) {
				gone(&m.svc[i], ws, 1);
				break;
			}
}

/* 1 while a running service other than s waited for s */
static int
needed(const struct svc *s)
{
	size_t i;

	for (i = 0; i < m.n; i++)
		if (m.svc[i].pid > 0 && &m.svc[i] != s && m.svc[i].deps &&
		    list_has(m.svc[i].deps, s->name))
			return 1;
	return 0;
}

static void
term(struct svc *s)
{
	s->killat = mono_ms() + (STOP_TIMEOUT + SHUTDOWN_GRACE) * 1000LL;
	kill(s->pid, SIGTERM);   /* runsyssv stops the service, exits */
}

/*
 * Stop, in parallel, every service that no running service waited for
 * (dependents first).  When none qualifies although some run, the rest
 * form a cycle: stop them all.
 */
static void
stop_next(void)
{
	size_t i, running = 0, termed = 0;

	for (i = 0; i < m.n; i++) {
		if (m.svc[i].pid <= 0)
			continue;
		running++;
		if (m.svc[i].killat)
			termed++;
		else if (!needed(&m.svc[i])) {
			term(&m.svc[i]);
			termed++;
		}
	}
	for (i = 0; running && !termed && i < m.n; i++)
		if (m.svc[i].pid > 0)
			term(&m.svc[i]);
}

static void
shutdown(void)
{
	struct status st;
	size_t i;

	if (m.stopping)
		return;
	m.stopping = 1;
	warnf("stopping every service");
	for (i = 0; i < m.n; i++) {
		m.svc[i].retry = 0;
		if (m.svc[i].pid > 0 &&
		    status_of(&m.paths, m.svc[i].name, &st) > 0 && st.deps[0])
			m.svc[i].deps = strdup(st.deps);
	}
	stop_next();
}

/* at shutdown: runsyssv we cannot wait for, the next ones, SIGKILL */
static void
shutdown_check(void)
{
	long long now = mono_ms();
	size_t i, left = 0;
	int dfd;

	for (i = 0; i < m.n; i++) {
		struct svc *s = &m.svc[i];

		if (s->pid <= 0)
			continue;
		if (!s->child && s->pidfd < 0 &&
		    (dfd = svc_open(&m.paths, s->name, 0)) >= 0) {
			if (lock_holder(dfd, "lock") != s->pid)
				s->pid = 0;
			close(dfd);
		}
		if (s->pid > 0 && s->killat && now >= s->killat) {
			say(s->name, "runsyssv did not exit, sending SIGKILL");
			kill(s->pid, SIGKILL);
			if (!s->child)
				s->pid = 0;
		}
		left += s->pid > 0;
	}
	if (!left)
		exit(0);
	stop_next();
}

static void
on_signal(void)
{
	int sig;

	while ((sig = sig_next(m.sigfd)) > 0) {
		if (sig == SIGCHLD)
			reap();
		else if (sig == SIGHUP && !m.stopping)
			rescan();
		else if (sig == SIGTERM || sig == SIGINT)
			shutdown();
	}
}

static void
on_timer(void)
{
	long long now = mono_ms();
	size_t i;

	for (i = 0; i < m.n && !m.stopping; i++)
		if (m.svc[i].retry && now >= m.svc[i].retry) {
			m.svc[i].retry = 0;
			ensure(&m.svc[i]);
		}
	if (!m.stopping && m.rescan && now >= m.rescan) {
		check_unwatched();
		rescan();
	}
}

static long long
deadline(void)
{
	long long d = -1, t;
	size_t i;

	for (i = 0; i < m.n; i++) {
		if (m.stopping && m.svc[i].pid <= 0)
			continue;
		t = m.stopping ? m.svc[i].killat : m.svc[i].retry;
		if (m.stopping && m.svc[i].pid > 0 && !m.svc[i].child &&
		    m.svc[i].pidfd < 0)
			t = mono_ms() + POLL_MS;
		if (t && (d < 0 || t < d))
			d = t;
	}
	if (!m.stopping && m.rescan && (d < 0 || m.rescan < d))
		d = m.rescan;
	return d;
}

static void
setup(void)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	static const int ign[] = { SIGPIPE };
	pid_t holder;
	int dfd;

	if (std_fds() < 0)
		die(EXIT_SYSTEM, "/dev/null:");
	umask(SERVICE_UMASK);
	if (paths_init(&m.paths) < 0)
		exit(EXIT_SYSTEM);
	if (setenv("SYSDIR", m.paths.sysdir, 1) < 0 ||
	    setenv("RUNDIR", m.paths.rundir, 1) < 0)
		die(EXIT_SYSTEM, "setenv:");
	if (mkdir(m.paths.rundir, 0755) < 0 && errno != EEXIST)
		die(EXIT_SYSTEM, "cannot create %s:", m.paths.rundir);
	if ((dfd = open(m.paths.rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(EXIT_SYSTEM, "%s:", m.paths.rundir);
	if ((m.lockfd = lock_take(dfd, ".sysmgr.lock")) < 0) {
		if (errno != EAGAIN)
			die(EXIT_SYSTEM, "cannot lock %s/.sysmgr.lock:",
			    m.paths.rundir);
		holder = lock_holder(dfd, ".sysmgr.lock");
		die(EXIT_FAIL, "already running for %s (pid %ld)",
		    m.paths.rundir, (long)holder);
	}
	close(dfd);
	find_runsyssv();
	if ((m.sigfd = sig_pipe(sigs, LEN(sigs))) < 0 ||
	    sig_ignore(ign, LEN(ign)) < 0)
		die(EXIT_SYSTEM, "signals:");
	sig_prepare();
	if (chdir(m.paths.sysdir) < 0)
		die(EXIT_SYSTEM, "%s:", m.paths.sysdir);
	m.watchfd = os_watch(m.paths.sysdir);
	if (m.watchfd < 0 && errno != ENOSYS)
		warnf("cannot watch %s, scanning every %d s instead:",
		    m.paths.sysdir, SCAN_INTERVAL);
	rescan();
	stop_orphans();
}

static void
loop(void)
{
	int again;
	size_t i;

	for (;;) {
		if (m.stopping)
			shutdown_check();
		m.pfd[0].fd = m.sigfd;
		m.pfd[1].fd = m.stopping ? -1 : m.watchfd;
		for (i = 0; i < m.n; i++)
			m.pfd[i + 2].fd = m.svc[i].pidfd;
		for (i = 0; i < m.n + 2; i++)
			m.pfd[i].events = POLLIN;
		if (poll(m.pfd, m.n + 2, timeout_until(deadline())) < 0) {
			if (errno != EINTR)
				die(EXIT_SYSTEM, "poll:");
			continue;
		}
		if (m.pfd[0].revents)
			on_signal();
		if (m.pfd[1].revents && !m.stopping) {
			again = 0;
			if (os_watch_read(m.watchfd, on_change, &again) < 0)
				warnf("inotify:");
			if (again)
				rescan();
		}
		for (i = 0; i < m.n; i++)
			if (m.svc[i].pidfd >= 0 && m.pfd[i + 2].fd ==
			    m.svc[i].pidfd && m.pfd[i + 2].revents)
				gone(&m.svc[i], 0, 0);
		on_timer();
	}
}

int
main(int argc, char *argv[])
{
	setprogname("sysmgr");
	if (abs_path(m.argv0, sizeof(m.argv0), argv[0]) < 0)
		m.argv0[0] = '\0';
	if (argc > 1)
		usage();
	if (!(m.svc = malloc(sizeof(*m.svc))) ||
	    !(m.pfd = malloc(2 * sizeof(*m.pfd))))
		die(EXIT_SYSTEM, "malloc:");
	setup();
	loop();
	return 0;
}
