/* See LICENSE file for copyright and license details. */
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../config.h"
#include "../os.h"
#include "../util.h"
#include "devmaster.h"

/* a variable of the event, or one devmaster sets itself */
static int
overridden(const struct uevent *ev, const char *var)
{
	const char *eq = strchr(var, '=');
	size_t i, klen = eq ? (size_t)(eq - var) : strlen(var);

	if ((klen == 4 && !memcmp(var, "MDEV", 4)) ||
	    (klen == 7 && !memcmp(var, "MATCH_", 6) && var[6] >= '0' && var[6] <= '9'))
		return 1;
	for (i = 0; i < ev->nvar; i++)
		if (!strncmp(ev->var[i], var, klen) && ev->var[i][klen] == '=')
			return 1;
	return 0;
}

/* the environment of a command in d->cmdenv, its own strings in d->envbuf */
static void
make_env(struct devmaster *d, const struct uevent *ev, const struct match *m,
         const char *mdev)
{
	char **e = d->cmdenv;
	size_t i, k;

	for (i = 0; i < ev->nvar; i++)
		*e++ = (char *)ev->var[i];
	if (fmt(d->envbuf[0], sizeof(d->envbuf[0]), "MDEV=%s", mdev) >= 0)
		*e++ = d->envbuf[0];
	for (k = 0; m && k < RULE_GROUPS; k++)
		if (m->g[k].rm_so >= 0 &&
		    fmt(d->envbuf[k + 1], sizeof(d->envbuf[0]), "MATCH_%u=%.*s",
		        (unsigned)k, (int)(m->g[k].rm_eo - m->g[k].rm_so),
		        m->subj + m->g[k].rm_so) >= 0)
			*e++ = d->envbuf[k + 1];
	for (i = 0; i < d->nenv; i++)
		if (!overridden(ev, d->env[i]))
			*e++ = d->env[i];
	*e = NULL;
}

/* wait for pid within the time limit, else kill its group: 0 if it ended,
 * -1 when it was killed at the time limit, -2 when devmaster stops */
static int
wait_cmd(struct devmaster *d, pid_t pid, int *st)
{
	struct pollfd p;
	long long deadline = mono_ms() + d->timeout_ms;
	pid_t r;
	int n = 1;

	p.fd = d->sigfd;
	p.events = POLLIN;
	while (!d->quit && n != 0) {
		if ((r = waitpid(pid, st, WNOHANG)) == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return 0;
		n = poll(&p, 1, timeout_until(deadline));
		if (n > 0)
			dm_signals(d);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, st, 0) < 0 && errno == EINTR)
		;
	return d->quit ? -2 : -1;
}

/* sh -c cmd in a process group of its own, in DEVDIR, with stdin at its
 * end whatever devmaster reads */
static pid_t
spawn_cmd(struct devmaster *d, const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct spawn sp;
	int p[2], e;
	pid_t pid;

	if (os_pipe(p) < 0) {
		warnf("pipe:");
		return -1;
	}
	close(p[1]);
	os_spawn_init(&sp, DEVMASTER_SHELL, argv);
	sp.envp = d->cmdenv;
	sp.dir = d->node.devdir;
	sp.leader = SPAWN_GROUP;
	sp.fd[0] = p[0];
	pid = os_spawn(&sp);
	close(p[0]);
	if (pid < 0) {
		warnf("fork:");
		return -1;
	}
	if ((e = os_spawn_result(&sp))) {
		errno = e;
		warnf("cannot run %s in %s:", DEVMASTER_SHELL, d->node.devdir);
		/* it exits at once: the wait below reaps it */
	}
	return pid;
}

void
command_run(struct devmaster *d, const char *cmd, const struct uevent *ev,
            const struct match *m, const char *mdev)
{
	pid_t pid;
	int st = 0, r;

	if (d->node.dryrun) {
		printf("run %s\n", cmd);
		return;
	}
	make_env(d, ev, m, mdev);
	if ((pid = spawn_cmd(d, cmd)) < 0)
		return;
	if ((r = wait_cmd(d, pid, &st)) == -2)
		warnf("%s: command killed, devmaster is stopping: %s", mdev, cmd);
	else if (r < 0)
		warnf("%s: command killed after %lld ms: %s", mdev,
		      d->timeout_ms, cmd);
	else if (WIFSIGNALED(st))
		warnf("%s: command killed by SIG%s: %s", mdev,
		      sig_name(WTERMSIG(st)) ? sig_name(WTERMSIG(st)) : "?", cmd);
}
