/* See LICENSE file for copyright and license details. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../config.h"
#include "../util.h"
#include "devmaster.h"

/* one pass of the rules over an event, for one device name */
struct job {
	const struct uevent *ev;
	const char *name;     /* DEVNAME, or the last name of DEVPATH */
	enum { KEEP, MAKE, REMOVE } nodes;
	int cmds;             /* run the commands */
};

static const char *
last(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* does a command of kind when run for this action */
static int
runs(char when, const char *action)
{
	switch (when) {
	case '*':
		return 1;
	case '@':
		return !strcmp(action, "add") || !strcmp(action, "move");
	case '$':
		return !strcmp(action, "remove");
	}
	return 0;
}

static void
run_cmd(struct devmaster *d, const struct job *j, const struct rule *r,
        const struct match *m, const char *mdev)
{
	char cmd[4096];

	if (!r || !j->cmds || !runs(r->when, j->ev->action))
		return;
	if (rule_expand(cmd, sizeof(cmd), r->cmd, m, 1) < 0)
		warnf("%s: line %u: command too long", mdev, r->line);
	else
		command_run(d, cmd, j->ev, m, mdev);
}

/* where the node goes: the device name, or =path / >path of the rule */
static const char *
node_of(char *out, const struct job *j, const struct rule *r,
        const struct match *m)
{
	char tmp[PATH_MAX];
	size_t n;

	if (!r || (r->node != NODE_RENAME && r->node != NODE_MOVE))
		return node_path(out, PATH_MAX, j->name);
	if (rule_expand(tmp, sizeof(tmp), r->path, m, 0) < 0)
		return "too long";
	n = strlen(tmp);
	if (n && tmp[n - 1] == '/' && fmt(tmp + n, sizeof(tmp) - n, "%s",
	                                  last(j->name)) < 0)
		return "too long";
	return node_path(out, PATH_MAX, tmp);
}

static void
nodes(struct devmaster *d, const struct job *j, const struct rule *r,
      const char *node, const char *link)
{
	const struct uevent *ev = j->ev;
	struct devnum dn;
	int mode = r ? r->mode : ev->mode >= 0 ? ev->mode : DEVMASTER_MODE;

	dn.block = !strcmp(ev->subsystem, "block");
	dn.major = ev->major;
	dn.minor = ev->minor;
	if (j->nodes == MAKE) {
		if (node_make(&d->node, node, &dn, r ? r->uid : 0, r ? r->gid : 0,
		              mode) == 0 && link)
			link_make(&d->node, link, node);
	} else {
		node_remove(&d->node, node, &dn);
		if (link)
			link_remove(&d->node, link, node);
	}
}

/* what rule r (NULL: no rule matched) says for this event */
static void
apply(struct devmaster *d, const struct job *j, const struct rule *r,
      const struct match *m)
{
	char node[PATH_MAX], link[PATH_MAX];
	const char *why = NULL, *mdev = j->name;
	int mk = j->nodes != KEEP && j->ev->has_dev && (!r || r->node != NODE_NONE);

	if (mk && !(why = node_of(node, j, r, m)) && r && r->node == NODE_MOVE)
		why = node_path(link, sizeof(link), j->name);
	if (why) {
		warnf("%s: refused: %s", j->name, why);
		return;
	}
	if (mk)
		mdev = node;
	if (j->nodes == REMOVE)
		run_cmd(d, j, r, m, mdev);   /* before the node goes */
	if (mk)
		nodes(d, j, r, node, r && r->node == NODE_MOVE ? link : NULL);
	if (j->nodes != REMOVE)
		run_cmd(d, j, r, m, mdev);
}

/* the first matching line without '-' ends the rules; after them all, the
 * default (root:root, DEVMODE or DEVMASTER_MODE), as mdev does */
static void
run_rules(struct devmaster *d, const struct job *j)
{
	const struct rule *r;
	struct match m;
	size_t i;

	for (i = 0; i < d->rules.n; i++) {
		r = &d->rules.v[i];
		if (!rule_match(r, j->ev, j->name, &m))
			continue;
		apply(d, j, r, &m);
		/* not r->cont: gcc -fanalyzer (12) would have apply()'s test
		 * of r for NULL make r NULL here */
		if (!d->rules.v[i].cont)
			return;
	}
	apply(d, j, NULL, NULL);
}

/* move: the old name is DEVNAME's directory and DEVPATH_OLD's last name */
static void
remove_old(struct devmaster *d, const struct uevent *ev)
{
	char old[PATH_MAX];
	const char *dir = last(ev->devname);
	struct job j;

	if (fmt(old, sizeof(old), "%.*s%s", (int)(dir - ev->devname), ev->devname,
	        last(ev->devpath_old)) < 0)
		return;
	j.ev = ev;
	j.name = old;
	j.nodes = REMOVE;
	j.cmds = 0;
	run_rules(d, &j);
}

void
handle(struct devmaster *d, const struct uevent *ev)
{
	const char *a = ev->action;
	struct job j;

	if (!strcmp(a, "move") && ev->devpath_old && ev->devname && ev->has_dev)
		remove_old(d, ev);
	j.ev = ev;
	j.name = ev->devname ? ev->devname : last(ev->devpath);
	j.cmds = 1;
	if (!strcmp(a, "add") || !strcmp(a, "change") || !strcmp(a, "move"))
		j.nodes = MAKE;
	else
		j.nodes = !strcmp(a, "remove") ? REMOVE : KEEP;
	run_rules(d, &j);
}
