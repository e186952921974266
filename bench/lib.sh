# bench/lib.sh: the supervisors under test, behind one set of functions.
# Sourced by bench/ns inside a PID namespace, with W (a scratch directory),
# B (bench/), OURS (the directory of our binaries) and FIFO set.
#
# SUP is one of: sysmgr runit s6 daemontools nitro dinit, or floor (the
# least a supervisor can do: bench/floor in measure 1, bench/fleet on
# SYSDIR in measure 5) and floor-each (bench/fleet -e: a process of its
# own a service).  Every service is
# the same #!/bin/sh script for all of them: ours take it as SYSDIR/NAME,
# the peers as DIR/NAME/run; dinit runs DIR/NAME/run as the command of a
# service description DD/NAME ("type = process", plus $DINIT_OPTS, one
# setting a line), which its boot service waits for (a file BOOTD/NAME).
# nitro and dinit (built by bench/peers) are on PATH.

SV=$W/sv          # the scan directory of the peers
# ours: SYSDIR alone in its parent, which sysmgr watches (for SYSDIR
# itself): the helpers' files in $W would wake it
SYSDIR=$W/ours/sys
RUNDIR=$W/run
LOGDIR=$W/logs    # ours (never the host's /var/log/sysmgr); the peers' logs
DD=$W/dinit.d     # dinit's service descriptions
BOOTD=$W/boot.d   # the services dinit's boot service waits for
NITRO_SOCK=$W/nitro.sock
DINIT_SOCK=$W/dinit.sock
DINIT_OPTS=${DINIT_OPTS:-}
export SYSDIR RUNDIR LOGDIR NITRO_SOCK

# the processes that supervise, by /proc/PID/comm: the scanner first
sup_procs() {
	case $1 in
	floor) echo fleet ;;
	floor-each) echo "fleet fleet-sv" ;;
	sysmgr) echo "sysmgr runsyssv" ;;
	runit) echo "runsvdir runsv" ;;
	s6) echo "s6-svscan s6-supervise" ;;
	daemontools) echo "svscan supervise" ;;
	nitro) echo nitro ;;
	dinit) echo dinit ;;
	esac
}

# the per-service supervisor alone, none for nitro and dinit (one process
# for every service)
sup_per_service() {
	set -- $(sup_procs "$1")
	echo "${2:-}"
}

# dinit_desc NAME [DIR]: the description of service NAME (in DIR, to be
# renamed into place later, else in DD and waited for by boot); the
# directories exist
dinit_desc() {
	{
		echo "type = process"
		echo "command = $SV/$1/run"
		[ -n "$DINIT_OPTS" ] && printf '%s\n' "$DINIT_OPTS"
	} >"${2:-$DD}/$1"
	[ -n "${2:-}" ] || : >"$BOOTD/$1"
}

# dinit's boot service: it waits for every service of BOOTD
dinit_boot() {
	mkdir -p "$DD" "$BOOTD"
	printf 'type = internal\nwaits-for.d = %s\n' "$BOOTD" >"$DD/boot"
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
	elif [ "$1" = dinit ]; then
		mkdir -p "$SV/$2"
		script "$3" "$SV/$2/run"
		mkdir -p "${4:-$DD}" "$BOOTD"
		dinit_desc "$2" "${4:-}"
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
	if [ "$1" = sysmgr ] || [ "$1" = floor ] || [ "$1" = floor-each ]; then
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
		if [ "$1" = dinit ]; then
			mkdir -p "$DD" "$BOOTD"
			for d in $dirs; do
				dinit_desc "${d##*/}"
			done
		fi
	fi
}

# where a service staged in DIR by `service SUP NAME BODY DIR` goes
service_path() {
	case $1 in
	sysmgr) echo "$SYSDIR/$2" ;;
	dinit) echo "$DD/$2" ;;
	*) echo "$SV/$2" ;;
	esac
}

# the command that starts SUP on its directory (in the foreground); dinit
# logs to a file (not syslog), as the others to $W/log
sup_cmd() {
	mkdir -p "$SYSDIR" "$SV"
	case $1 in
	floor) echo "$B/fleet $SYSDIR" ;;
	floor-each) echo "$B/fleet -e $SYSDIR" ;;
	sysmgr) echo "$SYSMGR" ;;
	runit) echo "runsvdir $SV" ;;
	s6) echo "s6-svscan ${S6_OPTS:-} $SV" ;;
	daemontools) echo "svscan $SV" ;;
	nitro) echo "nitro $SV" ;;
	dinit) dinit_boot
		echo "dinit -q -d $DD -p $DINIT_SOCK -l $W/dinit.log" ;;
	esac
}

# the ordinary command that stops a service
stop_cmd() {
	case $1 in
	sysmgr) echo "$OURS/svctl stop $2" ;;
	runit) echo "sv stop $SV/$2" ;;
	s6) echo "s6-svc -d $SV/$2" ;;
	daemontools) echo "svc -d $SV/$2" ;;
	nitro) echo "nitroctl down $2" ;;
	dinit) echo "dinitctl -p $DINIT_SOCK stop $2" ;;
	esac
}

# how SUP is told to stop every service and exit: "SIGNAL" for the
# scanner, or "-" when it has no such signal (svscan dies of SIGTERM and
# leaves the services running; so does runsvdir, whose SIGHUP stops them)
shutdown_sig() {
	case $1 in
	runit) echo HUP ;;
	daemontools) echo - ;;
	*) echo TERM ;;
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
