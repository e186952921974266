#!/bin/sh
# sysmgr: log=console
# The guest side of tests/boot.test: the service /var/sysmgr/boottest of the
# test image, run by the image's sysmgr like any other service.  It checks
# the running system and prints one line per result on the console,
#     BOOTTEST: NAME ok DETAILS    or    BOOTTEST: NAME FAIL DETAILS
# and data lines (BOOTTEST: node|status|http|token|boot-time ...) that the
# host compares with what it expects, then powers the machine off.  It
# waits for httpd (so for syslogd), which makes it the first service that
# the shutdown stops: its SIGTERM trap checks that httpd and syslogd are
# still up then.  Its output goes to the console (log=console), where the
# host reads it.
sysmgr-depends httpd

SERVICES="syslogd crond httpd getty"
RUNDIR=${RUNDIR:-/run/sysmgr}

say() { echo "BOOTTEST: $*"; }
# result NAME DETAILS COMMAND...: ok or FAIL as COMMAND succeeds
result() {
	_name=$1 _details=$2
	shift 2
	if "$@"; then say "$_name ok $_details"; else say "$_name FAIL $_details"; fi
}
# within SECONDS COMMAND...: poll COMMAND every 0.1 s, at most SECONDS
within() {
	_n=$(($1 * 10))
	shift
	until "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}
field() { svctl show "$1" 2>/dev/null | sed -n "s/^$2=//p"; }
all_up() { svctl status $SERVICES >/dev/null 2>&1; }
pids() { for s in $SERVICES boottest; do printf '%s=%s ' "$s" "$(field "$s" pid)"; done; }
ppid() { sed -n 's/^PPid:[[:space:]]*//p' "/proc/$1/status"; }

# At the shutdown, after a while in which a parallel stop would have
# stopped them too, the services this one depends on must still be up.
stopping() {
	sleep 0.5
	result shutdown-order "httpd and syslogd up while boottest stops" \
	    svctl status httpd syslogd
	exit 0
}
trap stopping TERM

# Once only: a restart of this service after a failure just waits.
if [ -e /run/boottest.started ]; then
	say "restarted FAIL boottest ran again"
	exec sleep 100000
fi
: >/run/boottest.started
say "started"

# Boot time: from the kernel's "Run /sbin/init" (printk time, which keeps
# with CLOCK_MONOTONIC, within 0.05 s here) to the last service that
# became UP (the CLOCK_MONOTONIC ms stamp of its status file).
if within 60 all_up; then
	init_ms=$(dmesg | awk '/Run \/sbin\/init as init process/ {
	    sub(/^\[ */, ""); printf "%d\n", $1 * 1000 }')
	up_ms=0
	for s in $SERVICES; do
		t=$(sed -n 's/^stamp=//p' "$RUNDIR/$s/status")
		[ "$t" -gt "$up_ms" ] && up_ms=$t
	done
	# sysmgr's start, in clock ticks (1/100 s) since boot: rc.boot's end
	sm_ms=$(($(cut -d' ' -f22 "/proc/$(pidof sysmgr)/stat") * 10))
	say "boot-time $((up_ms - init_ms)) ms from init to all services up" \
	    "(kernel to init $init_ms ms, init to sysmgr $((sm_ms - init_ms))" \
	    "ms, sysmgr to all up $((up_ms - sm_ms)) ms)"
fi
svctl status 2>&1 | while read -r line; do say "status $line"; done
result services "$SERVICES" all_up

# PID 1 is our init, sysmgr its child.
sm=$(pidof sysmgr)
result pid1 "exe=$(readlink /proc/1/exe) sysmgr=$sm ppid=$(ppid "$sm")" eval \
    '[ "$(readlink /proc/1/exe)" = /sbin/init ] && [ "$(ppid "$sm")" = 1 ]'

# devmaster: the driver of the virtio disk loaded through its MODALIAS, and
# /dev/vda made.  The kernel loads no driver for a device by itself, and it
# did not ask for this one either (the test's /sbin/modprobe, which the
# kernel runs, logs what it asks for): so devmaster's rule loaded it, as a
# dry-run replay of the device's event shows it would.  (The rule's
# modprobe is busybox's, run by busybox sh without a PATH search.)
dev=$(readlink -f /sys/block/vda/device)
ev=${dev#/sys}
sub=$(readlink "$dev/subsystem")
replay=$({ printf 'add@%s\0ACTION=add\0DEVPATH=%s\0SUBSYSTEM=%s\0' \
    "$ev" "$ev" "${sub##*/}"; tr '\n' '\0' <"$dev/uevent"; printf '\0'; } |
    devmaster -n -r - 2>&1)
driver=$(readlink "$dev/driver")
result virtio_blk "${driver##*/} $(grep MODALIAS "$dev/uevent"), replay: $replay" \
    eval '[ "${driver##*/}" = virtio_blk ] && [ -b /dev/vda ] &&
    ! grep -q virtio /run/modprobe.log &&
    echo "$replay" | grep -q "^run modprobe .*MODALIAS"'
for n in null zero full random urandom tty ptmx console ttyS1 kmsg mem vda; do
	t=char
	[ -b "/dev/$n" ] && t=block
	set -- $(stat -c '%t %T' "/dev/$n")
	sub=$(readlink "/sys/dev/$t/$((0x$1)):$((0x$2))/subsystem")
	say "node $n ${sub##*/} $(stat -c '%U:%G %a' "/dev/$n" 2>&1)"
done

# rc.boot mounted the disk (/etc/fstab), read-write; its token
result disk "$(grep ' /srv ' /proc/mounts)" grep -q '^/dev/vda /srv ext4 rw' /proc/mounts
say "token $(cat /srv/token)"

# the web server answers, with the page of the disk
say "http $(timeout 10 wget -q -O - http://127.0.0.1/ 2>&1)"

# a service killed with SIGKILL comes back with a new pid
old=$(field crond pid)
kill -9 "$old"
new_crond() { new=$(field crond pid) && [ -n "$new" ] && [ "$new" != "$old" ] &&
    [ "$(field crond state)" = up ]; }
within 10 new_crond
result respawn "crond pid $old -> $new" new_crond

# sysmgr killed with SIGKILL: init starts another, which takes over the
# services; none changes its pid during 2 s.
before=$(pids)
kill -9 "$sm"
new_sysmgr() { nsm=$(pidof sysmgr) && [ -n "$nsm" ] && [ "$nsm" != "$sm" ] &&
    grep -Eq "POSIX +ADVISORY +WRITE +$nsm " /proc/locks; }
same_pids() { [ "$(pids)" = "$before" ]; }
within 10 new_sysmgr
sleep 2
result sysmgr-killed "sysmgr $sm -> $nsm (ppid $(ppid "$nsm")), $(pids)" eval \
    '[ "$(ppid "$nsm")" = 1 ] && same_pids && all_up &&
    [ "$(pidof runsyssv | wc -w)" = 5 ]'

# a file for the host to find on the disk after the power-off, which must
# have written it and unmounted the disk cleanly
echo "written $(cat /srv/token)" >/srv/written
say "poweroff"
poweroff
sleep 100000 &
wait
