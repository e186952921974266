/* See LICENSE file for copyright and license details. */
#define _DEFAULT_SOURCE   /* mknodat (XSI), makedev (sys/sysmacros.h) */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../config.h"
#include "../util.h"
#include "node.h"

/* what is made first under this name in the same directory, then renamed */
#define TMP_NAME ".devmaster~"

static int
fail(const struct nodectx *c, const char *path, const char *op)
{
	if (errno == ELOOP || errno == ENOTDIR)
		warnf("%s/%s: refused: a symlink or a file is on the way",
		      c->devdir, path);
	else
		warnf("%s/%s: %s:", c->devdir, path, op);
	return -1;
}

const char *
node_path(char *out, size_t size, const char *name)
{
	const char *s = name, *e;
	size_t n = 0, len;

	for (;;) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		len = e ? (size_t)(e - s) : strlen(s);
		if (len == 2 && !memcmp(s, "..", 2))
			return "a .. component";
		if (len == strlen(TMP_NAME) && !memcmp(s, TMP_NAME, len))
			return "a reserved name";
		if (!(len == 1 && *s == '.')) {
			if (len > NAME_MAX || n + 1 + len >= size)
				return "too long";
			if (n)
				out[n++] = '/';
			memcpy(out + n, s, len);
			n += len;
		}
		s += len;
	}
	if (!n)
		return "empty";
	out[n] = '\0';
	return NULL;
}

/*
 * The directory holding path, reached from DEVDIR one component at a time
 * without following symlinks and made when mk; *leaf is path's last name.
 */
static int
open_parent(const struct nodectx *c, const char *path, const char **leaf, int mk)
{
	char comp[NAME_MAX + 1];
	const char *s = path, *e;
	int dfd, fd;

	dfd = open(c->devdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (; dfd >= 0 && (e = strchr(s, '/')); s = e + 1) {
		memcpy(comp, s, (size_t)(e - s));
		comp[e - s] = '\0';
		fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && mk &&
		    (mkdirat(dfd, comp, DEVMASTER_DIR_MODE) == 0 || errno == EEXIST))
			fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			            O_CLOEXEC);
		close(dfd);
		dfd = fd;
	}
	*leaf = s;
	return dfd;
}

static int
in_the_way(const struct nodectx *c, const char *path)
{
	warnf("%s/%s: a directory is in the way", c->devdir, path);
	return -1;
}

/* owner and mode of a node of the right type and number */
static int
fix(const struct nodectx *c, const char *path, int dfd, const char *leaf,
    const struct stat *st, uid_t uid, gid_t gid, int mode)
{
	if ((st->st_uid != uid || st->st_gid != gid) &&
	    fchownat(dfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, path, "chown");
	if ((st->st_mode & 07777) != (mode_t)mode &&
	    fchmodat(dfd, leaf, (mode_t)mode, 0) < 0)
		return fail(c, path, "chmod");
	return 0;
}

static void
show(const struct nodectx *c, const char *op, const char *arg, const char *path)
{
	printf("%s %s/%s%s%s\n", op, c->devdir, path, arg ? " " : "", arg ? arg : "");
}

/* put a new node in place of whatever non-directory was there */
static int
replace(const struct nodectx *c, const char *path, int dfd, const char *leaf,
        mode_t type, dev_t dev, uid_t uid, gid_t gid, int mode)
{
	const char *op = "mknod";
	int e;

	unlinkat(dfd, TMP_NAME, 0);
	if (mknodat(dfd, TMP_NAME, type | 0600, dev) < 0)
		return fail(c, path, op);
	if (fchownat(dfd, TMP_NAME, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		op = "chown";
	else if (fchmodat(dfd, TMP_NAME, (mode_t)mode, 0) < 0)
		op = "chmod";
	else if (renameat(dfd, TMP_NAME, dfd, leaf) < 0)
		op = "rename";
	else
		return 0;
	e = errno;
	unlinkat(dfd, TMP_NAME, 0);
	errno = e;
	return fail(c, path, op);
}

int
node_make(const struct nodectx *c, const char *path, const struct devnum *d,
          uid_t uid, gid_t gid, int mode)
{
	mode_t type = d->block ? S_IFBLK : S_IFCHR;
	dev_t dev = makedev(d->major, d->minor);
	const char *leaf;
	char buf[64];
	struct stat st;
	int dfd, r = 0;

	if (c->dryrun) {
		snprintf(buf, sizeof(buf), "%c %u %u", d->block ? 'b' : 'c',
		         d->major, d->minor);
		show(c, "mknod", buf, path);
		snprintf(buf, sizeof(buf), "%lu:%lu", (unsigned long)uid,
		         (unsigned long)gid);
		show(c, "chown", buf, path);
		snprintf(buf, sizeof(buf), "%04o", (unsigned)mode);
		show(c, "chmod", buf, path);
		return 0;
	}
	if ((dfd = open_parent(c, path, &leaf, 1)) < 0)
		return fail(c, path, "open");
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = errno == ENOENT ?
		    replace(c, path, dfd, leaf, type, dev, uid, gid, mode) :
		    fail(c, path, "stat");
	else if (S_ISDIR(st.st_mode))
		r = in_the_way(c, path);
	else if ((st.st_mode & S_IFMT) != type || st.st_rdev != dev)
		r = replace(c, path, dfd, leaf, type, dev, uid, gid, mode);
	else
		r = fix(c, path, dfd, leaf, &st, uid, gid, mode);
	close(dfd);
	return r;
}

int
node_remove(const struct nodectx *c, const char *path, const struct devnum *d)
{
	mode_t type = d->block ? S_IFBLK : S_IFCHR;
	const char *leaf;
	struct stat st;
	int dfd, r = 0;

	if (c->dryrun) {
		show(c, "unlink", NULL, path);
		return 0;
	}
	if ((dfd = open_parent(c, path, &leaf, 0)) < 0)
		return errno == ENOENT ? 0 : fail(c, path, "open");
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (st.st_mode & S_IFMT) == type &&
	    st.st_rdev == makedev(d->major, d->minor) &&
	    unlinkat(dfd, leaf, 0) < 0)
		r = fail(c, path, "unlink");
	close(dfd);
	return r;
}

/* target relative to the directory of link, past the directories they share */
static int
rel_target(char *out, size_t size, const char *link, const char *target)
{
	const char *s;
	size_t n = 0, len;

	while ((s = strchr(link, '/')) && !strncmp(link, target, (size_t)(s - link) + 1)) {
		len = (size_t)(s - link) + 1;
		link += len;
		target += len;
	}
	for (; (s = strchr(link, '/')); link = s + 1) {
		if (n + 3 >= size)
			return -1;
		memcpy(out + n, "../", 3);
		n += 3;
	}
	return fmt(out + n, size - n, "%s", target) < 0 ? -1 : 0;
}

static int
same_link(int dfd, const char *leaf, const char *rel)
{
	char cur[PATH_MAX];
	ssize_t n;

	n = readlinkat(dfd, leaf, cur, sizeof(cur) - 1);
	if (n < 0)
		return 0;
	cur[n] = '\0';
	return !strcmp(cur, rel);
}

/* a new symlink in place of whatever non-directory was there */
static int
put_link(const struct nodectx *c, const char *link, int dfd, const char *leaf,
         const char *rel)
{
	int e;

	unlinkat(dfd, TMP_NAME, 0);
	if (symlinkat(rel, dfd, TMP_NAME) < 0)
		return fail(c, link, "symlink");
	if (renameat(dfd, TMP_NAME, dfd, leaf) == 0)
		return 0;
	e = errno;
	unlinkat(dfd, TMP_NAME, 0);
	errno = e;
	return fail(c, link, "rename");
}

int
link_make(const struct nodectx *c, const char *link, const char *target)
{
	char rel[PATH_MAX];
	const char *leaf;
	struct stat st;
	int dfd, r = 0;

	if (!strcmp(link, target))
		return 0;
	if (rel_target(rel, sizeof(rel), link, target) < 0) {
		errno = ENAMETOOLONG;
		return fail(c, link, "symlink");
	}
	if (c->dryrun) {
		printf("symlink %s %s/%s\n", rel, c->devdir, link);
		return 0;
	}
	if ((dfd = open_parent(c, link, &leaf, 1)) < 0)
		return fail(c, link, "open");
	if (!same_link(dfd, leaf, rel))
		r = fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode) ? in_the_way(c, link) :
		    put_link(c, link, dfd, leaf, rel);
	close(dfd);
	return r;
}

int
link_remove(const struct nodectx *c, const char *link, const char *target)
{
	char rel[PATH_MAX];
	const char *leaf;
	int dfd, r = 0;

	if (!strcmp(link, target) || rel_target(rel, sizeof(rel), link, target) < 0)
		return 0;
	if (c->dryrun) {
		show(c, "unlink", NULL, link);
		return 0;
	}
	if ((dfd = open_parent(c, link, &leaf, 0)) < 0)
		return errno == ENOENT ? 0 : fail(c, link, "open");
	if (same_link(dfd, leaf, rel) && unlinkat(dfd, leaf, 0) < 0)
		r = fail(c, link, "unlink");
	close(dfd);
	return r;
}
