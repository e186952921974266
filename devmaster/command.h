/* See LICENSE file for copyright and license details. */
/*
 * The command of a rule: "sh -c COMMAND" in a process group of its own, in
 * DEVDIR, with the event's variables, MDEV and MATCH_0..MATCH_9 in its
 * environment.  command_start() starts it and returns at once;
 * command_wait() collects it without blocking, and kills its group at the
 * time limit or when devmaster stops.  One runs at a time.
 */
#include <sys/types.h>
#include <limits.h>

/* after rules.h and uevent.h */

#define COMMAND_MAX 4096       /* a command, %N expanded */

struct command {
	/* set once */
	const char *dir;           /* DEVDIR, where it runs */
	int dryrun;                /* print "run COMMAND" instead */
	long long timeout_ms;      /* -T */
	char **env;                /* devmaster's environment */
	size_t nenv;
	int stop;                  /* devmaster is stopping: kill, start none */
	/* the command running */
	pid_t pid;                 /* 0 when none */
	long long deadline;        /* mono_ms() of its time limit */
	int killed;                /* its group was killed: KILL_LATE, KILL_STOP */
	char text[COMMAND_MAX];    /* for the messages */
	char mdev[PATH_MAX];
	char **envp;               /* room for its environment */
	char envbuf[RULE_GROUPS + 1][UEVENT_SIZE_MAX];   /* MDEV=, MATCH_n= */
};

/* dir, dryrun and timeout_ms set: room for env and the event's; -1 */
int command_setup(struct command *c, char **env);
/* 1 when cmd runs (wait for it with command_wait()), 0 when it did not
 * start or ended already (dry run, devmaster stopping, fork failed) */
int command_start(struct command *c, const char *cmd, const struct uevent *ev,
                  const struct match *m, const char *mdev);
/* 1 once the command ended (said why when it was killed or died of a
 * signal), 0 while it runs; its group is killed at the time limit or once
 * c->stop is set */
int command_wait(struct command *c);
/* a poll() timeout for command_wait(): until the time limit, or -1 */
int command_timeout(const struct command *c);
