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
#include "log.h"
#include "os.h"
#include "rundir.h"
#include "util.h"

#define POLL_MS   100    /* checks of runsyssv we cannot wait for, at shutdown */
#define FD_SPARE  64     /* fds kept free of pidfds */

struct svc {
	char name[NAME_MAX + 1];
	pid_t pid;            /* its runsyssv, 0 when none */
	int pidfd;            /* of an adopted runsyssv, else -1 */
	int child;            /* pid is our child */
	int valid;            /* the entry is a service */
	int warned;           /* that it is not was said */
	int mark;             /* seen by the scan under way */
	long long spawned;    /* mono_ms of the start of runsyssv */
	long long retry;      /* mono_ms of the next attempt, 0 for none */
	int delay;            /* seconds to the next attempt after that */
	long slot;            /* its slot of the status table, -1: none */
	/* at shutdown; a cycle (services that waited for one another) is
	 * one service, whose counts are its root's (one of its members) */
	char *deps;           /* what it waited for */
	size_t e0, ne;        /* those of them that are services: m.edge[e0..] */
	unsigned long stop;   /* its stop-timeout */
	size_t root;          /* the root of its cycle: itself when in none */
	size_t next;          /* the next member of its cycle, root after last */
	size_t needers;       /* of a root: running services outside the
	                       * cycle that waited for one of its members */
	size_t left;          /* of a root: members whose runsyssv runs */
	int counted;          /* it ran when the shutdown began */
	int released;         /* its runsyssv is gone */
	long long killat;     /* mono_ms to SIGKILL runsyssv */
	int killed;           /* SIGKILL sent: waited for */
	long long chain;      /* of a root: longest stop from it down, ms */
	size_t idx, low;      /* Tarjan's numbers (0: not visited yet) */
	size_t epos;          /* the next of its edges to walk */
	int onstack;
};

static struct {
	struct paths paths;
	char runsyssv[PATH_MAX];
	char argv0[PATH_MAX];     /* absolute */
	int force;                /* -f: another sysmgr may have SYSDIR */
	struct svc *svc;
	size_t n, cap;
	size_t *edge;             /* at shutdown: the deps, as indexes */
	size_t *roots, nroots;    /* the cycles' roots, each after those
	                           * its members waited for */
	struct pollfd *pfd;       /* signals, watch, then pidfds */
	size_t *pidx;             /* the svc of each pidfd in pfd */
	long fdmax;               /* open files we may have */
	long pidfds;              /* open now */
	int sigfd, lockfd, syslock, sysfd, rundirfd;
	struct logw log;          /* LOGDIR/sysmgr */
	int logr, logkeep;        /* RUNDIR/.log: the lines of every runsyssv */
	struct watch watch;
	int absent;               /* SYSDIR is gone: said, and waited for */
	int again;                /* its watch, open or scan failed (not as
	                           * gone): tried again in a while */
	int said;                 /* that failure said, once until all works */
	int stopping;
	long long rescan;         /* next periodic scan, 0 for none */
	int table;                /* RUNDIR/.status, -1: none */
	struct table found;       /* its slots at our start: the adopted */
	unsigned char *slots;     /* slots given, 1 each */
	size_t nslots;
} m;

#define SYNOPSIS "sysmgr [-f]\n" \
	"environment: SYSDIR (" SYSDIR "), RUNDIR (" RUNDIR "), LOGDIR (" \
	LOGDIR ")"

static void
usage(void)
{
	usage_exit(SYNOPSIS);
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
		if (!(p = realloc(m.pfd, (cap + 3) * sizeof(*m.pfd))))
			return NULL;
		m.pfd = p;
		if (!(p = realloc(m.pidx, (cap + 3) * sizeof(*m.pidx))))
			return NULL;
		m.pidx = p;
		m.cap = cap;
	}
	s = &m.svc[m.n++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, strlen(name) + 1);
	s->pidfd = -1;
	s->slot = -1;
	return s;
}

static void
drop_pidfd(struct svc *s)
{
	if (s->pidfd < 0)
		return;
	close(s->pidfd);
	s->pidfd = -1;
	m.pidfds--;
}

static void
del(struct svc *s)
{
	if (s->slot >= 0 && (size_t)s->slot < m.nslots)
		m.slots[s->slot] = 0;
	drop_pidfd(s);
	free(s->deps);
	*s = m.svc[--m.n];
}

/* a runsyssv that is neither our child nor watched by a pidfd: scanned */
static int
unwatched(const struct svc *s)
{
	return s->pid > 0 && !s->child && s->pidfd < 0;
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

/* s's slot in the status table: the one its adopted runsyssv writes, or
 * the first free; -1 without a table (or memory) */
static long
slot_for(struct svc *s, long want)
{
	size_t i = 0, cap;
	void *p;

	if (m.table < 0 || s->slot >= 0)
		return s->slot;
	if (want >= 0 && ((size_t)want >= m.nslots || !m.slots[want]))
		i = (size_t)want;
	else
		while (i < m.nslots && m.slots[i])
			i++;
	if (i > SLOT_MAX)
		return -1;
	if (i >= m.nslots) {
		cap = m.nslots ? m.nslots * 2 : 256;
		while (cap <= i)
			cap *= 2;
		if (!(p = realloc(m.slots, cap)))
			return -1;
		m.slots = p;
		memset(m.slots + m.nslots, 0, cap - m.nslots);
		m.nslots = cap;
	}
	m.slots[i] = 1;
	return s->slot = (long)i;
}

/* a runsyssv, not waited for: a failed exec is said by the child, and
 * its exit 127 seen by gone() */
static void
spawn(struct svc *s)
{
	char script[PATH_MAX], slot[24];
	char *argv[] = { "runsyssv", "--", script, NULL, NULL, NULL };
	struct spawn sp;
	pid_t pid;

	if (!m.runsyssv[0])
		find_runsyssv();
	if (!m.runsyssv[0]) {
		errno = ENOENT;
		say(s->name, "cannot run runsyssv, retrying in %d s:",
		    retry_later(s));
		return;
	}
	if (slot_for(s, -1) >= 0 && fmt(slot, sizeof(slot), "%ld", s->slot) >= 0) {
		argv[1] = "-s";
		argv[2] = slot;
		argv[3] = "--";
		argv[4] = script;
	}
	os_spawn_init(&sp, m.runsyssv, argv);
	sp.leader = SPAWN_SESSION;
	sp.async = 1;
	if (path_join(script, sizeof(script), m.paths.sysdir, s->name) < 0 ||
	    (pid = os_spawn(&sp)) < 0) {
		say(s->name, "cannot start runsyssv, retrying in %d s:",
		    retry_later(s));
		return;
	}
	s->pid = pid;
	s->child = 1;
	s->spawned = mono_ms();
}

/*
 * The runsyssv that holds the lock of s, or 0; with pidfd, a pidfd of it
 * (or -1: none, or no fd to spare), taken while it still held the lock.
 */
static pid_t
holder(const struct svc *s, int *pidfd)
{
	pid_t pid = 0, again;
	int dfd, fd = -1;

	if ((dfd = svc_open(&m.paths, s->name, 0)) < 0)
		return 0;
	pid = svc_holder(dfd);
	if (pid > 0 && pidfd) {
		if (m.pidfds + FD_SPARE < m.fdmax && (fd = os_pidfd(pid)) >= 0)
			m.pidfds++;
		again = svc_holder(dfd);
		if (again != pid && fd >= 0) {
			close(fd);
			m.pidfds--;
			fd = -1;
			pid = again;
		}
		*pidfd = fd;
	}
	close(dfd);
	return pid > 0 ? pid : 0;
}

/* without inotify, or with a runsyssv we cannot wait for: scan now and then */
static void
schedule_scan(void)
{
	/* the watch of SYSDIR, or of its parent while it is gone, is enough */
	int watched = m.absent ? m.watch.pwd >= 0 : m.watch.wd >= 0;
	size_t i;

	m.rescan = 0;
	for (i = 0; i < m.n && watched; i++)
		if (unwatched(&m.svc[i]))
			break;
	if (!watched || m.again || i < m.n)
		m.rescan = mono_ms() + SCAN_INTERVAL * 1000LL;
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
	slot_for(s, table_slot(&m.found, s->name));
	say(s->name, "adopted runsyssv (pid %ld)", (long)pid);
	if (unwatched(s) && !m.rescan)
		schedule_scan();
}

static void
check(const char *name)
{
	char buf[NAME_MAX + 1];
	struct svc *s = find(name);
	struct stat st;
	const char *why;

	if (s)
		s->mark = 1;
	if (service_check(m.paths.sysdir, name, &why) == 0) {
		if (!s && !(s = add(name))) {
			say(name, "out of memory");
			return;
		}
		s->mark = s->valid = 1;
		s->warned = 0;
		ensure(s);
		return;
	}
	/* an invalid name rules an entry out before it is looked at: gone,
	 * it is forgotten as any other */
	if (strcmp(why, "no such service") && m.sysfd >= 0 &&
	    fstatat(m.sysfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT)
		why = "no such service";
	/* temporary names are not even worth a word */
	if (strcmp(why, "no such service") && !name_temporary(name) &&
	    (!s || !s->warned)) {
		say(printable(buf, sizeof(buf), name), "not a service: %s", why);
		if (!s && (s = add(name)))
			s->mark = 1;
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

	if (flags & (WATCH_RESCAN | WATCH_SELF)) {
		*(int *)ctx |= flags;
		return;
	}
	if (name[0] == '.' || m.absent)
		return;
	/* a regular file just created is maybe still being written: its
	 * close (IN_CLOSE_WRITE) or chmod comes next.  A hard link is whole,
	 * even when its other name went since (nlink 1 again): no one has
	 * it open for writing, then */
	if ((flags & WATCH_NEW) && fstatat(m.sysfd, name, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1 && os_writers(m.sysfd, name) != 0)
		return;
	check(name);
}

/* SYSDIR could not be watched (then scanned), opened or read, for another
 * reason than its absence (errno): said once until all works again, and
 * tried again every SCAN_INTERVAL */
static void
sysdir_trouble(const char *what, int scanning)
{
	if (!m.said)
		warnf("cannot %s %s, %s every %d s%s:", what, m.paths.sysdir,
		    scanning ? "scanning" : "trying again", SCAN_INTERVAL,
		    scanning ? " instead" : "");
	m.again = m.said = 1;
}

/* mark every entry of SYSDIR, sweep the services that are not */
static void
rescan(void)
{
	char **names;
	int n, i;
	size_t j;

	n = service_list(m.paths.sysdir, &names);
	if (n < 0) {
		sysdir_trouble("read", 0);
		schedule_scan();
		return;
	}
	for (j = 0; j < m.n; j++)
		m.svc[j].mark = 0;
	for (i = 0; i < n; i++)
		check(names[i]);
	service_list_free(names);
	/* from the end: del() moves the last entry into the place of one */
	for (j = m.n; j-- > 0;)
		if (!m.svc[j].mark && (m.svc[j].valid || m.svc[j].warned))
			check(m.svc[j].name);
	schedule_scan();
}

/* SYSDIR itself: (again) our working directory, watched and scanned; or
 * gone, when the services are left as they are until it is back.  What
 * fails otherwise (no fd left, say) is said once and tried again */
static void
attach(void)
{
	int fd, e;

	m.again = 0;
	os_unwatch(&m.watch);
	if (os_watch(&m.watch, m.paths.sysdir) < 0 && errno != ENOSYS)
		sysdir_trouble("watch", 1);
	fd = open(m.paths.sysdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && fchdir(fd) < 0) {
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	if (fd < 0 && errno != ENOENT && errno != ENOTDIR) {
		sysdir_trouble("open", 0);
		schedule_scan();
		return;
	}
	if (fd < 0) {
		if (!m.absent)
			warnf("%s is gone, %s", m.paths.sysdir, m.watch.pwd >= 0 ?
			    "waiting for it" : "looking for it now and then");
		m.absent = 1;
		schedule_scan();
		return;
	}
	if (m.sysfd >= 0)
		close(m.sysfd);
	m.sysfd = fd;
	if (m.absent)
		warnf("%s is back", m.paths.sysdir);
	m.absent = 0;
	rescan();
	if (!m.again)
		m.said = 0;
}

static void release(struct svc *s);

static void
gone(struct svc *s, int ws, int known)
{
	char buf[32];
	long long ran = mono_ms() - s->spawned;

	drop_pidfd(s);
	s->pid = 0;
	if (m.stopping) {
		release(s);
		return;
	}
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
	/* 127: it could not be executed (it said why): look for it again */
	if (known && WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
		find_runsyssv();
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

/* runsyssv we cannot wait for: still holding their lock? */
static void
check_unwatched(void)
{
	size_t i;

	for (i = m.n; i-- > 0;)
		if (unwatched(&m.svc[i]) && holder(&m.svc[i], NULL) != m.svc[i].pid)
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
	service_list_free(names);
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

/*
 * Shutdown: stop every service after those that waited for it.
 */

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct svc *)a)->name, ((const struct svc *)b)->name);
}

static struct svc *
lookup(const char *name)
{
	struct svc key;

	memset(&key, 0, sizeof(key));
	if (fmt(key.name, sizeof(key.name), "%s", name) < 0)
		return NULL;
	return bsearch(&key, m.svc, m.n, sizeof(*m.svc), by_name);
}

/* add d to the needers of each cycle (or service) s waited for, but its
 * own */
static void
need(struct svc *s, int d)
{
	size_t i, r;

	for (i = 0; i < s->ne; i++)
		if ((r = m.svc[m.edge[s->e0 + i]].root) != s->root)
			m.svc[r].needers += (size_t)d;
}

/* s is down; once every member of its cycle is, what they waited for may
 * stop */
static void
release(struct svc *s)
{
	struct svc *r = &m.svc[s->root], *u;

	if (s->released)
		return;
	s->released = 1;
	if (!s->counted || --r->left > 0)
		return;
	u = r;
	do {
		if (u->counted)
			need(u, -1);
		u = &m.svc[u->next];
	} while (u != r);
}

static long long
stop_ms(const struct svc *s)
{
	return (long long)(s->stop + SHUTDOWN_GRACE) * 1000;
}

static void
term(struct svc *s)
{
	s->killat = mono_ms() + stop_ms(s);
	kill(s->pid, SIGTERM);   /* runsyssv stops the service, exits */
}

/*
 * Stop, in parallel, every service that no running service outside its
 * cycle waited for (dependents first; a cycle's members together).  When
 * none qualifies although some run (the order could not be made), stop
 * them all.
 */
static void
stop_next(void)
{
	size_t i, running = 0, termed = 0;

	for (i = 0; i < m.n; i++) {
		if (m.svc[i].pid <= 0)
			continue;
		running++;
		if (m.svc[i].killat || m.svc[i].killed)
			termed++;
		else if (!m.svc[m.svc[i].root].needers) {
			term(&m.svc[i]);
			termed++;
		}
	}
	for (i = 0; running && !termed && i < m.n; i++)
		if (m.svc[i].pid > 0)
			term(&m.svc[i]);
}

/* the deps of every service as indexes of m.svc (sorted), into m.edge */
static int
edges(void)
{
	char buf[NAMELIST], *tok, *save;
	struct svc *t;
	size_t i, k, n = 0;

	for (k = 0; k < 2; k++) {
		for (i = n = 0; i < m.n; i++) {
			m.svc[i].e0 = n;
			m.svc[i].ne = 0;
			if (!m.svc[i].deps ||
			    fmt(buf, sizeof(buf), "%s", m.svc[i].deps) < 0)
				continue;
			for (tok = strtok_r(buf, " ", &save); tok;
			    tok = strtok_r(NULL, " ", &save))
				if ((t = lookup(tok)) && t != &m.svc[i]) {
					if (k)
						m.edge[n] = (size_t)(t - m.svc);
					n++;
					m.svc[i].ne++;
				}
		}
		if (!k && !(m.edge = malloc((n ? n : 1) * sizeof(*m.edge))))
			return -1;
	}
	return 0;
}

/* the end of Tarjan's walk from v: v is the root of a cycle (or alone),
 * whose members are above it on the stack */
static void
close_cycle(size_t v, size_t *stack, size_t *sp)
{
	size_t w, last = v;

	do {
		w = stack[--*sp];
		m.svc[w].onstack = 0;
		m.svc[w].root = v;
		if (w != v) {
			m.svc[last].next = w;
			last = w;
		}
	} while (w != v);
	m.svc[last].next = v;
	m.roots[m.nroots++] = v;
}

/*
 * The cycles: Tarjan's strongly connected components, without recursion
 * (one walk over every service and edge).  A cycle is emitted after every
 * cycle its members waited for, so m.roots is in the order to count the
 * shutdown's bound.
 */
static int
cycles(void)
{
	size_t *stack, *walk, sp = 0, wp, next = 1, i, v, w;

	m.nroots = 0;
	stack = malloc((m.n ? m.n : 1) * sizeof(*stack));
	walk = malloc((m.n ? m.n : 1) * sizeof(*walk));
	m.roots = malloc((m.n ? m.n : 1) * sizeof(*m.roots));
	if (!stack || !walk || !m.roots) {
		free(stack);
		free(walk);
		return -1;
	}
	for (i = 0; i < m.n; i++) {
		if (m.svc[i].idx)
			continue;
		wp = 0;
		walk[wp++] = i;
		m.svc[i].idx = m.svc[i].low = next++;
		m.svc[i].epos = 0;
		stack[sp++] = i;
		m.svc[i].onstack = 1;
		while (wp) {
			struct svc *s = &m.svc[v = walk[wp - 1]];

			if (s->epos < s->ne) {
				w = m.edge[s->e0 + s->epos++];
				if (!m.svc[w].idx) {
					m.svc[w].idx = m.svc[w].low = next++;
					m.svc[w].epos = 0;
					stack[sp++] = w;
					m.svc[w].onstack = 1;
					walk[wp++] = w;
				} else if (m.svc[w].onstack && m.svc[w].idx < s->low)
					s->low = m.svc[w].idx;
				continue;
			}
			if (s->low == s->idx)
				close_cycle(v, stack, &sp);
			if (--wp && s->low < m.svc[walk[wp - 1]].low)
				m.svc[walk[wp - 1]].low = s->low;
		}
	}
	free(stack);
	free(walk);
	return 0;
}

/* no order could be made (out of memory): every service alone, waited
 * for by none: all are stopped at once */
static void
no_order(void)
{
	size_t i;

	free(m.edge);
	free(m.roots);
	m.edge = m.roots = NULL;
	m.nroots = 0;
	for (i = 0; i < m.n; i++) {
		m.svc[i].root = m.svc[i].next = i;
		m.svc[i].ne = 0;
	}
	warnf("cannot order the shutdown: stopping every service at once:");
}

/* the longest stop of each running cycle, down what it waited for: the
 * roots in m.roots' order, each after those it waited for */
static long long
chains(void)
{
	long long worst = 0, own, below, c;
	size_t k, i, t;
	struct svc *r, *u;

	/* no order (no_order()): all at once */
	for (i = 0; !m.roots && i < m.n; i++)
		if (m.svc[i].pid > 0 && stop_ms(&m.svc[i]) > worst)
			worst = stop_ms(&m.svc[i]);
	for (k = 0; m.roots && k < m.nroots; k++) {
		r = &m.svc[m.roots[k]];
		own = below = 0;
		u = r;
		/* the deps of every member that ran: a cycle holds them
		 * until its last member is down */
		do {
			for (i = 0; u->counted && i < u->ne; i++) {
				t = m.svc[m.edge[u->e0 + i]].root;
				if (t != u->root && (c = m.svc[t].chain) > below)
					below = c;
			}
			if (u->pid > 0 && stop_ms(u) > own)
				own = stop_ms(u);
			u = &m.svc[u->next];
		} while (u != r);
		r->chain = own ? own + below : 0;
		if (r->chain > worst)
			worst = r->chain;
	}
	return worst;
}

/* RUNDIR/.sysmgr.stop: when, on the monotonic clock, we are done at the
 * latest, for init to wait that long */
static void
tell_bound(void)
{
	char buf[32];
	int n, fd;

	n = fmt(buf, sizeof(buf), "%lld\n", mono_ms() + chains() + POLL_MS);
	fd = openat(m.rundirfd, ".sysmgr.stop", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0644);
	if (n < 0 || fd < 0 || write_all(fd, buf, (size_t)n) < 0)
		warnf("cannot write %s/.sysmgr.stop:", m.paths.rundir);
	if (fd >= 0)
		close(fd);
}

static void
shutdown(void)
{
	struct status st;
	struct table t;
	size_t i;

	if (m.stopping)
		return;
	m.stopping = 1;
	warnf("stopping every service");
	qsort(m.svc, m.n, sizeof(*m.svc), by_name);
	/* the order comes from every status: the table's, where it vouches
	 * (a table that cannot be loaded is left empty) */
	memset(&t, 0, sizeof(t));
	if (m.table >= 0)
		(void)table_load(&m.paths, &t);
	for (i = 0; i < m.n; i++) {
		m.svc[i].retry = 0;
		m.svc[i].stop = STOP_TIMEOUT;
		if (m.svc[i].pid <= 0 || (table_status(&t, m.svc[i].name, &st) < 0 &&
		    svc_status_named(&m.paths, m.svc[i].name, &st) <= 0))
			continue;
		m.svc[i].stop = st.stoptimeout;
		if (st.deps[0])
			m.svc[i].deps = strdup(st.deps);
	}
	table_free(&t);
	if (edges() < 0 || cycles() < 0)
		no_order();
	for (i = 0; i < m.n; i++)
		if (m.svc[i].pid > 0) {
			m.svc[i].counted = 1;
			m.svc[m.svc[i].root].left++;
			need(&m.svc[i], 1);
		} else
			m.svc[i].released = 1;
	tell_bound();
	stop_next();
}

/* a runsyssv past its time: more when its service asked for more to stop
 * (EXTEND_TIMEOUT_USEC= grew the stoptimeout of its status since) */
static int
extended(struct svc *s)
{
	struct status st;

	if (svc_status_named(&m.paths, s->name, &st) <= 0 ||
	    st.stoptimeout <= s->stop)
		return 0;
	s->killat += (long long)(st.stoptimeout - s->stop) * 1000;
	s->stop = st.stoptimeout;
	tell_bound();          /* init waits that much longer too */
	return 1;
}

/* the service of a runsyssv that would not exit is killed with it */
static void
kill_service(const struct svc *s)
{
	struct procinfo pi;
	struct status st;

	if (svc_status_named(&m.paths, s->name, &st) < 0 || st.pid <= 1 ||
	    os_procinfo(st.pid, &pi) < 0 || pi.starttime != st.starttime)
		return;
	kill(pi.pgrp == st.pid ? -st.pid : st.pid, SIGKILL);
}

/* the lines of runsyssv: into our log, and on stderr */
static void
drain(void)
{
	if (m.logr >= 0)
		log_drain(&m.log, m.logr, 0);
}

/* our own lines: into our log, and stderr has them too */
static int
own_line(const char *line, size_t n)
{
	if (m.log.spill >= 0)
		log_line(&m.log, line, n - 1);
	return -1;
}

/* LOGDIR/sysmgr, fed by RUNDIR/.log, which every runsyssv writes into
 * (a writer of ours keeps it from polling a hang-up) */
static void
open_log(void)
{
	m.logr = m.logkeep = m.log.spill = -1;
	if (log_open(&m.log, m.rundirfd, RD_MGRSPILL, m.paths.logdir,
	    RD_OWNLOG) < 0 ||
	    (m.logr = fifo_open(m.rundirfd, RD_MGRLOG, O_RDONLY | O_NONBLOCK)) < 0 ||
	    (m.logkeep = fifo_open(m.rundirfd, RD_MGRLOG, O_WRONLY | O_NONBLOCK)) < 0) {
		warnf("cannot open our log in %s:", m.paths.rundir);
		return;
	}
	os_pipe_size(m.logr, LOG_PIPE);
	m.log.echo = 2;
	m.log.echo_tty = isatty(2);
	/* what a killed sysmgr had taken and not written */
	log_drain(&m.log, -1, 0);
	set_sink(own_line);
}

/* at shutdown: runsyssv we cannot wait for, the next ones, SIGKILL */
static void
shutdown_check(void)
{
	long long now = mono_ms();
	size_t i, left = 0;

	for (i = 0; i < m.n; i++) {
		struct svc *s = &m.svc[i];

		if (unwatched(s) && holder(s, NULL) != s->pid) {
			s->pid = 0;
			release(s);
		}
		if (s->pid > 0 && s->killat && now >= s->killat &&
		    !extended(s)) {
			say(s->name, "runsyssv did not exit, sending SIGKILL");
			kill_service(s);
			kill(s->pid, SIGKILL);
			s->killat = 0;
			s->killed = 1;       /* said, and sent: wait */
		}
		left += s->pid > 0;
	}
	if (!left) {
		drain();
		unlinkat(m.rundirfd, ".sysmgr.stop", 0);
		pid_write(m.rundirfd, 0);
		exit(0);
	}
	stop_next();
}

static void
on_signal(void)
{
	size_t i;
	int sig;

	while ((sig = sig_next(m.sigfd)) > 0) {
		if (sig == SIGCHLD)
			reap();
		else if (sig == SIGHUP && !m.stopping) {
			log_reopen(&m.log);
			attach();
			for (i = 0; i < m.n; i++)
				if (m.svc[i].pid > 0)
					kill(m.svc[i].pid, SIGHUP);
		} else if (sig == SIGTERM || sig == SIGINT)
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
		if (m.absent || m.again)
			attach();
		else
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
		if (m.stopping && unwatched(&m.svc[i]))
			t = mono_ms() + POLL_MS;
		if (t > 0 && (d < 0 || t < d))
			d = t;
	}
	if (!m.stopping && m.rescan && (d < 0 || m.rescan < d))
		d = m.rescan;
	return d;
}

/* the original sysmgr (0.1) of this RUNDIR, which RUNDIR/pid names and
 * holds no lock: killed alone, its runsyssv and services are taken over */
static void
replace_original(void)
{
	char buf[32], path[PATH_MAX], comm[32];
	unsigned long long pid;
	struct procinfo pi;

	if (fmt(path, sizeof(path), "%s/" RD_PID, m.paths.rundir) < 0 ||
	    read_file(path, buf, sizeof(buf)) <= 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
	/* a sysmgr of ours, of another RUNDIR, holds a lock */
	if (parse_ull(buf, 0x7fffffff, &pid) < 0 || pid <= 1 ||
	    (pid_t)pid == getpid() ||
	    fmt(path, sizeof(path), "/proc/%llu/comm", pid) < 0 ||
	    read_file(path, comm, sizeof(comm)) <= 0 ||
	    strcmp(comm, "sysmgr\n") || os_holds_lock((pid_t)pid) ||
	    os_procinfo((pid_t)pid, &pi) < 0 || pi.state == 'Z')
		return;     /* (a sysmgr of ours killed, not yet reaped) */
	warnf("stopping the sysmgr 0.1 of %s (pid %llu), not its services",
	    m.paths.rundir, pid);
	kill((pid_t)pid, SIGKILL);
}

/* RUNDIR, ours alone, and its lock; SYSDIR's lock, unless -f */
static void
take_dirs(void)
{
	int fd;
	pid_t pid;

	if ((m.rundirfd = rundir_open(&m.paths)) < 0)
		die(EXIT_SYSTEM, "%s:", m.paths.rundir);
	if ((m.lockfd = mgr_lock(m.rundirfd)) < 0) {
		if (errno != EAGAIN)
			die(EXIT_SYSTEM, "cannot lock %s/.sysmgr.lock:",
			    m.paths.rundir);
		pid = mgr_holder(m.rundirfd);
		die(EXIT_FAIL, "already running for %s (pid %ld)",
		    m.paths.rundir, (long)pid);
	}
	if ((fd = open(m.paths.sysdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(EXIT_SYSTEM, "%s:", m.paths.sysdir);
	/* a second sysmgr on SYSDIR, with another RUNDIR, would start
	 * every service a second time */
	if (!m.force && (m.syslock = mgr_lock(fd)) < 0) {
		if (errno == EAGAIN)
			die(EXIT_FAIL, "%s is supervised by another sysmgr (pid %ld),"
			    " with another RUNDIR; -f to run anyway",
			    m.paths.sysdir, (long)mgr_holder(fd));
		warnf("cannot lock %s/.sysmgr.lock, not checking for another"
		    " sysmgr of it:", m.paths.sysdir);
	}
	close(fd);
	/* RUNDIR/pid once we are the one to run: a refused sysmgr leaves
	 * none naming it */
	replace_original();
	if (pid_write(m.rundirfd, getpid()) < 0)
		warnf("cannot write %s/pid:", m.paths.rundir);
}

/* the status table, and the slots the runsyssv we may adopt write */
static void
open_table(void)
{
	if ((m.table = table_open(m.rundirfd, 1)) < 0)
		warnf("cannot use %s/%s, svctl status reads every status file:",
		    m.paths.rundir, RD_TABLE);
	else
		(void)table_read(m.table, &m.found);  /* empty when it fails */
}

static void
setup(void)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	static const int ign[] = { SIGPIPE };

	if (std_fds() < 0)
		die(EXIT_SYSTEM, "/dev/null:");
	/* caught from the start: a SIGTERM once RUNDIR/pid says who we are
	 * is a shutdown, not our death with every service left running */
	if ((m.sigfd = sig_pipe(sigs, LEN(sigs))) < 0 ||
	    sig_ignore(ign, LEN(ign)) < 0)
		die(EXIT_SYSTEM, "signals:");
	umask(SERVICE_UMASK);
	m.fdmax = os_fd_limit();
	m.sysfd = -1;
	m.watch.fd = m.watch.wd = m.watch.pwd = -1;
	if (paths_init(&m.paths) < 0)
		exit(EXIT_SYSTEM);
	if (setenv("SYSDIR", m.paths.sysdir, 1) < 0 ||
	    setenv("RUNDIR", m.paths.rundir, 1) < 0 ||
	    setenv("LOGDIR", m.paths.logdir, 1) < 0)
		die(EXIT_SYSTEM, "setenv:");
	take_dirs();
	open_log();
	find_runsyssv();
	sig_prepare();
	open_table();
	attach();
	table_free(&m.found);      /* the adopted have their slots */
	if (m.absent) {
		pid_write(m.rundirfd, 0);
		die(EXIT_SYSTEM, "%s:", m.paths.sysdir);
	}
	stop_orphans();
}

/* the pollfds: signals, the watch of SYSDIR, our log, a pidfd per
 * adopted runsyssv */
static nfds_t
pollfds(void)
{
	nfds_t n = 3;
	size_t i;

	m.pfd[0].fd = m.sigfd;
	m.pfd[1].fd = m.stopping ? -1 : m.watch.fd;
	m.pfd[2].fd = m.logr;
	for (i = 0; i < m.n; i++)
		if (m.svc[i].pidfd >= 0) {
			m.pidx[n] = i;
			m.pfd[n++].fd = m.svc[i].pidfd;
		}
	for (i = 0; i < n; i++)
		m.pfd[i].events = POLLIN;
	return n;
}

static void
loop(void)
{
	nfds_t i, n;
	int again;

	for (;;) {
		if (m.stopping)
			shutdown_check();
		n = pollfds();
		if (poll_until(m.pfd, n, deadline()) < 0)
			continue;
		if (m.pfd[0].revents)
			on_signal();
		/* the deaths before SYSDIR's changes: a script added in the
		 * same wake-up takes the slot of one whose runsyssv is gone;
		 * from the end: gone() may delete entries */
		for (i = n; i-- > 3;)
			if (m.pfd[i].revents && m.pidx[i] < m.n &&
			    m.svc[m.pidx[i]].pidfd == m.pfd[i].fd)
				gone(&m.svc[m.pidx[i]], 0, 0);
		if (m.pfd[1].revents && !m.stopping) {
			again = 0;
			if (os_watch_read(&m.watch, on_change, &again) < 0)
				warnf("inotify:");
			if (again & WATCH_SELF)
				attach();
			else if (again)
				rescan();
		}
		if (m.pfd[2].revents)
			drain();
		on_timer();
	}
}

int
main(int argc, char *argv[])
{
	int opt;

	/* the name we were started as, when absolute (where there is no
	 * /proc/self/exe), before prog_init() sets argv[0] */
	if (argc < 1 || argv[0][0] != '/' ||
	    fmt(m.argv0, sizeof(m.argv0), "%s", argv[0]) < 0)
		m.argv0[0] = '\0';
	prog_init("sysmgr", SYNOPSIS, argc, argv);
	while ((opt = getopt(argc, argv, "f")) != -1) {
		if (opt != 'f')
			usage();
		m.force = 1;
	}
	if (optind != argc)
		usage();
	if (!(m.svc = malloc(sizeof(*m.svc))) ||
	    !(m.pfd = malloc(3 * sizeof(*m.pfd))) ||
	    !(m.pidx = malloc(3 * sizeof(*m.pidx))))
		die(EXIT_SYSTEM, "malloc:");
	setup();
	loop();
	return 0;
}
