# bench/lib.sh: the supervisors under test, behind one set of functions.
# Sourced by bench/ns inside a PID namespace, with W (a scratch directory),
# B (bench/), OURS (the directory of our binaries) and FIFO set.
#
# SUP is one of: sysmgr runit s6 daemontools.  Every service is the same
# #!/bin/sh script for all of them: ours take it as SYSDIR/NAME, the peers
# as DIR/NAME/run.

SV=$W/sv          # the scan directory of the peers
SYSDIR=$W/sys     # ours
RUNDIR=$W/run
export SYSDIR RUNDIR

# the processes that supervise, by /proc/PID/comm: the scanner first
sup_procs() {
	case $1 in
	sysmgr) echo "sysmgr runsyssv" ;;
	runit) echo "runsvdir runsv" ;;
	s6) echo "s6-svscan s6-supervise" ;;
	daemontools) echo "svscan supervise" ;;
	esac
}

# the per-service supervisor alone
sup_per_service() {
	set -- $(sup_procs "$1")
	echo "$2"
}

# script TEXT FILE: a #!/bin/sh script made executable
script() {
	printf '#!/bin/sh\n%s\n' "$1" >"$2.tmp" && chmod 755 "$2.tmp" &&
		mv "$2.tmp" "$2"
}

# service SUP NAME BODY [DIR]: install a service (in DIR, to be renamed
# into place later, else where SUP looks)
service() {
	if [ "$1" = sysmgr ]; then
		mkdir -p "${4:-$SYSDIR}"
		script "$3" "${4:-$SYSDIR}/$2"
	else
		mkdir -p "${4:-$SV}/$2"
		script "$3" "${4:-$SV}/$2/run"
	fi
}

# services SUP N BODY: N services s0 ... s(N-1), made with few processes
services() {
	dirs= i=0
	while [ $i -lt "$2" ]; do
		dirs="$dirs $SV/s$i"
		i=$((i + 1))
	done
	if [ "$1" = sysmgr ]; then
		mkdir -p "$SYSDIR"
		for d in $dirs; do
			printf '#!/bin/sh\n%s\n' "$3" >"$SYSDIR/${d##*/}"
		done
		chmod 755 "$SYSDIR"/*
	else
		mkdir -p $dirs
		for d in $dirs; do
			printf '#!/bin/sh\n%s\n' "$3" >"$d/run"
		done
		chmod 755 "$SV"/*/run
	fi
}

# where a service staged in DIR by `service SUP NAME BODY DIR` goes
service_path() {
	if [ "$1" = sysmgr ]; then echo "$SYSDIR/$2"; else echo "$SV/$2"; fi
}

# the command that starts SUP on its directory (in the foreground)
sup_cmd() {
	mkdir -p "$SYSDIR" "$SV"
	case $1 in
	sysmgr) echo "$SYSMGR" ;;
	runit) echo "runsvdir $SV" ;;
	s6) echo "s6-svscan ${S6_OPTS:-} $SV" ;;
	daemontools) echo "svscan $SV" ;;
	esac
}

# the ordinary command that stops a service
stop_cmd() {
	case $1 in
	sysmgr) echo "$OURS/svctl stop $2" ;;
	runit) echo "sv stop $SV/$2" ;;
	s6) echo "s6-svc -d $SV/$2" ;;
	daemontools) echo "svc -d $SV/$2" ;;
	esac
}

# the body of the standard long-running service: tells FIFO its pid, then
# becomes a sleep (ARG tells the instances apart in ps)
long_body() {
	printf 'echo $$ >%s\nexec sleep %s' "$FIFO" "${1:-100000}"
}

# sum VALUES...: "count sum max" of the third column of procs output
sum3() {
	awk '{ n++; s += $3; if ($3 > m) m = $3 } END { printf "%d %d %d\n", n, s, m }'
}
