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

# 2. crash loop: starts and supervisor CPU (ns) over SECONDS.  dinit
# restarts for ever here, as in measure 1 and as the others do; m_giveup
# compares giving up
m_crash() {
	[ "$1" = dinit ] && DINIT_OPTS="restart-limit-count = 0"
	crash_loop "$@"
}
# the same, giving up after 4 starts: dinit with its defaults (3 restarts
# in 10 s), ours with give-up=4
m_giveup() {
	head=
	[ "$1" = sysmgr ] && head="# sysmgr: give-up=4
"
	crash_loop "$1" "$2" "$head"
}
# crash_loop SUP SECONDS [HEAD]: the script (its first lines HEAD) exits 1
crash_loop() {
	service "$1" crash "${3:-}echo \$\$ >>$W/starts
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
	all_up "$1" "$2"
}
# start SUP on the N services made, until all have run (each writes its
# line on the FIFO)
all_up() {
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
	case $1 in nitro) echo 100 ;; floor*) echo 0 ;; *) echo 1000000 ;; esac
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

# wait_procs NAME...: until a process of each comm NAME runs, 10 s at most
wait_procs() {
	n=0
	for p; do
		while ! pgrep -x "$p" >/dev/null; do
			n=$((n + 1))
			[ $n -gt 1000 ] && { echo "no $p after 10 s" >&2; return 1; }
			sleep 0.01
		done
	done
}

# 11. readiness: from the dependency saying it is ready (READY=1, or a
# newline on its notification fd) to the first line of a dependent that
# waited for it.  MODE: notify or fd (ours), the peers' own way otherwise.
# dep's main process is bench/readyat, waiting for the go byte of
# bench/readylat; each trial puts dep back to starting (not ready) and the
# dependent back to waiting first
ready_dep() {
	echo "exec $B/readyat $1 $W/go $W/t0"
}
m_ready() {
	sup=$1 trials=$2 mode=${3:-}
	mkfifo "$W/go"
	case $sup in
	sysmgr)
		if [ "$mode" = fd ]; then
			service sysmgr dep "# sysmgr: ready=fd:3
$(ready_dep "-f 3")"
		else
			service sysmgr dep "# sysmgr: ready=notify
$(ready_dep -n)"
		fi
		service sysmgr cli "sysmgr-depends dep && echo woke >$FIFO
exec sleep 100000"
		waiter=sysmgr-depends ;;
	s6)
		service s6 dep "$(ready_dep "-f 3")"
		echo 3 >"$SV/dep/notification-fd"
		service s6 cli "s6-svwait -U $SV/dep && echo woke >$FIFO
exec sleep 100000"
		waiter=s6-svwait ;;
	dinit)
		DINIT_OPTS="ready-notification = pipefd:3"
		service dinit dep "$(ready_dep "-f 3")"
		DINIT_OPTS="depends-on = dep"
		service dinit cli "echo woke >$FIFO
exec sleep 100000"
		DINIT_OPTS= waiter= ;;
	*) echo "no readiness for $sup" >&2; return 1 ;;
	esac
	sup_start "$sup"
	i=0
	while [ $i -lt "$trials" ]; do
		wait_procs readyat $waiter || show_log "$sup" "not waiting" || return 1
		sleep 0.2    # the waiter is past its start, in its wait
		r=$("$B/readylat" -t 5000 "$W/go" "$W/t0" "$FIFO" 2>>"$W/log") ||
			show_log "$sup" "readylat: $r" || return 1
		echo "RESULT $r"
		# dep back to starting, the dependent back to waiting for it
		case $sup in
		sysmgr)
			"$OURS/svctl" stop dep && "$OURS/svctl" -t 0 start dep &&
				wait_procs readyat &&
				"$OURS/svctl" -t 0 restart cli ;;
		s6)
			s6-svc -d "$SV/dep" && s6-svwait -D "$SV/dep" &&
				s6-svc -u "$SV/dep" && wait_procs readyat &&
				s6-svc -r "$SV/cli" ;;
		dinit)
			dinitctl -p "$DINIT_SOCK" stop cli >/dev/null &&
				dinitctl -p "$DINIT_SOCK" stop dep >/dev/null &&
				dinitctl -p "$DINIT_SOCK" --no-wait start cli >/dev/null ;;
		esac 2>>"$W/log" || show_log "$sup" "cannot reset" || return 1
		# the dependent's old instance gone past its line
		sleep 0.05
		i=$((i + 1))
	done
}

# 12. logs.  logger SUP DIR: the command of the logger of a peer's service,
# writing into DIR: every supervisor rotates at LOG_ROT bytes and keeps
# 1000 old files (none is removed in a run)
LOG_ROT=1048576
logger_cmd() {
	case $1 in
	runit) echo "svlogd -tt $2" ;;
	s6) echo "s6-log n1000 s$LOG_ROT t $2" ;;
	esac
}
# the process that writes the log files (the floor: cat into a file)
logger_proc() {
	case $1 in
	floor) echo cat ;;
	sysmgr) echo runsyssv ;;
	runit) echo svlogd ;;
	s6) echo s6-log ;;
	esac
}
# the bytes of a line's stamp, its blank included
stamp_len() {
	case $1 in
	floor) echo 0 ;;
	sysmgr) echo 28 ;;     # 2026-12-05T21:55:12.123456Z
	runit) echo 26 ;;      # 2026-12-05_21:55:12.12345
	s6) echo 26 ;;         # @4000000069334a7a0b8c2f1c
	esac
}

# logged SUP NAME...: give the services NAME (made by service or
# services) their logger, into $LOGDIR/NAME; ours log by default and only
# get log-keep (a settings line after the #! line)
logged() {
	lsup=$1
	shift
	for lname; do
		mkdir -p "$LOGDIR/$lname"
		case $lsup in
		sysmgr) sed -i "1a # sysmgr: log-keep=1000" "$SYSDIR/$lname" ;;
		runit) printf 's%s\nn1000\n' "$LOG_ROT" >"$LOGDIR/$lname/config"
			mkdir -p "$SV/$lname/log"
			script "exec $(logger_cmd runit "$LOGDIR/$lname")" "$SV/$lname/log/run" ;;
		s6) mkdir -p "$SV/$lname/log"
			script "exec $(logger_cmd s6 "$LOGDIR/$lname")" "$SV/$lname/log/run" ;;
		esac
	done
}

# check_log DIR LEN STAMP: the files of DIR in order (the rotated ones by
# name, then current), each line a stamp (STAMP bytes, 0: none) then a
# line of bench/spew: "LINES_SEEN BAD FIRST_BAD" (a line missing, doubled,
# out of order or changed is bad; FIRST_BAD its number, 0 when none)
check_log() {
	(cd "$1" && cat $(ls | grep '^@' | sort) current) |
	    awk -v len="$2" -v st="$3" '{ l = substr($0, st + 1)
		if (substr(l, 1, 9) + 0 != n || substr(l, 10, 1) != " " ||
		    length(l) != len - 1) { bad++; if (!first) first = NR }
		n++ }
	    END { printf "%d %d %d\n", n, bad, first }'
}

# 12a, b. one service writes LINES lines of LEN bytes as fast as it can
# (bench/spew, after the go byte; MODE "block": in 4 kB writes): the ms
# until every byte is in its log files, the CPU of the logger meanwhile
# (ns, /proc/PID/schedstat), and whether the log is whole
m_logrun() {
	sup=$1 lines=$2 len=$3 mode=${4:-}
	mkfifo "$W/go"
	if [ "$sup" = floor ]; then
		mkdir -p "$LOGDIR/spew"
		"$B/spew" ${mode:+-b} -g "$W/go" "$lines" "$len" |
			cat >"$LOGDIR/spew/current" &
	else
		service "$sup" spew "exec $B/spew ${mode:+-b} -g $W/go $lines $len"
		logged "$sup" spew
		sup_start "$sup"
	fi
	wait_procs spew "$(logger_proc "$sup")" || show_log "$sup" "no logger" ||
		return 1
	sleep 0.3
	bytes=$((lines * (len + $(stamp_len "$sup"))))
	set -- $("$B/procs" cpu "$(logger_proc "$sup")" | sum3)
	c0=$2
	r=$("$B/logwait" -t 120000 "$W/go" "$bytes" "$LOGDIR/spew" 2>>"$W/log") ||
		show_log "$sup" "logwait: $r" || return 1
	set -- $("$B/procs" cpu "$(logger_proc "$sup")" | sum3)
	echo "RESULT run $r $(($2 - c0)) $(check_log "$LOGDIR/spew" "$len" "$(stamp_len "$sup")")"
}

# pss_sum NAME...: "processes kB" of the processes of those comms
pss_sum() {
	"$B/procs" pss "$@" | awk '{ n++; t += $3 } END { printf "%d %d\n", n, t }'
}

# 12c. N services with logging on, each writing one line to its log when
# it starts: Pss per service of its supervisor and logger (ours: runsyssv
# alone; runit: runsv and svlogd; s6: two s6-supervise, of the service and
# of its logger, and s6-log), and how many logs have their line
m_logtree() {
	sup=$1 n=$2
	services "$sup" "$n" "echo started
$(long_body)"
	if [ "$sup" != sysmgr ]; then
		i=0
		while [ $i -lt "$n" ]; do
			logged "$sup" "s$i"
			i=$((i + 1))
		done
	fi
	all_up "$sup" "$n" >/dev/null || return 1
	sleep "$IDLE_SETTLE"
	per=$(sup_per_service "$sup") lg=$(logger_proc "$sup")
	set -- $(pss_sum "$per")
	sp=$1 sk=$2
	lp=0 lk=0
	[ "$lg" != "$per" ] && set -- $(pss_sum "$lg") && lp=$1 lk=$2
	set -- $(pss_sum "$(set -- $(sup_procs "$sup"); echo "$1")")
	logs=$(grep -l started "$LOGDIR"/s[0-9]*/current 2>/dev/null | wc -l)
	echo "RESULT pss $(awk -v n="$n" -v s="$sk" -v l="$lk" 'BEGIN {
	    printf "%.1f %.1f %.1f", (s + l) / n, s / n, l / n }') $sp $lp $2 $logs"
}

# 11b. N of our services, ready=MODE (none, notify: sysmgr-notify ready in
# the script; fd: a newline on fd 3), all up (and ready): Pss per runsyssv
m_readytree() {
	mode=$2 n=$3
	case $mode in
	none) body=$(long_body) ;;
	notify) body="# sysmgr: ready=notify
$OURS/sysmgr-notify ready
$(long_body)" ;;
	fd) body="# sysmgr: ready=fd:3
echo >&3
$(long_body)" ;;
	esac
	services sysmgr "$n" "$body"
	all_up sysmgr "$n" >/dev/null || return 1
	sleep "$IDLE_SETTLE"
	up=$("$OURS/svctl" status 2>&1 | grep -c ': UP')
	set -- $(pss_sum runsyssv)
	# and Pss_Anon: the private pages alone, whatever else maps libc
	anon=$(for p in $(pgrep -x runsyssv); do cat "/proc/$p/smaps_rollup"; done |
	    awk '$1 == "Pss_Anon:" { s += $2; n++ } END { printf "%.1f", n ? s / n : 0 }')
	echo "RESULT pss $(awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", n ? t / n : 0 }') $1 $up $anon"
}
