/* See LICENSE file for copyright and license details. */
/*
 * The rules applied to an event: nodes, symlinks, commands.  While a
 * command of the event runs, the pass over the rules waits at a cursor:
 * handle_start() and handle_resume() return 1 then, and handle_resume()
 * goes on from the cursor once command_wait() said the command ended.
 * The datagram the event points into, and the rules, must stay as they are
 * until the event is done (busy is 0 again).
 */
#include <limits.h>

/* after node.h, rules.h and uevent.h */

struct command;

struct handler {
	const struct rules *rules;
	const struct nodectx *dev;
	struct command *cmd;
	int busy;                  /* a command of the event runs */
	/* the event, and the pass over the rules for one of its names */
	struct uevent ev;
	const char *name;          /* DEVNAME, or the last name of DEVPATH */
	int nodes;                 /* KEEP, MAKE or REMOVE them */
	int cmds;                  /* run the commands */
	size_t rule;               /* the cursor: a rule, rules->n the default */
	int step;                  /* and where in it */
	struct match m;            /* what the rule matched */
	int mk;                    /* the rule makes or removes a node: */
	char node[PATH_MAX];       /* its path */
	char link[PATH_MAX];       /* and with '>', the symlink to it */
	const char *mdev;          /* the node's path or the name */
	char old[PATH_MAX];        /* the old name of a move */
};

/* the pass over the rules for ev: 1 while a command runs, 0 once done */
int handle_start(struct handler *h, const struct uevent *ev);
/* on with the pass after the command ended: the same */
int handle_resume(struct handler *h);
