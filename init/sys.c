/* See LICENSE file for copyright and license details. */
/* The Linux facilities of init: mount(2), umount2(2), reboot(2), sethostname(2). */
#define _DEFAULT_SOURCE
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../config.h"
#include "../util.h"
#include "sys.h"

/* inode numbers of /proc/self/ns/pid and uts in the initial namespaces */
#define PID_NS_INIT_INO 0xEFFFFFFCUL
#define UTS_NS_INIT_INO 0xEFFFFFFEUL

static const struct {
	const char *type, *dir, *opts;
	unsigned long flags;
} mnts[] = {
	{ "proc", "/proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "sysfs", "/sys", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "devtmpfs", "/dev", INIT_DEV_OPTS, MS_NOSUID },
	{ "devpts", "/dev/pts", INIT_PTS_OPTS, MS_NOSUID | MS_NOEXEC },
	{ "tmpfs", "/dev/shm", INIT_SHM_OPTS, MS_NOSUID | MS_NODEV },
	{ "tmpfs", "/run", INIT_RUN_OPTS, MS_NOSUID | MS_NODEV },
};

/* the mount table, read at shutdown */
static char mounts[1 << 17];

/* 1 when something is mounted on dir, as mountpoint(1) decides */
static int
mounted(const char *dir)
{
	char parent[64];
	struct stat st, pst;

	if (stat(dir, &st) < 0 || fmt(parent, sizeof(parent), "%s/..", dir) < 0 ||
	    stat(parent, &pst) < 0)
		return 0;
	return st.st_dev != pst.st_dev || st.st_ino == pst.st_ino;
}

void
sys_mount(void)
{
	size_t i;

	for (i = 0; i < LEN(mnts); i++) {
		if (mounted(mnts[i].dir))
			continue;
		if (mkdir(mnts[i].dir, 0755) < 0 && errno != EEXIST)
			warnf("cannot create %s:", mnts[i].dir);
		else if (mount(mnts[i].type, mnts[i].dir, mnts[i].type,
		    mnts[i].flags, mnts[i].opts) < 0)
			warnf("cannot mount %s on %s:", mnts[i].type, mnts[i].dir);
	}
}

/* 1 when /proc/self/ns/name is the initial namespace, -1 when unknown */
static int
initial(const char *name, unsigned long ino)
{
	char path[64];
	struct stat st;

	if (fmt(path, sizeof(path), "/proc/self/ns/%s", name) < 0 ||
	    stat(path, &st) < 0)
		return -1;
	return st.st_ino == ino;
}

void
sys_hostname(void)
{
	char buf[256], *s = buf;
	size_t len;

	/* a PID namespace that shares the host's UTS namespace */
	if (sys_initial_ns() != 1 && initial("uts", UTS_NS_INIT_INO) != 0) {
		warnf("the host's UTS namespace: host name left alone");
		return;
	}
	if (read_file("/etc/hostname", buf, sizeof(buf)) < 0) {
		if (errno != ENOENT)
			warnf("/etc/hostname:");
		return;
	}
	/* the first word that is not a comment */
	for (;;) {
		s += strspn(s, " \t\r\n");
		if (*s != '#')
			break;
		s += strcspn(s, "\n");
	}
	len = strcspn(s, " \t\r\n#");
	if (len && sethostname(s, len) < 0)
		warnf("cannot set the host name:");
}

void
sys_cad_off(void)
{
	if (reboot(RB_DISABLE_CAD) < 0)
		warnf("cannot disable Ctrl-Alt-Del:");
}

/* known once /proc could tell (it never changes): not asked again where
 * /proc is gone, as it is at the end of a shutdown */
int
sys_initial_ns(void)
{
	static int known = -1;

	if (known < 0)
		known = initial("pid", PID_NS_INIT_INO);
	return known;
}

/* the octal escapes of /proc/mounts (\040 for a space) in place */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else
			*d = *s;
	}
	*d = '\0';
}

/* one line of /proc/mounts: "source dir type options 0 0" */
static void
release(char *line)
{
	char *dir, *type;

	if (!(dir = strchr(line, ' ')) || !(type = strchr(++dir, ' ')))
		return;
	*type++ = '\0';
	type[strcspn(type, " ")] = '\0';
	unescape(dir);
	if (umount2(dir, 0) == 0 || errno == EINVAL || errno == ENOENT)
		return;    /* done, or no longer a mount point */
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		warnf("cannot unmount or remount read-only %s (%s):", dir, type);
}

void
sys_teardown(void)
{
	ssize_t n;
	char *p;

	sync();
	if (sys_initial_ns() != 1) {
		warnf("not the initial PID namespace: file systems left mounted");
		return;
	}
	if ((n = read_file("/proc/self/mounts", mounts, sizeof(mounts))) < 0) {
		warnf("cannot read /proc/self/mounts:");
		return;
	}
	if ((size_t)n == sizeof(mounts) - 1)
		warnf("too many mounts: the last ones are left mounted");
	/* from the last whole line to the first */
	while (n > 0 && mounts[n - 1] != '\n')
		n--;
	for (p = mounts + n; p > mounts;) {
		*--p = '\0';
		while (p > mounts && p[-1] != '\n')
			p--;
		release(p);
	}
	sync();
}

int
sys_reboot(int action)
{
	int cmd = action == A_HALT ? RB_HALT_SYSTEM :
	    action == A_POWEROFF ? RB_POWER_OFF : RB_AUTOBOOT;

	sync();
	return reboot(cmd);
}
