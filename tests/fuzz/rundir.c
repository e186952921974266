/* See LICENSE file for copyright and license details. */
/*
 * libFuzzer: the run-directory reader (rundir.c).  The input is read as a
 * status file (status_parse, then status_line and status_show on what it
 * took, and status_write then status_load must give it back, and so must
 * status_pack then status_unpack), as a binary status (status_unpack:
 * what it takes packs back to the same bytes), as a name list and a name
 * (list_ok, list_has: "LIST\nNAME"), and as bytes written to a control
 * FIFO (ctl_recv).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../rundir.h"
#include "../../util.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int pipefd[2];
static char dir[PATH_MAX];     /* a service's run dir, in $TMPDIR */
static int svcfd = -1;

static void
cleanup(void)
{
	unlinkat(svcfd, "status", 0);
	unlinkat(svcfd, "status.new", 0);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (pipe(pipefd) < 0 || set_nonblock(pipefd[0]) < 0 ||
	    set_nonblock(pipefd[1]) < 0)
		abort();
	if (!tmp_dir(dir, "fuzz-rundir") ||
	    (svcfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	atexit(cleanup);
	return 0;
}

/* list_has() by another way */
static int
has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

/* every name of a list that list_ok() takes is in it */
static void
check_list(const char *list)
{
	char buf[NAMELIST], *tok, *save;

	CHECK(strlen(list) < NAMELIST);
	memcpy(buf, list, strlen(list) + 1);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		CHECK(name_ok(tok));
		CHECK(list_has(list, tok));
	}
}

/* a and b say the same */
static int
same(const struct status *a, const struct status *b)
{
	return a->state == b->state && a->want == b->want &&
	    a->pid == b->pid && a->starttime == b->starttime &&
	    a->supervisor == b->supervisor && a->since == b->since &&
	    a->stamp == b->stamp && a->due == b->due &&
	    a->exitcode == b->exitcode && a->signal == b->signal &&
	    a->starts == b->starts && a->restarts == b->restarts &&
	    a->supstart == b->supstart && a->fails == b->fails &&
	    a->ignored == b->ignored && a->dropped == b->dropped &&
	    a->stoptimeout == b->stoptimeout &&
	    a->readytimeout == b->readytimeout &&
	    !strcmp(a->waiting, b->waiting) && !strcmp(a->deps, b->deps) &&
	    !strcmp(a->blocked, b->blocked) && !strcmp(a->why, b->why) &&
	    !strcmp(a->text, b->text) && !strcmp(a->bad, b->bad);
}

/* what any status must be */
static void
sane(const struct status *st)
{
	CHECK(st->state >= ST_DOWN && st->state < ST_COUNT);
	CHECK(st->want >= WANT_UP && st->want <= WANT_ONCE);
	CHECK(st->pid >= 0 && st->supervisor >= 0);
	CHECK(st->exitcode >= EXIT_UNKNOWN && st->exitcode <= 255);
	CHECK(st->signal >= 0 && st->signal <= 255);
	check_list(st->waiting);
	check_list(st->deps);
	check_list(st->blocked);
}

/* the input as a binary status (a slot's record): what status_unpack()
 * takes is sane, and packs back to the very same bytes */
static void
record(const uint8_t *data, size_t size)
{
	char out[STATUS_MAX];
	struct status st;
	int n;

	if (status_unpack((const char *)data, size, &st) < 0)
		return;
	sane(&st);
	n = status_pack(out, sizeof(out), &st);
	CHECK(n >= 0 && (size_t)n == size && !memcmp(out, data, size));
}

static void
status(const char *buf)
{
	char out[STATUS_MAX], small[24];
	struct status st, again;
	int n;

	if (status_parse(buf, &st) < 0)
		return;
	sane(&st);
	CHECK(status_line(out, sizeof(out), "svc", &st, 1) >= 0);
	CHECK(status_line(out, sizeof(out), "svc", &st, 0) >= 0);
	CHECK(status_show(out, sizeof(out), "svc", &st, 1) >= 0);
	/* too small: refused, never overrun */
	status_line(small, sizeof(small), "svc", &st, 1);
	status_show(small, sizeof(small), "svc", &st, 0);
	/* what status_write writes of it, status_load reads back */
	CHECK(status_write(svcfd, &st) == 0);
	CHECK(status_load(svcfd, &again) == 0);
	CHECK(same(&again, &st));
	/* so does its binary form, the status table's */
	n = status_pack(out, sizeof(out), &st);
	CHECK(n > 0 && status_unpack(out, (size_t)n, &again) == 0);
	CHECK(same(&again, &st));
}

static void
lists(const char *buf)
{
	char list[STATUS_MAX];
	const char *nl = strchr(buf, '\n'), *name;
	size_t n = nl ? (size_t)(nl - buf) : strlen(buf);

	memcpy(list, buf, n);
	list[n] = '\0';
	name = nl ? nl + 1 : "";
	if (list_ok(list))
		check_list(list);
	if (list_ok(list) && name_ok(name))
		CHECK(list_has(list, name) == has(list, name));
}

struct lines {
	size_t n, bytes;
};

static void
line(void *ctx, char *s)
{
	struct lines *l = ctx;

	CHECK(!strchr(s, '\n') && strlen(s) < CTL_MAX);
	l->n++;
	l->bytes += strlen(s) + 1;
}

/* every line that fits in a control buffer is received, whole */
static void
control(const uint8_t *data, size_t size)
{
	struct ctlbuf cb;
	struct lines got = { 0, 0 };
	size_t i, len, want = 0;
	const uint8_t *nl;

	if (size > 65536)
		return;                  /* more than a pipe holds */
	memset(&cb, 0, sizeof(cb));
	if (write_all(pipefd[1], data, size) < 0)
		abort();
	CHECK(ctl_recv(pipefd[0], &cb, line, &got) == 0);
	/* the lines that fit (and their newline) without a NUL, up to the
	 * first that does not: all delivered */
	for (i = 0; i < size; i = (size_t)(nl - data) + 1) {
		if (!(nl = memchr(data + i, '\n', size - i)))
			break;
		len = (size_t)(nl - (data + i));
		if (len > CTL_MAX - 2 || memchr(data + i, '\0', len))
			break;
		want++;
	}
	CHECK(got.n >= want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (!(buf = malloc(size + 1)))
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* status_load() reads at most STATUS_MAX - 1 bytes */
	if (size < STATUS_MAX) {
		status(buf);
		lists(buf);
	}
	free(buf);
	if (size < STATUS_MAX)
		record(data, size);
	control(data, size);
	return 0;
}
