/* See LICENSE file for copyright and license details. */
/*
 * Kernel uevent datagrams: "ACTION@DEVPATH\0" then "KEY=VALUE\0" strings.
 * uevent_parse() validates one and indexes it without copying.
 */
#include <stddef.h>

#define UEVENT_VARS_MAX 64     /* UEVENT_NUM_ENVP of the kernel */
#define UEVENT_SIZE_MAX 8192   /* the header and 2048 bytes of variables */
#define DEV_MAJOR_MAX   4095u  /* Linux's dev_t: 12 bits major, 20 minor */
#define DEV_MINOR_MAX   1048575u

struct uevent {
	const char *action;        /* add, remove, change, move, bind, ... */
	const char *devpath;       /* /devices/..., under SYSFS */
	const char *subsystem;
	const char *devname;       /* NULL when absent, as the three below */
	const char *devpath_old;
	const char *major_s, *minor_s, *devmode_s;
	unsigned major, minor;
	int has_dev;               /* MAJOR and MINOR were given */
	int mode;                  /* DEVMODE & 0777, or -1 */
	const char *var[UEVENT_VARS_MAX];   /* "KEY=VALUE", in order */
	size_t nvar;
};

/* NULL when buf[0..len) is a valid uevent (*ev filled), else what is wrong */
const char *uevent_parse(struct uevent *ev, const char *buf, size_t len);
/* the value of KEY, or NULL */
const char *uevent_get(const struct uevent *ev, const char *key);
/* a mode of 1 to 4 octal digits, masked to 0777; -1 if s is not one */
int parse_mode(const char *s);
