#!/bin/sh
# /etc/sysmgr/rc.boot: the boot script of init(8), an example.
#
# init runs it once, before it starts sysmgr, and waits for it.  By then
# init has mounted /proc, /sys, /dev, /dev/pts, /dev/shm and /run, set the
# host name from /etc/hostname and PATH (when the kernel gave none); the
# standard input, output and error are the console.  The root file system
# is still as the kernel mounted it: read-only with "ro" on the kernel
# command line, as fsck wants it.  An exit status other than 0 is reported
# on the console; the boot goes on either way.

msg() { printf 'rc.boot: %s\n' "$*"; }

# Links that devtmpfs does not make.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s fd/2 /dev/stderr

# The device manager, in the background: with -c it replays ("coldplugs")
# the devices that are already there once its socket is open, so that
# their nodes, permissions and modules are ready before fsck needs them.
# With -D 3 it writes a newline on fd 3, the pipe, when that is done: the
# read waits for it (and returns at once if devmaster fails).  Its pid is
# kept for rc.shutdown.
if command -v devmaster >/dev/null 2>&1; then
	msg "starting devmaster"
	{
		devmaster -c -D 3 3>&1 >&2 &
		echo $! >/run/devmaster.pid
	} | read -r _
fi

# Check the file systems of /etc/fstab with a pass number, the root file
# system first, while they are not mounted read-write.  fsck's status is a
# bit mask: 1 errors corrected, 2 reboot needed, 4 errors left.  Without
# fsck (busybox has none) nothing is checked.
rc=0
if command -v fsck >/dev/null 2>&1; then
	msg "checking file systems"
	fsck -A -T -a
	rc=$?
else
	msg "no fsck: file systems not checked"
fi
if [ $((rc & 4)) -ne 0 ]; then
	msg "fsck could not correct every error: repair by hand, then exit"
	msg "this shell to go on with the boot"
	sulogin || sh
elif [ $((rc & 2)) -ne 0 ]; then
	msg "fsck changed the root file system: rebooting"
	kill -TERM 1     # SIGTERM to init: reboot
	exit 0
fi

# Mount: the root file system read-write, then every file system of
# /etc/fstab but those that need the network (the _netdev option).
msg "mounting file systems"
mount -o remount,rw /
mount -a -O no_netdev

# Swap of /etc/fstab.
swapon -a

# The host name: init set it from /etc/hostname; a machine without that
# file gets a name rather than the kernel's "(none)".
if [ "$(cat /proc/sys/kernel/hostname)" = "(none)" ]; then
	echo localhost >/proc/sys/kernel/hostname
fi

# The random seed saved at the last shutdown: writing to /dev/urandom mixes
# it into the pool.  It is replaced at once, so that a crash before the next
# clean shutdown never makes the same seed serve twice.
seed=/var/lib/random-seed
if [ -f "$seed" ]; then
	cat "$seed" >/dev/urandom
fi
(umask 077; dd if=/dev/urandom of="$seed" bs=512 count=1 2>/dev/null)

# The loopback interface, which services expect.
if command -v ip >/dev/null 2>&1; then
	ip link set lo up
fi

exit 0
