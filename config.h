/* See LICENSE file for copyright and license details. */
/* Compile-time defaults.  Times are in seconds unless the name says MS. */

/* paths; the environment variables SYSDIR and RUNDIR override them */
#define SYSDIR           "/var/sysmgr"
#define RUNDIR           "/run/sysmgr"

/* umask of runsyssv and of the services it starts */
#define SERVICE_UMASK    022

/* runsyssv: a service that ran at least MIN_RUNTIME is restarted at once,
 * otherwise after a delay doubling from BACKOFF_MIN up to BACKOFF_MAX */
#define MIN_RUNTIME      1
#define BACKOFF_MIN      1
#define BACKOFF_MAX      60

/* runsyssv: SIGTERM + SIGCONT, then SIGKILL after STOP_TIMEOUT */
#define STOP_TIMEOUT     7

/* sysmgr: retry delay (doubling up to BACKOFF_MAX) when runsyssv cannot run */
#define SPAWN_RETRY      1
/* sysmgr: rescan interval where inotify is not available */
#define SCAN_INTERVAL    5
/* sysmgr: extra time given to runsyssv after STOP_TIMEOUT at shutdown */
#define SHUTDOWN_GRACE   3

/* svctl: default -t, longer than STOP_TIMEOUT */
#define SVCTL_WAIT       10

/* init (init/init.c) -- begin */
/* init -- end */

/* devmaster (devmaster/) -- begin */
/* default -f, -d and -S */
#define DEVMASTER_CONF        "/etc/devmaster.conf"
#define DEVMASTER_DEVDIR      "/dev"
#define DEVMASTER_SYSFS       "/sys"
/* default -b: netlink receive buffer in bytes (a burst of 10,000 uevents
 * takes about 20 MB of kernel memory; it is only used while events wait) */
#define DEVMASTER_RCVBUF      (64UL * 1024 * 1024)
/* default -T: seconds a rule command may run before its group is killed */
#define DEVMASTER_CMD_TIMEOUT 30
/* the shell that runs rule commands */
#define DEVMASTER_SHELL       "/bin/sh"
/* mode of nodes no rule matched when the event has no DEVMODE */
#define DEVMASTER_MODE        0660
/* mode of the directories made for nodes (input/, dri/, ...) */
#define DEVMASTER_DIR_MODE    0755
/* at most one warning a kind in this many ms about dropped datagrams */
#define DEVMASTER_LOG_MS      10000
/* devmaster -- end */
