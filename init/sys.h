/* See LICENSE file for copyright and license details. */
/* The Linux facilities of init, each behind one small function. */

enum { A_NONE, A_HALT, A_POWEROFF, A_REBOOT };

/* mount proc, sysfs, devtmpfs, devpts and tmpfs where nothing is mounted */
void sys_mount(void);
/* the host name from /etc/hostname */
void sys_hostname(void);
/* Ctrl-Alt-Del sends SIGINT to init instead of rebooting at once */
void sys_cad_off(void);
/* 1 in the initial PID namespace, 0 in another, -1 when unknown */
int sys_initial_ns(void);
/* sync, then unmount or remount read-only every file system, last first */
void sys_teardown(void);
/* sync, then reboot(2) with the command of action; returns only on failure */
int sys_reboot(int action);
