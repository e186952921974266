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
	char uevent[4096 + 1];            /* a sysfs attribute is a page at most */
	char dg[UEVENT_SIZE_MAX + 1];
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

/* a sysfs attribute, which one read gets whole, NUL-terminated */
static ssize_t
attr(int dfd, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = openat(dfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* the device the entry name of dfd links to; subsys NULL: read its link */
static int
emit(struct scan *s, int dfd, const char *name, const char *devpath,
     const char *subsys)
{
	char path[NAME_MAX + 16], link[PATH_MAX];
	ssize_t n;

	if (fmt(path, sizeof(path), "%s/uevent", name) < 0 ||
	    attr(dfd, path, s->uevent, sizeof(s->uevent)) < 0)
		return 0;
	if (!subsys) {
		if (fmt(path, sizeof(path), "%s/subsystem", name) < 0 ||
		    (n = readlinkat(dfd, path, link, sizeof(link) - 1)) < 0)
			return 0;
		link[n] = '\0';
		subsys = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	}
	if ((n = datagram(s->dg, sizeof(s->dg), devpath, subsys, s->uevent)) < 0)
		return 0;
	return s->fn(s->ctx, s->dg, (size_t)n);
}

/* a device with a number: one of SYSFS/dev/char or SYSFS/dev/block */
static int
numbered(int dfd, const char *name)
{
	char path[NAME_MAX + 8];

	return fmt(path, sizeof(path), "%s/dev", name) >= 0 &&
	       faccessat(dfd, path, F_OK, 0) == 0;
}

/*
 * Each entry of SYSFS/rel (which begins with a slash) is a symlink to a
 * device of subsystem subsys (NULL: see its link); with nodev, those with
 * a number are left out.
 */
static int
scan_dir(struct scan *s, const char *rel, const char *subsys, int nodev)
{
	char dir[PATH_MAX], link[PATH_MAX], devpath[PATH_MAX];
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int r = 0;

	if (fmt(dir, sizeof(dir), "%s%s", s->sysfs, rel) < 0 || !(d = opendir(dir)))
		return 0;
	while (r == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' || (nodev && numbered(dirfd(d), e->d_name)) ||
		    (n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1)) < 0)
			continue;
		link[n] = '\0';
		if (resolve(devpath, sizeof(devpath), rel, link) == 0)
			r = emit(s, dirfd(d), e->d_name, devpath, subsys);
	}
	closedir(d);
	return r;
}

/* scan_dir of SYSFS/top/x/sub for each subsystem x */
static int
scan_each(struct scan *s, const char *top, const char *sub)
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
			r = scan_dir(s, rel, e->d_name, 1);
	closedir(d);
	return r;
}

int
coldplug(const char *sysfs, int all, int (*fn)(void *, const char *, size_t),
         void *ctx)
{
	struct scan s;

	s.sysfs = sysfs;
	s.fn = fn;
	s.ctx = ctx;
	if (scan_dir(&s, "/dev/char", NULL, 0) < 0 ||
	    scan_dir(&s, "/dev/block", "block", 0) < 0)
		return -1;
	if (all && (scan_each(&s, "bus", "/devices") < 0 ||
	            scan_each(&s, "class", "") < 0))
		return -1;
	return 0;
}
