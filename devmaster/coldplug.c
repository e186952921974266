/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "../util.h"
#include "uevent.h"
#include "coldplug.h"

/* where devices are read, in order: top itself, or each top/x/sub with x
 * as the subsystem (and only devices without a number); subsys NULL: the
 * link of each device says */
static const struct {
	const char *top, *sub, *subsys;
} dirs[] = {
	{ "/dev/char", NULL, NULL },
	{ "/dev/block", NULL, "block" },
	{ "/bus", "/devices", NULL },   /* with all */
	{ "/class", "", NULL },
};

/* dir (absolute, under sysfs) joined with a relative link, ".." resolved */
static int
resolve(char *out, size_t size, const char *dir, const char *link)
{
	size_t n;

	if (*link == '/' || fmt(out, size, "%s", dir) < 0)
		return -1;
	n = strlen(out);
	for (; !strncmp(link, "../", 3); link += 3) {
		while (n > 0 && out[n - 1] != '/')
			n--;
		if (n == 0)
			return -1;
		out[--n] = '\0';
	}
	return fmt(out + n, size - n, "/%s", link) < 0 ? -1 : 0;
}

/* a key of a device's number and node, which the kernel writes first in
 * the uevent file of a device with a number, and in no other */
static int
node_key(const char *line, size_t len)
{
	static const char *const keys[] = { "MAJOR=", "MINOR=", "DEVNAME=",
	    "DEVMODE=", "DEVUID=", "DEVGID=" };
	size_t i;

	for (i = 0; i < LEN(keys); i++)
		if (len >= strlen(keys[i]) && !strncmp(line, keys[i], strlen(keys[i])))
			return 1;
	return 0;
}

/*
 * "add@DEVPATH\0ACTION=add\0DEVPATH=..\0SUBSYSTEM=..\0" + the uevent lines;
 * -1 to leave it out.  A value with a newline in it (a device's name, as
 * a USB or Bluetooth device gives it) makes lines of its own in the file:
 * a node key anywhere but in the first lines of a device with a number is
 * one of those, and the device is left out.
 */
static int
datagram(char *dg, size_t size, const char *devpath, const char *subsys,
         const char *uevent, int numbered)
{
	int n = fmt(dg, size, "add@%s%cACTION=add%cDEVPATH=%s%cSUBSYSTEM=%s%c",
	            devpath, 0, 0, devpath, 0, subsys, 0), first = numbered, key;
	size_t len;

	for (; n >= 0 && *uevent; uevent += len + (uevent[len] == '\n')) {
		len = strcspn(uevent, "\n");
		if (len == 0)
			continue;   /* empty lines, as at the end of cpu0/uevent */
		key = node_key(uevent, len);
		if (key && !first) {
			warnf("%s: a device number or node in the middle of its"
			    " uevent, left out", devpath);
			return -1;
		}
		first = first && key;
		if ((size_t)n + len + 1 >= size)
			return -1;
		memcpy(dg + n, uevent, len);
		n += (int)len;
		dg[n++] = '\0';
	}
	return n;
}

/* a sysfs attribute, which one read gets whole, NUL-terminated; -1 if it
 * is not a regular file (a made-up sysfs of -S could have a FIFO) */
static ssize_t
attr(int dfd, const char *path, char *buf, size_t size)
{
	struct stat st;
	ssize_t n = -1;
	int fd;

	if ((fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	                 O_NOCTTY)) < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		do
			n = read(fd, buf, size - 1);
		while (n < 0 && errno == EINTR);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* a device with a number: one of SYSFS/dev/char or SYSFS/dev/block */
static int
numbered(int dfd, const char *name)
{
	char path[NAME_MAX + 8];

	return fmt(path, sizeof(path), "%s/dev", name) >= 0 &&
	       faccessat(dfd, path, F_OK, 0) == 0;
}

/* the datagram of the device the entry name of c->dir links to: its
 * length, 0 to leave it out */
static size_t
device(struct coldplug *c, const char *name)
{
	char path[NAME_MAX + 16], link[PATH_MAX], devpath[PATH_MAX];
	const char *subsys = c->subsys;
	int dfd = dirfd(c->dir), n;
	ssize_t len;

	if (name[0] == '.' || (c->nodev && numbered(dfd, name)) ||
	    (len = readlinkat(dfd, name, link, sizeof(link) - 1)) < 0)
		return 0;
	link[len] = '\0';
	if (resolve(devpath, sizeof(devpath), c->rel, link) < 0 ||
	    fmt(path, sizeof(path), "%s/uevent", name) < 0 ||
	    attr(dfd, path, c->uevent, sizeof(c->uevent)) < 0)
		return 0;
	if (!subsys) {
		if (fmt(path, sizeof(path), "%s/subsystem", name) < 0 ||
		    (len = readlinkat(dfd, path, link, sizeof(link) - 1)) < 0)
			return 0;
		link[len] = '\0';
		subsys = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	}
	n = datagram(c->dg, sizeof(c->dg), devpath, subsys, c->uevent, !c->nodev);
	return n < 0 ? 0 : (size_t)n;
}

/* c->dir on SYSFS/c->rel; -1 when it cannot be read */
static int
open_dir(struct coldplug *c)
{
	char path[PATH_MAX];

	if (fmt(path, sizeof(path), "%s%s", c->sysfs, c->rel) < 0 ||
	    !(c->dir = opendir(path)))
		return -1;
	return 0;
}

/* the devices of the next subsystem of c->top in c->dir; -1 after the last */
static int
next_subsystem(struct coldplug *c)
{
	const char *top = dirs[c->dirs - 1].top, *sub = dirs[c->dirs - 1].sub;
	struct dirent *e;

	while ((e = readdir(c->top)))
		if (e->d_name[0] != '.' &&
		    fmt(c->subsysbuf, sizeof(c->subsysbuf), "%s", e->d_name) >= 0 &&
		    fmt(c->rel, sizeof(c->rel), "%s/%s%s", top, e->d_name, sub) >= 0 &&
		    open_dir(c) == 0)
			return 0;
	closedir(c->top);
	c->top = NULL;
	return -1;
}

/* entry i of dirs: its devices in c->dir (0), or its subsystems in c->top
 * for next_subsystem() (-1, as when it cannot be read) */
static int
enter(struct coldplug *c, size_t i)
{
	char path[PATH_MAX];

	c->nodev = dirs[i].sub != NULL;
	c->subsys = c->nodev ? c->subsysbuf : dirs[i].subsys;
	if (!c->nodev)
		return fmt(c->rel, sizeof(c->rel), "%s", dirs[i].top) < 0 ? -1 :
		       open_dir(c);
	if (fmt(path, sizeof(path), "%s%s", c->sysfs, dirs[i].top) >= 0)
		c->top = opendir(path);
	return -1;
}

/* the next directory of devices in c->dir; -1 when there is none left */
static int
next_dir(struct coldplug *c)
{
	for (;;) {
		if (c->top && next_subsystem(c) == 0)
			return 0;
		if (c->dirs == (c->all ? LEN(dirs) : 2))
			return -1;
		if (enter(c, c->dirs++) == 0)
			return 0;
	}
}

void
coldplug_start(struct coldplug *c, const char *sysfs, int all)
{
	c->sysfs = sysfs;
	c->all = all;
	c->dirs = 0;
	c->top = c->dir = NULL;
}

size_t
coldplug_next(struct coldplug *c, const char **dg)
{
	struct dirent *e;
	size_t n;

	for (;;) {
		while (c->dir && (e = readdir(c->dir)))
			if ((n = device(c, e->d_name)) > 0) {
				*dg = c->dg;
				return n;
			}
		if (c->dir)
			closedir(c->dir);
		c->dir = NULL;
		if (next_dir(c) < 0)
			return 0;
	}
}
