# bench/measures.sh: the measures, m_NAME SUP [ARGS], run by bench/ns.
# Each prints "RESULT ..." lines and returns non-zero when it could not
# measure.  Times are in ms.

# start SUP in the background on what was installed, its log in $W/log
sup_start() {
	$(sup_cmd "$1") >>"$W/log" 2>&1 &
}

# the last lines of the log, for a measure that failed
show_log() {
	echo "--- $1: $2; log:" >&2
	tail -n 20 "$W/log" >&2 2>/dev/null
	return 1
}

# 1. respawn latency after SIGKILL; SUP may be "floor".  dinit gives up
# after 3 restarts in 10 s by default: here it may restart for ever, as
# the others do
m_respawn() {
	if [ "$1" = floor ]; then
		script "$(long_body)" "$W/svc"
		"$B/floor" "$W/svc" >>"$W/log" 2>&1 &
	else
		[ "$1" = dinit ] && DINIT_OPTS="restart-limit-count = 0"
		service "$1" svc "$(long_body)"
		sup_start "$1"
	fi
	r=$("$B/respawn" -n "$KILLS" -s "$SETTLE" -t 5000 "$FIFO") ||
		show_log "$1" "respawn failed" || return 1
	echo "$r" | sed 's/^/RESULT /'
}

# 2. crash loop: starts and supervisor CPU (ns) over SECONDS
m_crash() {
	service "$1" crash "echo \$\$ >>$W/starts
exit 1"
	sup_start "$1"
	sleep "$2"
	starts=$(wc -l <"$W/starts" 2>/dev/null || echo 0)
	set -- $("$B/procs" cpu $(sup_procs "$1") | sum3)
	echo "RESULT $starts $1 $2"
}

# N long-running services: the time until all run; their pids into
# $W/pids
m_up() {
	services "$1" "$2" "$(long_body)"
	r=$("$B/lines" -n "$2" -t 60000 -o "$W/pids" "$FIFO" -- $(sup_cmd "$1") 2>>"$W/log") ||
		show_log "$1" "not all up: $r" || return 1
	echo "RESULT up $r"
}

# 3 and 4. N long-running services: context switches of every
# supervision process over IDLE seconds, Pss; then, for a scanner whose
# SIGTERM is not its shutdown, what SIGTERM does (3 s watched)
m_tree() {
	sup=$1 n=$2 idle=$3
	m_up "$sup" "$n" || return 1
	sleep "$IDLE_SETTLE"
	"$B/procs" ctxsw $(sup_procs "$sup") >"$W/before"
	sleep "$idle"
	"$B/procs" ctxsw $(sup_procs "$sup") >"$W/after"
	# per process: the switches in the window; every one of them counts
	echo "RESULT idle $(awk 'NR == FNR { b[$1] = $3; next }
	    { d = $3 - b[$1]; t += d; n++; if (d) w++ }
	    END { printf "%d %d %d\n", t, w, n }' "$W/before" "$W/after")"
	per=$(sup_per_service "$sup")
	"$B/procs" pss $(sup_procs "$sup") >"$W/pss"
	echo "RESULT pss $(awk -v per="$per" '{ t += $3 }
	    $2 == per { s += $3; n++ } $2 != per { top += $3 }
	    END { printf "%.1f %d %d %d\n", n ? s / n : 0, t, top, n }' "$W/pss")"
	[ "$(shutdown_sig "$sup")" = TERM ] ||
		echo "RESULT term $(watch_exit "$sup" TERM 3000)"
}

# watch_exit SUP SIGNAL TIMEOUT_MS: SIGNAL to the scanner, then "ms until
# it exited, ms until it and every service and supervision process had"
# (bench/exits), the services those of $W/pids
watch_exit() {
	"$B/procs" cpu $(sup_procs "$1") >"$W/sups"
	set -- "$(set -- $(sup_procs "$1"); echo "$1")" "$2" "$3"
	pid=$(awk -v s="$1" '$2 == s { print $1 }' "$W/sups")
	cat "$W/pids" "$W/sups" >"$W/watch"
	"$B/exits" -t "$3" "$2" "$pid" "$W/watch" 2>>"$W/log" ||
		show_log "$1" "exits failed"
}

# 5. the time of one status command over the services of m_tree
status_cmd() {
	case $1 in
	sysmgr) echo "$OURS/svctl status" ;;
	runit) echo "sv status $SV/*" ;;
	s6) echo "sh -c 'for d in $SV/*; do s6-svstat \$d; done'" ;;
	daemontools) echo "svstat $SV/*" ;;
	nitro) echo "nitroctl list" ;;
	dinit) echo "dinitctl -p $DINIT_SOCK list" ;;
	esac
}
# nitro f9761d5 answers "list" in a 4 kB buffer on its stack whose bound is
# never checked (nitro.c, T_CMD_LIST: replyend - replybuf for replyend -
# reply): beyond about 107 services the reply overruns it and nitro dies,
# or worse (here it took the namespace's PID 1 with it)
status_max() {
	case $1 in nitro) echo 100 ;; *) echo 1000000 ;; esac
}

# 5. N services: all up, a status command over them, then the shutdown:
# the supervisor's signal to stop everything, until every process is gone
m_scale() {
	sup=$1
	# s6-svscan supervises at most 1000 service directories, counting
	# more than the services themselves, unless told (-c)
	S6_OPTS="-c $(($2 * 2))"
	m_up "$sup" "$2" || return 1
	if [ "$2" -le "$(status_max "$sup")" ]; then
		n=$2
		eval "set -- $(status_cmd "$sup")"
		echo "RESULT status $("$B/timecmd" -n "$STATUS_RUNS" -- "$@")"
		set -- "$sup" "$n"
	fi
	sig=$(shutdown_sig "$sup")
	[ "$sig" = - ] && return
	echo "RESULT shutdown $(watch_exit "$sup" "$sig" "$SHUT_TO")"
}

# a random pause of 0 to 999 ms, so that a new service comes at any phase
# of a supervisor's periodic scan
random_pause() {
	sleep "0.$(od -An -N2 -tu2 /dev/urandom | awk '{ printf "%03d", $1 % 1000 }')"
}

# the command that makes SUP see a new service NAME (with "ctl")
notice_cmd() {
	case $1 in
	s6) echo "s6-svscanctl -a $SV" ;;
	nitro) echo "nitroctl rescan" ;;
	dinit) echo "dinitctl -p $DINIT_SOCK start $2" ;;
	esac
}

# 6. time from the rename(2) of a new service into place until it runs;
# TRIALS new services (fewer when one is not noticed at all); with "ctl",
# the command that tells SUP (notice_cmd), right after the rename
m_newsvc() {
	sup=$1 trials=$2 timeout=$3 ctl=${4:-}
	service "$sup" first "$(long_body)"
	r=$("$B/lines" -n 1 -t 30000 "$FIFO" -- $(sup_cmd "$sup") 2>>"$W/log") ||
		show_log "$sup" "not up: $r" || return 1
	i=0
	while [ $i -lt "$trials" ]; do
		service "$sup" "new$i" "$(long_body)" "$W/stage"
		random_pause
		if [ "$ctl" = ctl ]; then
			r=$("$B/lines" -t "$timeout" -r "$W/stage/new$i" \
			    "$(service_path "$sup" "new$i")" "$FIFO" -- \
			    $(notice_cmd "$sup" "new$i") 2>>"$W/log")
		else
			r=$("$B/lines" -t "$timeout" -r "$W/stage/new$i" \
			    "$(service_path "$sup" "new$i")" "$FIFO" 2>>"$W/log")
		fi
		set -- $r
		echo "RESULT $1"
		[ "$1" = timeout ] && break
		i=$((i + 1))
	done
}

# 7. sysmgr-depends: from the status of the dependency saying UP to the
# line of the waiter that was blocked in "sysmgr-depends a"
m_depwake() {
	trials=$2
	mkdir -p "$SYSDIR"
	script "exec sleep 100000" "$SYSDIR/a"
	mkdir -p "$RUNDIR/a"
	i=0
	while [ $i -lt "$trials" ]; do
		{ "$OURS/sysmgr-depends" -t 20 a && echo woke >"$FIFO"; } 2>>"$W/log" &
		sleep 0.3
		r=$("$B/depwake" -t 10000 "$RUNDIR/a" status state=up "$FIFO" -- \
		    "$OURS/runsyssv" "$SYSDIR/a" 2>>"$W/log") ||
			show_log sysmgr-depends "$r" || return 1
		set -- $r
		echo "RESULT $1"
		# runsyssv stops a and exits on SIGTERM
		pid=$(sed -n 's/^supervisor=//p' "$RUNDIR/a/status")
		kill -TERM "$pid"
		wait_gone "$pid" || return 1
		i=$((i + 1))
	done
}

# wait_gone PID: until the process is dead (a zombie counts), 10 s at most
wait_gone() {
	n=0
	while [ -e "/proc/$1/stat" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		n=$((n + 1))
		[ $n -gt 1000 ] && { echo "pid $1 still there after 10 s" >&2; return 1; }
		sleep 0.01
	done
}

# 8. stop of a service that ignores SIGTERM, then of one whose script left
# a grandchild in its own session: ms until gone, or left:N after TIMEOUT
m_stop() {
	sup=$1 timeout=$2
	service "$sup" stuck "trap '' TERM
echo \$\$ >$FIFO
exec sleep 100002"
	service "$sup" forker "setsid sleep 100003 &
echo \$\$ >$FIFO
exec sleep 100004"
	r=$("$B/lines" -n 2 -t 30000 "$FIFO" -- $(sup_cmd "$sup") 2>>"$W/log") ||
		show_log "$sup" "not up: $r" || return 1
	sleep 1.5          # past every minimum run time; setsid has run
	echo "RESULT stuck $("$B/gone" -t "$timeout" "sleep 100002" -- $(stop_cmd "$sup" stuck))"
	echo "RESULT forker $("$B/gone" -t 3000 "sleep 100004" "sleep 100003" -- $(stop_cmd "$sup" forker))"
}

# 9. device managers.  The events: an "add" for every device of
# /sys/dev/char and /sys/dev/block as the kernel would send it, in
# devmaster's replay format, the whole set repeated until there are N
make_events() {
	for d in /sys/dev/char/* /sys/dev/block/*; do
		p=$(readlink -f "$d") || continue
		p=${p#/sys}
		s=$(readlink "$d/subsystem") || continue
		printf 'add@%s\0ACTION=add\0DEVPATH=%s\0SUBSYSTEM=%s\0' "$p" "$p" "${s##*/}"
		tr '\n' '\0' <"$d/uevent"
		printf '\0'
	done >"$W/set"
	per=$(tr -cd '@' <"$W/set" | wc -c)
	n=0
	: >"$1"
	while [ $n -lt "$2" ]; do
		cat "$W/set" >>"$1"
		n=$((n + per))
	done
	echo "$n"
}

# the uevent files of the real kernel events: the sentinel, then the rest
MEM=/sys/devices/virtual/mem
kevent_files() {
	echo "$MEM/full/uevent $MEM/null/uevent $MEM/zero/uevent $MEM/random/uevent $MEM/urandom/uevent"
}

# the datagrams the kernel dropped for the uevent socket of PID (the Drops
# of /proc/net/netlink), "?" when it cannot be found
nl_drops() {
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f") || continue
		case $l in
		socket:\[*\])
			i=${l#socket:[}
			awk -v i="${i%]}" '$2 == 15 && $10 == i { print $9; f = 1 }
			    END { exit !f }' /proc/net/netlink && return ;;
		esac
	done
	echo "?"
}

# devmaster: replay of N events, N real kernel events, coldplug; into
# directories of this tmpfs, never /dev
m_devmaster() {
	n=$(make_events "$W/events" "$2")
	: >"$W/empty"
	mkdir "$W/dm"
	set -- $("$B/timecmd" -n "$DEV_RUNS" -p "rm -rf $W/dm && mkdir $W/dm" -- \
	    "$DM" -r "$W/events" -d "$W/dm" -f "$W/none" 2>>"$W/log") ||
		show_log devmaster "replay failed" || return 1
	echo "RESULT replay $n $2"
	rm -rf "$W/dm" && mkdir "$W/dm"
	"$DM" -d "$W/dm" -f "$W/none" 2>>"$W/log" &
	r=$("$B/kevents" -n "$KEVENTS" -t 30000 "$W/dm" full $(kevent_files) 2>>"$W/log") ||
		show_log devmaster "kernel events: $r" || return 1
	echo "RESULT kernel $r $(nl_drops $!)"
	kill $!
	set -- $("$B/timecmd" -n "$DEV_RUNS" -p "rm -rf $W/dm && mkdir $W/dm" -- \
	    "$DM" -c -r "$W/empty" -d "$W/dm" -f "$W/none" 2>>"$W/log") ||
		show_log devmaster "coldplug failed" || return 1
	echo "RESULT coldplug $2 $(find "$W/dm" ! -type d | wc -l)"
}

# the same for busybox mdev, which only ever writes to /dev: /dev is a new
# tmpfs of this mount namespace first, and every run checks that it still
# is (a marker file and the type), so the host's /dev is never touched
dev_is_ours() {
	[ -e /dev/.bench-marker ] && [ "$(stat -f -c %T /dev)" = tmpfs ]
}
fresh_dev() {
	mount -t tmpfs -o mode=755 bench-dev /dev && : >/dev/.bench-marker
}
m_mdev() {
	n=$(make_events "$W/events" "$2")
	: >"$W/empty"
	# no rules, as devmaster -f with no file
	if [ -e /etc/mdev.conf ]; then
		mount --bind "$W/empty" /etc/mdev.conf || return 1
	fi
	fresh_dev && dev_is_ours || { echo "no tmpfs on /dev" >&2; return 1; }
	r=$("$B/feed" "$W/events" -- "$BUSYBOX" mdev 2>>"$W/log") ||
		show_log mdev "hotplug replay failed" || return 1
	echo "RESULT replay $r"
	# the shell needs /dev/null for a background job
	fresh_dev && dev_is_ours && mknod -m 666 /dev/null c 1 3 || return 1
	"$BUSYBOX" mdev -df <"$W/empty" 2>>"$W/log" &
	r=$("$B/kevents" -n "$KEVENTS" -t 30000 /dev full $(kevent_files) 2>>"$W/log") ||
		show_log mdev "kernel events: $r" || return 1
	echo "RESULT kernel $r $(nl_drops $!)"
	kill $!
	set -- $("$B/timecmd" -n "$DEV_RUNS" -p "mount -t tmpfs -o mode=755 bench-dev /dev && : >/dev/.bench-marker && [ \"\$(stat -f -c %T /dev)\" = tmpfs ]" -- \
	    "$BUSYBOX" mdev -s 2>>"$W/log") ||
		show_log mdev "coldplug failed" || return 1
	dev_is_ours || return 1
	echo "RESULT coldplug $2 $(find /dev ! -type d ! -name .bench-marker | wc -l)"
}
m_debug() { . "$1"; }
