#!/bin/sh
# /etc/sysmgr/rc.boot of the Debian image: examples/rc.boot for a Debian
# system booted by its own kernel and initramfs (initramfs-tools).
#
# init runs it once, before it starts sysmgr, and waits for it.  The
# initramfs has mounted the root file system read-only ("ro" on the kernel
# command line) and moved /dev, /run, /proc and /sys onto it; init mounted
# whatever else was missing.  udev ran in the initramfs and was
# stopped before the handover: devmaster takes over from here.  Standard
# input, output and error are the console.

msg() { printf 'rc.boot: %s\n' "$*"; }

# Links that devtmpfs does not make.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s fd/2 /dev/stderr

# Debian's initramfs stops its udevd before the handover (`udevadm control
# --exit` in init-bottom/udev), which can give up on a busy machine and
# leave it running: stop it, devmaster takes over.
if pidof systemd-udevd >/dev/null 2>&1; then
	msg "stopping the udevd that the initramfs left"
	udevadm control --exit || kill $(pidof systemd-udevd)
fi

# The device manager, with a coldplug of the devices already there (the
# owners and modes of their nodes, their modules), then it listens.  The
# initramfs has loaded the drivers that the boot needs, so the boot goes on
# meanwhile, as it does under systemd with udev.  The coldplug runs at a
# low priority (nice 10), so that it takes mostly the time that the boot
# leaves (a modprobe for each of some 50 devices takes seconds under TCG),
# and devmaster is set back to the normal priority when it is done (-D 3:
# it writes a newline on fd 3 then).
# Its pid is kept for rc.shutdown.
msg "starting devmaster"
{
	nice -n 10 devmaster -c -D 3 3>&1 >&2 &
	echo $! >/run/devmaster.pid
} | {
	read -r _ && renice -n 0 -p "$(cat /run/devmaster.pid)" >/dev/null
} &

# Check the file systems of /etc/fstab (the root file system first, still
# read-only); fsck's status is a bit mask: 1 corrected, 2 reboot, 4 left.
fsck -A -T -a
rc=$?
if [ $((rc & 4)) -ne 0 ]; then
	msg "fsck could not correct every error: repair by hand, then exit"
	msg "this shell to go on with the boot"
	sulogin || sh
elif [ $((rc & 2)) -ne 0 ]; then
	msg "fsck changed the root file system: rebooting"
	kill -TERM 1     # SIGTERM to init: reboot
	exit 0
fi

# The root file system read-write, then the rest of /etc/fstab but what
# needs the network; swap.
msg "mounting file systems"
mount -o remount,rw /
mount -a -O no_netdev
swapon -a

# What systemd's tmpfiles would make: the lock directory, the login
# records; the kernel settings of /etc/sysctl.d.
mkdir -p -m 1777 /run/lock
install -m 0664 -g utmp /dev/null /run/utmp
sysctl -q --system

# The random seed saved at the last shutdown, replaced at once.
seed=/var/lib/random-seed
[ -f "$seed" ] && cat "$seed" >/dev/urandom
(umask 077; dd if=/dev/urandom of="$seed" bs=512 count=1 2>/dev/null)

# The network: lo, and a static address for qemu's user networking (on a
# machine of its own, `ifup -a` of ifupdown, or a DHCP client service).
/usr/local/sbin/net-static

exit 0
