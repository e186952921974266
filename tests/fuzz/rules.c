/* See LICENSE file for copyright and license details. */
/*
 * libFuzzer: devmaster's rules (devmaster/rules.c) and their use on an
 * event (devmaster/handle.c, in dry-run: nothing is made).  The input is
 * the text of a devmaster.conf, then a NUL, then a uevent datagram; the
 * rules are matched against the event when uevent_parse() takes it.
 * command_start() is a stub here that checks what it is given and says
 * the command runs, so that each pass waits at its cursor and is resumed:
 * no shell runs.
 */
#define _GNU_SOURCE     /* memfd_create */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../devmaster/node.h"
#include "../../devmaster/rules.h"
#include "../../devmaster/uevent.h"
#include "../../devmaster/command.h"
#include "../../devmaster/handle.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rules rules;
static struct nodectx dev;
static struct command cmd;
static struct handler h;
static char conf[64];          /* /proc/self/fd/N of a memfd */
static int conffd;

int
command_start(struct command *c, const char *text, const struct uevent *ev,
              const struct match *m, const char *mdev)
{
	CHECK(c == &cmd && ev == &h.ev && m == &h.m && *mdev);
	CHECK(strlen(text) < COMMAND_MAX);
	return 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((conffd = memfd_create("devmaster.conf", 0)) < 0)
		abort();
	snprintf(conf, sizeof(conf), "/proc/self/fd/%d", conffd);
	dev.devdir = "/nonexistent/fuzz-devdir";
	dev.dryrun = 1;
	dev.dirfd = -1;
	h.rules = &rules;
	h.dev = &dev;
	h.cmd = &cmd;
	return 0;
}

static void
check_rules(const struct rules *rs)
{
	const struct rule *r;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		CHECK(r->ncond <= RULE_CONDS);
		CHECK(r->mode >= 0 && r->mode <= 0777);
		CHECK(r->when == 0 || ((r->when == '@' || r->when == '$' ||
		      r->when == '*') && r->cmd && *r->cmd));
		CHECK(r->match != MATCH_DEV || (r->major <= DEV_MAJOR_MAX &&
		      r->minor <= r->minor2 && r->minor2 <= DEV_MINOR_MAX));
		CHECK((r->node != NODE_RENAME && r->node != NODE_MOVE) || r->path);
	}
}

/* every rule against the event as handle() does, and on its own */
static void
match_all(const struct rules *rs, const struct uevent *ev)
{
	char out[4096];
	const char *name = ev->devname ? ev->devname : ev->devpath;
	struct match m;
	size_t i, k;

	for (i = 0; i < rs->n; i++) {
		if (!rule_match(&rs->v[i], ev, name, &m))
			continue;
		for (k = 0; k < RULE_GROUPS; k++) {
			CHECK(m.g[k].rm_so <= m.g[k].rm_eo);
			CHECK(m.g[k].rm_so < 0 ||
			      (size_t)m.g[k].rm_eo <= strlen(m.subj));
		}
		if (rs->v[i].path) {
			rule_expand(out, sizeof(out), rs->v[i].path, &m, 0);
			rule_expand(out, 16, rs->v[i].path, &m, 0);
		}
		if (rs->v[i].cmd)
			rule_expand(out, sizeof(out), rs->v[i].cmd, &m, 1);
	}
	/* each command "ends" at once: the pass goes on from its cursor */
	if (handle_start(&h, ev))
		while (handle_resume(&h))
			;
	CHECK(!h.busy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct uevent ev;
	char *dg = NULL;
	size_t dlen = 0;
	long nbad;

	if (ftruncate(conffd, 0) < 0 ||
	    pwrite(conffd, data, tlen, 0) != (ssize_t)tlen)
		abort();
	nbad = rules_load(&rules, conf);
	CHECK(nbad >= 0);
	check_rules(&rules);
	rules_run_on_add(&rules);
	if (nul) {
		/* a copy of its own size, so that any overread is caught */
		dlen = size - tlen - 1;
		if (!(dg = malloc(dlen ? dlen : 1)))
			abort();
		memcpy(dg, nul + 1, dlen);
		if (!uevent_parse(&ev, dg, dlen))
			match_all(&rules, &ev);
		free(dg);
	}
	rules_free(&rules);
	return 0;
}
