/* See LICENSE file for copyright and license details. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../config.h"
#include "../util.h"
#include "node.h"
#include "rules.h"
#include "uevent.h"
#include "command.h"
#include "handle.h"

enum { KEEP, MAKE, REMOVE };
/* the steps of the pass at a rule, in order */
enum { S_MATCH, S_CMD_BEFORE, S_NODES, S_CMD_AFTER, S_NEXT };

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

/* the command of rule r for this event, if any: 1 while it runs */
static int
run_cmd(struct handler *h, const struct rule *r)
{
	char cmd[COMMAND_MAX];

	if (!r || !h->cmds || !runs(r->when, h->ev.action))
		return 0;
	if (rule_expand(cmd, sizeof(cmd), r->cmd, &h->m, 1) < 0) {
		warnf("%s: line %u: command too long", h->mdev, r->line);
		return 0;
	}
	return command_start(h->cmd, cmd, &h->ev, &h->m, h->mdev);
}

/* where the node goes: the device name, or =path / >path of the rule */
static const char *
node_of(struct handler *h, const struct rule *r)
{
	char tmp[PATH_MAX];
	size_t n;

	if (!r || (r->node != NODE_RENAME && r->node != NODE_MOVE))
		return node_path(h->node, sizeof(h->node), h->name);
	if (rule_expand(tmp, sizeof(tmp), r->path, &h->m, 0) < 0)
		return "too long";
	n = strlen(tmp);
	if (n && tmp[n - 1] == '/' && fmt(tmp + n, sizeof(tmp) - n, "%s",
	                                  last(h->name)) < 0)
		return "too long";
	return node_path(h->node, sizeof(h->node), tmp);
}

/* the paths of what rule r (NULL: no rule matched) says; -1 if refused */
static int
paths(struct handler *h, const struct rule *r)
{
	const char *why = NULL;

	h->mdev = h->name;
	h->mk = h->nodes != KEEP && h->ev.has_dev && (!r || r->node != NODE_NONE);
	if (h->mk && !(why = node_of(h, r)) && r && r->node == NODE_MOVE)
		why = node_path(h->link, sizeof(h->link), h->name);
	if (why) {
		warnf("%s: refused: %s", h->name, why);
		return -1;
	}
	if (h->mk)
		h->mdev = h->node;
	return 0;
}

static void
nodes(struct handler *h, const struct rule *r)
{
	const struct uevent *ev = &h->ev;
	const char *link = r && r->node == NODE_MOVE ? h->link : NULL;
	struct devnum dn;
	int mode = r ? r->mode : ev->mode >= 0 ? ev->mode : DEVMASTER_MODE;

	dn.block = !strcmp(ev->subsystem, "block");
	dn.major = ev->major;
	dn.minor = ev->minor;
	if (h->nodes == MAKE) {
		if (node_make(h->dev, h->node, &dn, r ? r->uid : 0, r ? r->gid : 0,
		              mode) == 0 && link)
			link_make(h->dev, link, h->node);
	} else {
		node_remove(h->dev, h->node, &dn);
		if (link)
			link_remove(h->dev, link, h->node);
	}
}

/*
 * The pass from the cursor on: each matching rule makes or removes its
 * node, and runs its command after the node is made or before it goes.
 * The first matching line without '-' ends the rules; after them all
 * comes the default (root:root, DEVMODE or DEVMASTER_MODE), as mdev does.
 */
static int
pass(struct handler *h)
{
	const struct rule *r;

	for (;;) {
		r = h->rule < h->rules->n ? &h->rules->v[h->rule] : NULL;
		switch (h->step++) {
		case S_MATCH:
			if (r && !rule_match(r, &h->ev, h->name, &h->m)) {
				h->rule++;
				h->step = S_MATCH;
			} else if (paths(h, r) < 0)
				h->step = S_NEXT;
			break;
		case S_CMD_BEFORE:
			if (h->nodes == REMOVE && run_cmd(h, r))
				return 1;
			break;
		case S_NODES:
			if (h->mk)
				nodes(h, r);
			break;
		case S_CMD_AFTER:
			if (h->nodes != REMOVE && run_cmd(h, r))
				return 1;
			break;
		default:
			if (!r || !r->cont)
				return 0;
			h->rule++;
			h->step = S_MATCH;
		}
	}
}

static int
begin(struct handler *h, const char *name, int nodes, int cmds)
{
	h->name = name;
	h->nodes = nodes;
	h->cmds = cmds;
	h->rule = 0;
	h->step = S_MATCH;
	return pass(h);
}

/* move: the old name is DEVNAME's directory and DEVPATH_OLD's last name */
static void
remove_old(struct handler *h)
{
	const struct uevent *ev = &h->ev;
	const char *dir = last(ev->devname);

	if (fmt(h->old, sizeof(h->old), "%.*s%s", (int)(dir - ev->devname),
	        ev->devname, last(ev->devpath_old)) >= 0)
		begin(h, h->old, REMOVE, 0);   /* no command: done at once */
}

int
handle_start(struct handler *h, const struct uevent *ev)
{
	const char *a = ev->action;
	int nodes = KEEP;

	h->ev = *ev;
	if (!strcmp(a, "move") && ev->devpath_old && ev->devname && ev->has_dev)
		remove_old(h);
	if (!strcmp(a, "add") || !strcmp(a, "change") || !strcmp(a, "move"))
		nodes = MAKE;
	else if (!strcmp(a, "remove"))
		nodes = REMOVE;
	return h->busy = begin(h, ev->devname ? ev->devname : last(ev->devpath),
	                       nodes, 1);
}

int
handle_resume(struct handler *h)
{
	return h->busy = pass(h);
}
