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
/* devmaster -- end */
