/* See LICENSE file for copyright and license details. */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../config.h"
#include "../os.h"
#include "../util.h"
#include "rules.h"
#include "uevent.h"
#include "command.h"

enum { KILL_LATE = 1, KILL_STOP };

int
command_setup(struct command *c, char **env)
{
	size_t n = 0;

	while (env[n])
		n++;
	c->env = env;
	c->nenv = n;
	/* the event's variables, MDEV, MATCH_0..9, env, NULL */
	c->envp = calloc(UEVENT_VARS_MAX + 1 + RULE_GROUPS + n + 1,
	                 sizeof(*c->envp));
	return c->envp ? 0 : -1;
}

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

/* the environment of the command in c->envp, its own strings in c->envbuf */
static void
make_env(struct command *c, const struct uevent *ev, const struct match *m)
{
	char **e = c->envp;
	size_t i, k;

	for (i = 0; i < ev->nvar; i++)
		*e++ = (char *)ev->var[i];
	if (fmt(c->envbuf[0], sizeof(c->envbuf[0]), "MDEV=%s", c->mdev) >= 0)
		*e++ = c->envbuf[0];
	for (k = 0; m && k < RULE_GROUPS; k++)
		if (m->g[k].rm_so >= 0 &&
		    fmt(c->envbuf[k + 1], sizeof(c->envbuf[0]), "MATCH_%u=%.*s",
		        (unsigned)k, (int)(m->g[k].rm_eo - m->g[k].rm_so),
		        m->subj + m->g[k].rm_so) >= 0)
			*e++ = c->envbuf[k + 1];
	for (i = 0; i < c->nenv; i++)
		if (!overridden(ev, c->env[i]))
			*e++ = c->env[i];
	*e = NULL;
}

/* sh -c text in a process group of its own, in DEVDIR, with stdin at its
 * end whatever devmaster reads */
static pid_t
spawn(struct command *c)
{
	char *argv[] = { "sh", "-c", c->text, NULL };
	struct spawn sp;
	int p[2], e;
	pid_t pid;

	if (os_pipe(p) < 0) {
		warnf("pipe:");
		return -1;
	}
	close(p[1]);
	os_spawn_init(&sp, DEVMASTER_SHELL, argv);
	sp.envp = c->envp;
	sp.dir = c->dir;
	sp.leader = SPAWN_GROUP;
	sp.fd[0] = p[0];
	pid = os_spawn(&sp);
	close(p[0]);
	if (pid < 0) {
		warnf("cannot start %s:", DEVMASTER_SHELL);
		return -1;
	}
	if ((e = os_spawn_result(&sp))) {
		errno = e;
		warnf("cannot run %s in %s:", DEVMASTER_SHELL, c->dir);
		/* it exits at once: command_wait() reaps it */
	}
	return pid;
}

int
command_start(struct command *c, const char *cmd, const struct uevent *ev,
              const struct match *m, const char *mdev)
{
	if (c->dryrun) {
		printf("run %s\n", cmd);
		return 0;
	}
	if (c->stop || fmt(c->text, sizeof(c->text), "%s", cmd) < 0 ||
	    fmt(c->mdev, sizeof(c->mdev), "%s", mdev) < 0)
		return 0;
	make_env(c, ev, m);
	if ((c->pid = spawn(c)) < 0) {
		c->pid = 0;
		return 0;
	}
	c->deadline = mono_ms() + c->timeout_ms;
	c->killed = 0;
	return 1;
}

/* how it ended, when that is worth a line */
static void
report(const struct command *c, int st)
{
	const char *name;

	if (c->killed == KILL_STOP)
		warnf("%s: command killed, devmaster is stopping: %s", c->mdev,
		      c->text);
	else if (c->killed == KILL_LATE)
		warnf("%s: command killed after %lld ms: %s", c->mdev,
		      c->timeout_ms, c->text);
	else if (WIFSIGNALED(st)) {
		name = sig_name(WTERMSIG(st));
		warnf("%s: command killed by SIG%s: %s", c->mdev, name ? name : "?",
		      c->text);
	}
}

int
command_wait(struct command *c)
{
	pid_t r;
	int st = 0;

	if ((r = waitpid(c->pid, &st, WNOHANG)) == 0) {
		if (!c->killed && (c->stop || mono_ms() >= c->deadline)) {
			c->killed = c->stop ? KILL_STOP : KILL_LATE;
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
		}
		return 0;
	}
	if (r < 0 && errno == EINTR)
		return 0;
	report(c, r == c->pid ? st : 0);   /* not our child (ECHILD): gone */
	c->pid = 0;
	return 1;
}

int
command_timeout(const struct command *c)
{
	return c->pid && !c->killed ? timeout_until(c->deadline) : -1;
}
