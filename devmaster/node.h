/* See LICENSE file for copyright and license details. */
/*
 * Nodes and symlinks inside DEVDIR.  Every path is relative to DEVDIR and
 * normalised by node_path() first; the directories on the way are opened
 * one by one without following symlinks, so nothing is made, changed or
 * removed outside DEVDIR.  With dryrun, each action is printed on stdout
 * instead of done.
 */
#include <sys/types.h>

struct nodectx {
	const char *devdir;
	int dryrun;
	int dirfd;             /* DEVDIR while held, else -1 */
};

struct devnum {
	int block;             /* a block node, else a char node */
	unsigned major, minor;
};

/*
 * The name normalised into out: leading, trailing and repeated slashes and
 * "." components dropped.  NULL on success, else why the name is refused
 * (a ".." component, empty, too long).
 */
const char *node_path(char *out, size_t size, const char *name);

/*
 * Keep DEVDIR open from node_hold() to node_release(), for a burst of
 * events (a coldplug); otherwise it is opened for each, so that a file
 * system mounted on it later is seen.
 */
void node_hold(struct nodectx *c);
void node_release(struct nodectx *c);

/* make or fix the node path: type and number, then owner, then mode */
int node_make(const struct nodectx *c, const char *path, const struct devnum *d,
              uid_t uid, gid_t gid, int mode);
/* remove path if it is a node of that type and number */
int node_remove(const struct nodectx *c, const char *path,
                const struct devnum *d);
/* make link a symlink to the node target (both relative to DEVDIR) */
int link_make(const struct nodectx *c, const char *link, const char *target);
/* remove link if it is a symlink to target */
int link_remove(const struct nodectx *c, const char *link, const char *target);
