/* See LICENSE file for copyright and license details. */
/* What the parts of devmaster share: its one state. */
#include "node.h"
#include "replay.h"
#include "rules.h"
#include "uevent.h"

struct devmaster {
	/* options */
	const char *conf, *sysfs, *replay;
	int conf_given;
	struct nodectx node;          /* -d DEVDIR, -n */
	unsigned long rcvbuf;         /* -b */
	long long timeout_ms;         /* -T */
	int coldplug, check;          /* -c, -t */
	int notify;                   /* -D fd, or -1 */
	/* state */
	int sigfd;
	int nl;                       /* the netlink socket, or -1 in replay */
	int quit, reload;             /* TERM or INT, HUP came */
	struct rules rules;
	char **env;                   /* the environment devmaster started with */
	size_t nenv;
	char **cmdenv;                /* room for the environment of a command */
	char envbuf[RULE_GROUPS + 1][UEVENT_SIZE_MAX];   /* MDEV=, MATCH_n= */
	long long drop_next;          /* when a dropped datagram is said again */
	unsigned long drops;          /* how many were not said since */
	char dg[UEVENT_SIZE_MAX + 1]; /* the datagram from netlink */
	struct replay in;             /* the input of -r */
};

/* read pending signals: TERM and INT set quit, HUP sets reload */
void dm_signals(struct devmaster *d);

/* apply the rules to an event: nodes, symlinks, commands */
void handle(struct devmaster *d, const struct uevent *ev);

/*
 * Run cmd through the shell in DEVDIR with the event's variables, MDEV
 * and MATCH_0..MATCH_9 in its environment; wait for it at most -T seconds.
 */
void command_run(struct devmaster *d, const char *cmd, const struct uevent *ev,
                 const struct match *m, const char *mdev);
