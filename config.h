/* See LICENSE file for copyright and license details. */
/* Compile-time defaults.  Times are in seconds unless the name says MS. */

/* paths; the environment variables SYSDIR, RUNDIR and LOGDIR override them */
#define SYSDIR           "/var/sysmgr"
#define RUNDIR           "/run/sysmgr"
#define LOGDIR           "/var/log/sysmgr"

/* umask of runsyssv and of the services it starts */
#define SERVICE_UMASK    022

/* runsyssv: a service that ran at least MIN_RUNTIME is restarted at once,
 * otherwise after a delay doubling from BACKOFF_MIN up to BACKOFF_MAX */
#define MIN_RUNTIME      1
#define BACKOFF_MIN      1
#define BACKOFF_MAX      60

/* runsyssv: a script that calls sysmgr-depends is STARTING until the
 * helper returns, or for DEPENDS_GRACE if it does not call it after all */
#define DEPENDS_GRACE    5

/* runsyssv: SIGTERM + SIGCONT, then SIGKILL after STOP_TIMEOUT (the
 * default of the stop-signal and stop-timeout settings) */
#define STOP_TIMEOUT     7

/* settings: lines "# sysmgr: key=value ..." among the first SETTINGS_LINES
 * lines of a script, within its first SCRIPT_HEAD bytes */
#define SETTINGS_LINES   32
#define SCRIPT_HEAD      8192

/* runsyssv: ready=notify or ready=fd:N, not ready after READY_TIMEOUT: the
 * service is stopped and restarted with the backoff */
#define READY_TIMEOUT    60
/* runsyssv: datagrams of NOTIFY_SOCKET read at most in one wake-up, so
 * that a flood of them (anyone may send) never holds it from the rest */
#define NOTIFY_BATCH     16

/* logs (LOGDIR/NAME/current): a line is cut after LOG_LINE_MAX bytes;
 * current is rotated past LOG_SIZE bytes, LOG_KEEP old files are kept;
 * LOG_PIPE bytes of output wait for runsyssv in the FIFO at most */
#define LOG_LINE_MAX     4000
#define LOG_SIZE         (1024UL * 1024)
#define LOG_KEEP         10
#define LOG_PIPE         (256 * 1024)

/* sysmgr: retry delay (doubling up to BACKOFF_MAX) when runsyssv cannot run */
#define SPAWN_RETRY      1
/* sysmgr: rescan interval where inotify is not available */
#define SCAN_INTERVAL    5
/* sysmgr: extra time given to runsyssv after STOP_TIMEOUT at shutdown */
#define SHUTDOWN_GRACE   3

/* svctl: default -t, or the service's stop-timeout (and ready-timeout,
 * when it starts it) plus SVCTL_MARGIN when that is longer */
#define SVCTL_WAIT       10
#define SVCTL_MARGIN     3

/* init (init/init.c) -- begin */
/* PATH of init and its children when the kernel gave none */
#define INIT_PATH        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* run, when executable, at boot (waited for) and at shutdown */
#define INIT_RC_BOOT     "/etc/sysmgr/rc.boot"
#define INIT_RC_SHUTDOWN "/etc/sysmgr/rc.shutdown"
/* boot: time for rc.boot, after which sysmgr starts while it goes on */
#ifndef INIT_RC_BOOT_WAIT
#define INIT_RC_BOOT_WAIT 120
#endif
/* the supervisor: a name looked up in PATH, or an absolute path */
#define INIT_SYSMGR      "sysmgr"
/* a sysmgr that ran less than INIT_MIN_RUNTIME is started again after a
 * delay doubling from INIT_BACKOFF_MIN up to INIT_BACKOFF_MAX, else at once */
#define INIT_MIN_RUNTIME 1
#define INIT_BACKOFF_MIN 1
#define INIT_BACKOFF_MAX 30
/* shutdown: time for sysmgr to stop every service (longer when sysmgr
 * says in RUNDIR/.sysmgr.stop that its services need more, at most
 * INIT_SYSMGR_MAX away: a time further is not taken), for rc.shutdown,
 * for every process after SIGTERM (the grace time) and after SIGKILL */
#ifndef INIT_SYSMGR_WAIT
#define INIT_SYSMGR_WAIT 30
#endif
#define INIT_SYSMGR_MAX  900
#define INIT_RC_WAIT     30
#define INIT_GRACE       3
#define INIT_KILL_WAIT   2
/* init: in a PID namespace, how often the end of processes that are not
 * its children (nsenter) is looked for, in ms, while it waits for them */
#define INIT_POLL_MS     100
/* the console, opened on whichever of fds 0-2 the kernel left closed */
#define INIT_CONSOLE     "/dev/console"
/* options of the file systems mounted at boot */
#define INIT_DEV_OPTS    "mode=0755"
#define INIT_PTS_OPTS    "gid=5,mode=0620,ptmxmode=0666"
#define INIT_SHM_OPTS    "mode=1777"
#define INIT_RUN_OPTS    "mode=0755"
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
/* at most one warning in this many ms about dropped uevents (netlink) */
#define DEVMASTER_LOG_MS      10000
/* devmaster -- end */
