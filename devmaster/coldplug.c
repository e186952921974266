/* See LICENSE file for copyright and license details. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "../util.h"
#include "coldplug.h"
#include "uevent.h"

struct scan {
	const char *sysfs;
	int (*fn)(void *, const char *, size_t);
	void *ctx;
	int nodev;      /* only devices without a device number */
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

/* "add@DEVPATH\0ACTION=add\0DEVPATH=..\0SUBSYSTEM=..\0" + the uevent lines */
static int
datagram(char *dg, size_t size, const char *devpath, const char *subsys,
         const char *uevent)
{
	int n = fmt(dg, size, "add@%s%cACTION=add%cDEVPATH=%s%cSUBSYSTEM=%s%c",
	            devpath, 0, 0, devpath, 0, subsys, 0);
	size_t len;

	for (; n >= 0 && *uevent; uevent += len + (uevent[len] == '\n')) {
		len = strcspn(uevent, "\n");
		if (len == 0)
			continue;   /* empty lines, as at the end of cpu0/uevent */
		if ((size_t)n + len + 1 >= size)
			return -1;
		memcpy(dg + n, uevent, len);
		n += (int)len;
		dg[n++] = '\0';
	}
	return n;
}

static int
emit(const struct scan *s, const char *devpath)
{
	char path[PATH_MAX], link[PATH_MAX], uevent[4096], dg[UEVENT_SIZE_MAX + 1];
	const char *subsys;
	ssize_t n;

	if (fmt(path, sizeof(path), "%s%s/uevent", s->sysfs, devpath) < 0 ||
	    read_file(path, uevent, sizeof(uevent)) < 0)
		return 0;
	if (s->nodev && (!strncmp(uevent, "MAJOR=", 6) || strstr(uevent, "\nMAJOR=")))
		return 0;
	if (fmt(path, sizeof(path), "%s%s/subsystem", s->sysfs, devpath) < 0 ||
	    (n = readlink(path, link, sizeof(link) - 1)) < 0)
		return 0;
	link[n] = '\0';
	subsys = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if ((n = datagram(dg, sizeof(dg), devpath, subsys, uevent)) < 0)
		return 0;
	return s->fn(s->ctx, dg, (size_t)n);
}

/* each entry of SYSFS/rel (rel begins with a slash) is a symlink to a device */
static int
scan_dir(const struct scan *s, const char *rel)
{
	char dir[PATH_MAX], link[PATH_MAX], devpath[PATH_MAX];
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int r = 0;

	if (fmt(dir, sizeof(dir), "%s%s", s->sysfs, rel) < 0 || !(d = opendir(dir)))
		return 0;
	while (r == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    (n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1)) < 0)
			continue;
		link[n] = '\0';
		if (resolve(devpath, sizeof(devpath), rel, link) == 0)
			r = emit(s, devpath);
	}
	closedir(d);
	return r;
}

/* scan_dir of SYSFS/top/x/sub for each x */
static int
scan_each(const struct scan *s, const char *top, const char *sub)
{
	char dir[PATH_MAX], rel[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (fmt(dir, sizeof(dir), "%s/%s", s->sysfs, top) < 0 || !(d = opendir(dir)))
		return 0;
	while (r == 0 && (e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    fmt(rel, sizeof(rel), "/%s/%s%s", top, e->d_name, sub) >= 0)
			r = scan_dir(s, rel);
	closedir(d);
	return r;
}

int
coldplug(const char *sysfs, int (*fn)(void *, const char *, size_t), void *ctx)
{
	struct scan s;

	s.sysfs = sysfs;
	s.fn = fn;
	s.ctx = ctx;
	s.nodev = 0;
	if (scan_dir(&s, "/dev/char") < 0 || scan_dir(&s, "/dev/block") < 0)
		return -1;
	s.nodev = 1;
	if (scan_each(&s, "bus", "/devices") < 0 || scan_each(&s, "class", "") < 0)
		return -1;
	return 0;
}
