/* See LICENSE file for copyright and license details. */
/*
 * fleet [-e] DIR: the least a supervisor of many services can do, the
 * floors of measure 5.  One process forks and execs every executable file
 * of DIR (names not starting with '.'), in the order readdir(3) gives, and
 * restarts none; at SIGTERM it sends each a SIGTERM, waits for them all
 * and exits 0.  -e: a process of its own for each service between them,
 * as in a design with a supervisor a service (forked, not exec'd: the
 * least such a supervisor can cost), which forks and execs the service,
 * waits for it and passes it a SIGTERM.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t term;
static int each;

static void
on_term(int sig)
{
	(void)sig;
	term = 1;
}

/* -e: the supervisor of the service argv, forked */
static NORETURN void
supervise(char *argv[])
{
	sigset_t set;
	pid_t pid = spawn(argv, NULL, 0);
	int sig;

	/* a name of its own, for bench/procs to tell it from the scanner */
	if (prctl(PR_SET_NAME, "fleet-sv", 0, 0, 0) < 0)
		die(111, "prctl:");
	/* SIGCHLD is discarded unless blocked: blocked, then waitpid() */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die(111, "sigprocmask:");
	for (;;) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			_exit(0);
		if (term) {
			kill(pid, SIGTERM);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if ((sig = sigwaitinfo(&set, NULL)) == SIGTERM)
			term = 1;
		else if (sig < 0 && errno != EINTR)
			die(111, "sigwaitinfo:");
	}
}

/* every service of dir started: their pids into *pids, their count */
static size_t
start_all(const char *dir, pid_t **pids)
{
	char path[4096], *argv[2];
	struct dirent *e;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *d;

	if (!(d = opendir(dir)))
		die(111, "%s:", dir);
	while ((errno = 0, e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			die(2, "%s/%s: name too long", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    !(st.st_mode & 0111))
			continue;
		if (n == cap && !(*pids = realloc(*pids, (cap = cap ? cap * 2 :
		    256) * sizeof(**pids))))
			die(111, "realloc:");
		argv[0] = path;
		argv[1] = NULL;
		if (!each)
			(*pids)[n++] = spawn(argv, NULL, 0);
		else if (((*pids)[n++] = fork()) == 0)
			supervise(argv);
		else if ((*pids)[n - 1] < 0)
			die(111, "fork:");
	}
	if (errno)
		die(111, "%s:", dir);
	closedir(d);
	return n;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t block, none;
	pid_t *pids = NULL;
	size_t n, i;

	setprog("fleet");
	if (argc == 3 && !strcmp(argv[1], "-e")) {
		each = 1;
		argv++;
		argc--;
	}
	if (argc != 2)
		die(2, "usage: fleet [-e] DIR");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die(111, "sigaction:");
	/* the services start with nothing blocked; then SIGTERM waits for
	 * sigsuspend() */
	n = start_all(argv[1], &pids);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigemptyset(&none);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0)
		die(111, "sigprocmask:");
	while (!term)
		sigsuspend(&none);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	if (errno != ECHILD)
		die(111, "wait:");
	free(pids);
	return 0;
}
