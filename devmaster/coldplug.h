/* See LICENSE file for copyright and license details. */
/*
 * Coldplug: an "add" uevent, in the kernel's datagram format, for every
 * device that already exists under sysfs, one at a time: first those with
 * a device number (SYSFS/dev/char, SYSFS/dev/block), then, with all, those
 * of SYSFS/bus/x/devices and SYSFS/class/x without one (for MODALIAS and
 * interface rules).
 */
#include <dirent.h>
#include <limits.h>
#include <stddef.h>

/* after uevent.h */

struct coldplug {
	const char *sysfs;
	int all;
	size_t dirs;                   /* of the table in coldplug.c, done */
	DIR *top;                      /* SYSFS/bus or SYSFS/class, or NULL */
	DIR *dir;                      /* the devices being read, or NULL */
	char rel[PATH_MAX];            /* dir, under SYSFS, with a leading '/' */
	const char *subsys;            /* of its devices; NULL: their link says */
	char subsysbuf[NAME_MAX + 1];
	int nodev;                     /* leave out devices with a number */
	char uevent[4096 + 1];         /* a sysfs attribute is a page at most */
	char dg[UEVENT_SIZE_MAX + 1];
};

void coldplug_start(struct coldplug *c, const char *sysfs, int all);
/* the datagram of the next device in *dg: its length; 0 at the end */
size_t coldplug_next(struct coldplug *c, const char **dg);
