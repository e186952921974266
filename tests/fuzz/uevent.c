/* See LICENSE file for copyright and license details. */
/*
 * libFuzzer: devmaster's uevent datagram parser (devmaster/uevent.c).
 * The input is one datagram as netlink delivers it.  What uevent_parse()
 * accepts must hold what devmaster relies on; anything else is a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../devmaster/uevent.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* p is a NUL-terminated string inside buf[0..len) */
static int
inside(const char *p, const char *buf, size_t len)
{
	return p >= buf && p < buf + len && memchr(p, '\0', len - (size_t)(p - buf));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *v;
	struct uevent ev;
	size_t i;
	int m;

	if (uevent_parse(&ev, buf, size))
		return 0;
	CHECK(size >= 4 && size <= UEVENT_SIZE_MAX && !buf[size - 1]);
	CHECK(ev.action && ev.devpath && ev.subsystem);
	CHECK(inside(ev.action, buf, size) && inside(ev.devpath, buf, size) &&
	      inside(ev.subsystem, buf, size));
	/* the header is ACTION@DEVPATH, DEVPATH begins with '/' */
	CHECK(!strncmp(buf, ev.action, strlen(ev.action)) &&
	      buf[strlen(ev.action)] == '@' &&
	      !strcmp(buf + strlen(ev.action) + 1, ev.devpath));
	CHECK(ev.devpath[0] == '/');
	CHECK(ev.nvar >= 3 && ev.nvar <= UEVENT_VARS_MAX);
	for (i = 0; i < ev.nvar; i++) {
		CHECK(inside(ev.var[i], buf, size));
		CHECK(strchr(ev.var[i], '=') > ev.var[i]);
	}
	CHECK(ev.mode == -1 || (ev.mode >= 0 && ev.mode <= 0777));
	CHECK(!ev.devmode_s || ev.mode == parse_mode(ev.devmode_s));
	if (ev.has_dev)
		CHECK(ev.major <= DEV_MAJOR_MAX && ev.minor <= DEV_MINOR_MAX &&
		      ev.major_s && ev.minor_s);
	else
		CHECK(!ev.major_s && !ev.minor_s);
	CHECK(uevent_get(&ev, "ACTION") == ev.action);
	CHECK(uevent_get(&ev, "DEVPATH") == ev.devpath);
	CHECK(uevent_get(&ev, "SUBSYSTEM") == ev.subsystem);
	CHECK(uevent_get(&ev, "DEVNAME") == ev.devname);
	CHECK(uevent_get(&ev, "DEVPATH_OLD") == ev.devpath_old);
	for (i = 0; i < ev.nvar; i++) {
		v = strchr(ev.var[i], '=') + 1;
		m = parse_mode(v);
		CHECK(m >= -1 && m <= 0777);
	}
	return 0;
}
