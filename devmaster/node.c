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

void
node_hold(struct nodectx *c)
{
	if (!c->dryrun && c->dirfd < 0)
		c->dirfd = open(c->devdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void
node_release(struct nodectx *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
}

/* close what open_parent() returned */
static void
put_dir(const struct nodectx *c, int dfd)
{
	if (dfd != c->dirfd)
		close(dfd);
}

/*
 * The directory holding path, reached from DEVDIR one component at a time
 * without following symlinks and made when mk; *leaf is path's last name.
 */
static int
open_parent(const struct nodectx *c, const char *path, const char **leaf,
            int mk)
{
	char comp[NAME_MAX + 1];
	const char *s = path, *e;
	int dfd, fd;

	dfd = c->dirfd >= 0 ? c->dirfd :
	      open(c->devdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (; dfd >= 0 && (e = strchr(s, '/')); s = e + 1) {
		memcpy(comp, s, (size_t)(e - s));
		comp[e - s] = '\0';
		fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && mk &&
		    (mkdirat(dfd, comp, DEVMASTER_DIR_MODE) == 0 || errno == EEXIST))
			fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			            O_CLOEXEC);
		put_dir(c, dfd);
		dfd = fd;
	}
	*leaf = s;
	return dfd;
}

/* what a node is to be */
struct spec {
	mode_t type;
	dev_t dev;
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/* owner and mode of a node of the right type and number; NULL or what failed */
static const char *
fix(int dfd, const char *leaf, const struct stat *st, const struct spec *w)
{
	mode_t mode = st->st_mode & 07777;

	if (st->st_uid != w->uid || st->st_gid != w->gid) {
		/* never more open than both modes: narrowed before the owner
		 * changes, widened after */
		if ((mode & w->mode) != mode &&
		    fchmodat(dfd, leaf, (mode &= w->mode), 0) < 0)
			return "chmod";
		if (fchownat(dfd, leaf, w->uid, w->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return "chown";
	}
	if (mode != w->mode && fchmodat(dfd, leaf, w->mode, 0) < 0)
		return "chmod";
	return NULL;
}

/* unlink name, errno kept */
static void
discard(int dfd, const char *name)
{
	int e = errno;

	unlinkat(dfd, name, 0);
	errno = e;
}

/* make the node name, then its owner and mode (no more open before); it is
 * removed if that fails */
static const char *
make_at(int dfd, const char *name, const struct spec *w)
{
	const char *op;

	if (mknodat(dfd, name, w->type | 0600, w->dev) < 0)
		return "mknod";
	if (fchownat(dfd, name, w->uid, w->gid, AT_SYMLINK_NOFOLLOW) < 0)
		op = "chown";
	else if (fchmodat(dfd, name, w->mode, 0) < 0)
		op = "chmod";
	else
		return NULL;
	discard(dfd, name);
	return op;
}

/* TMP_NAME renamed to leaf, or removed if that fails */
static const char *
settle(int dfd, const char *leaf)
{
	if (renameat(dfd, TMP_NAME, dfd, leaf) == 0)
		return NULL;
	discard(dfd, TMP_NAME);
	return "rename";
}

/* a new node in place of whatever non-directory is there, at once */
static const char *
replace(int dfd, const char *leaf, const struct spec *w)
{
	const char *op;

	op = make_at(dfd, TMP_NAME, w);
	if (op && errno == EEXIST && unlinkat(dfd, TMP_NAME, 0) == 0)
		op = make_at(dfd, TMP_NAME, w);   /* left by a crash */
	return op ? op : settle(dfd, leaf);
}

static void
show(const struct nodectx *c, const char *op, const char *arg, const char *path)
{
	printf("%s %s/%s%s%s\n", op, c->devdir, path, arg ? " " : "", arg ? arg : "");
}

static void
show_node(const struct nodectx *c, const char *path, const struct devnum *d,
          const struct spec *w)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%c %u %u", d->block ? 'b' : 'c', d->major,
	         d->minor);
	show(c, "mknod", buf, path);
	snprintf(buf, sizeof(buf), "%lu:%lu", (unsigned long)w->uid,
	         (unsigned long)w->gid);
	show(c, "chown", buf, path);
	snprintf(buf, sizeof(buf), "%04o", (unsigned)w->mode);
	show(c, "chmod", buf, path);
}

/*
 * The two shapes of every change: do(dfd, leaf, arg) in the directory of
 * path, made if need be, returning NULL or the call that failed; unlink
 * path if ours(dfd, leaf, arg) says it is what we made.
 */
typedef const char *(*maker)(int dfd, const char *leaf, const void *arg);
typedef int (*owner)(int dfd, const char *leaf, const void *arg);

static int
make_in(const struct nodectx *c, const char *path, maker fn, const void *arg)
{
	const char *leaf, *op;
	int dfd, r = 0;

	if ((dfd = open_parent(c, path, &leaf, 1)) < 0)
		return fail(c, path, "open");
	if ((op = fn(dfd, leaf, arg)))
		r = fail(c, path, op);
	put_dir(c, dfd);
	return r;
}

static int
remove_if(const struct nodectx *c, const char *path, owner ours,
          const void *arg)
{
	const char *leaf;
	int dfd, r = 0;

	if (c->dryrun) {
		show(c, "unlink", NULL, path);
		return 0;
	}
	if ((dfd = open_parent(c, path, &leaf, 0)) < 0)
		return errno == ENOENT ? 0 : fail(c, path, "open");
	if (ours(dfd, leaf, arg) && unlinkat(dfd, leaf, 0) < 0)
		r = fail(c, path, "unlink");
	put_dir(c, dfd);
	return r;
}

/* make, replace or fix a node */
static const char *
put_node(int dfd, const char *leaf, const void *arg)
{
	const struct spec *w = arg;
	struct stat st;

	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? make_at(dfd, leaf, w) : "stat";
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;   /* never replaced */
		return "mknod";
	}
	if ((st.st_mode & S_IFMT) != w->type || st.st_rdev != w->dev)
		return replace(dfd, leaf, w);
	return fix(dfd, leaf, &st, w);
}

static int
is_node(int dfd, const char *leaf, const void *arg)
{
	const struct spec *w = arg;
	struct stat st;

	return fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (st.st_mode & S_IFMT) == w->type && st.st_rdev == w->dev;
}

static void
spec(struct spec *w, const struct devnum *d, uid_t uid, gid_t gid, int mode)
{
	w->type = d->block ? S_IFBLK : S_IFCHR;
	w->dev = makedev(d->major, d->minor);
	w->uid = uid;
	w->gid = gid;
	w->mode = (mode_t)mode & 0777;
}

int
node_make(const struct nodectx *c, const char *path, const struct devnum *d,
          uid_t uid, gid_t gid, int mode)
{
	struct spec w;

	spec(&w, d, uid, gid, mode);
	if (!c->dryrun)
		return make_in(c, path, put_node, &w);
	show_node(c, path, d, &w);
	return 0;
}

int
node_remove(const struct nodectx *c, const char *path, const struct devnum *d)
{
	struct spec w;

	spec(&w, d, 0, 0, 0);
	return remove_if(c, path, is_node, &w);
}

/* target relative to the directory of link, past the directories they share */
static int
rel_target(char *out, size_t size, const char *link, const char *target)
{
	const char *s;
	size_t n = 0, len;

	while ((s = strchr(link, '/')) &&
	       !strncmp(link, target, len = (size_t)(s - link) + 1)) {
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

/* a symlink to rel */
static int
is_link(int dfd, const char *leaf, const void *rel)
{
	char cur[PATH_MAX];
	ssize_t n;

	n = readlinkat(dfd, leaf, cur, sizeof(cur) - 1);
	if (n < 0)
		return 0;
	cur[n] = '\0';
	return !strcmp(cur, rel);
}

/* a new symlink to rel in place of whatever non-directory is there, at once */
static const char *
put_link(int dfd, const char *leaf, const void *rel)
{
	struct stat st;

	if (is_link(dfd, leaf, rel))
		return NULL;
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		errno = EISDIR;   /* never replaced */
		return "symlink";
	}
	if (symlinkat(rel, dfd, TMP_NAME) < 0 &&
	    (errno != EEXIST || unlinkat(dfd, TMP_NAME, 0) < 0 ||
	     symlinkat(rel, dfd, TMP_NAME) < 0))
		return "symlink";
	return settle(dfd, leaf);
}

int
link_make(const struct nodectx *c, const char *link, const char *target)
{
	char rel[PATH_MAX];

	if (!strcmp(link, target))
		return 0;
	if (rel_target(rel, sizeof(rel), link, target) < 0) {
		errno = ENAMETOOLONG;
		return fail(c, link, "symlink");
	}
	if (!c->dryrun)
		return make_in(c, link, put_link, rel);
	printf("symlink %s %s/%s\n", rel, c->devdir, link);
	return 0;
}

int
link_remove(const struct nodectx *c, const char *link, const char *target)
{
	char rel[PATH_MAX];

	if (!strcmp(link, target) || rel_target(rel, sizeof(rel), link, target) < 0)
		return 0;
	return remove_if(c, link, is_link, rel);
}
