# Helpers for the shunit2 suites, sourced by tests/*.test (bash).
# Every suite runs as PID 1 of a PID namespace (see tests/run); tearDown
# kills every other process of it, so nothing outlives a test.

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=$TOP
WAIT=${WAIT:-10}          # seconds any wait_for may take
PATH=$TOP:$PATH
export PATH

# skip the rest of a test (visibly) unless processes can be fenced
need_ns() {
	if [ -z "$TEST_NS" ] || [ "$$" != 1 ]; then
		echo "SKIP ${FUNCNAME[1]}: needs root or user namespaces"
		startSkipping
		return 1
	fi
}

need_strace() {
	command -v strace >/dev/null && return 0
	echo "SKIP ${FUNCNAME[1]}: needs strace"
	startSkipping
	return 1
}

# need_cmd NAME...: skip the rest of the test unless every NAME is found
# (an absolute path or a command in PATH)
need_cmd() {
	local c
	for c; do
		case $c in
		/*) [ -x "$c" ] && continue ;;
		*) command -v "$c" >/dev/null 2>&1 && continue ;;
		esac
		echo "SKIP ${FUNCNAME[1]}: needs $c"
		startSkipping
		return 1
	done
}

# skip the rest of a slow test unless SLOW is set (make check-all)
need_slow() {
	if [ -z "$SLOW" ]; then
		echo "SKIP ${FUNCNAME[1]}: slow, run by make check-all"
		startSkipping
		return 1
	fi
}

# skip unless real root (not root of a user namespace)
need_root() {
	if [ "$(id -u)" != 0 ] || [ -n "$TEST_USERNS" ]; then
		echo "SKIP ${FUNCNAME[1]}: needs root"
		startSkipping
		return 1
	fi
	need_ns
}

setUp() {
	T=$(mktemp -d /tmp/sysmgr-test.XXXXXX) || exit 1
	chmod 755 "$T"
	SYSDIR=$T/sys RUNDIR=$T/run LOG=$T/log LOGDIR=$T/logs
	export SYSDIR RUNDIR LOGDIR
	mkdir "$SYSDIR"
	: >"$LOG"
}

# kill everything but us (only ever as PID 1 of a namespace) and clean up
tearDown() {
	[ -z "$FROZEN" ] || echo THAWED >"$FROZEN/freezer.state"
	if [ "$$" = 1 ]; then
		kill -9 -1 2>/dev/null
		wait_for "every process to exit" only_us
	fi
	thaw
	[ -n "$T" ] && rm -rf "$T"
	T=
	endSkipping
}

# freeze PID: into a cgroup v1 freezer group of its own, frozen (its
# SIGKILL waits for the thaw, as in D state); 1 when there is no freezer.
# tearDown thaws and removes it, and a group an interrupted run left
# behind is thawed and removed first.
FREEZER=/sys/fs/cgroup/freezer
freeze() {
	local g
	[ -w "$FREEZER/cgroup.procs" ] || return 1
	for g in "$FREEZER"/sysmgr-test.*; do
		[ -d "$g" ] || continue
		echo THAWED >"$g/freezer.state"
		rmdir "$g"
	done 2>/dev/null
	FROZEN=$FREEZER/${T##*/}
	mkdir "$FROZEN" && echo "$1" >"$FROZEN/cgroup.procs" &&
	    echo FROZEN >"$FROZEN/freezer.state"
}
thaw() {
	[ -n "$FROZEN" ] || return 0
	echo THAWED >"$FROZEN/freezer.state"
	# its processes may take a moment to leave it once killed
	wait_for "the freezer group empty" rmdir "$FROZEN" 2>/dev/null
	FROZEN=
}

# 0 when PID 1 (this shell) is the only process left
only_us() {
	local p n=0
	wait 2>/dev/null
	for p in /proc/[0-9]*; do
		[ -e "$p/stat" ] || continue
		case ${p#/proc/} in 1|$BASHPID) ;; *) n=$((n + 1)) ;; esac
	done
	[ $n = 0 ]
}

# wait_for WHAT COMMAND...: poll COMMAND until it succeeds, at most $WAIT s
wait_for() {
	local what=$1 end
	shift
	now_us
	end=$((_now + WAIT * 1000000))
	until "$@"; do
		now_us
		if [ "$_now" -ge "$end" ]; then
			fail "timed out after ${WAIT}s waiting for $what"
			return 1
		fi
		sleep 0.02
	done
}
# the time in microseconds, in _now: not $SECONDS, whose whole seconds
# tick with the clock's (WAIT=1 from 999 ms past one would be 1 ms)
now_us() { _now=${EPOCHREALTIME//[.,]/}; }

# wait_cmp WHAT OP N COMMAND...: until [ "$(COMMAND...)" OP N ], at most $WAIT s
wait_cmp() {
	local what=$1 op=$2 n=$3
	shift 3
	wait_for "$what" cmp_out "$op" "$n" "$@"
}
cmp_out() { local op=$1 n=$2; shift 2; [ "$("$@")" "$op" "$n" ]; }

# wait_progress WHAT N STALL COMMAND...: until COMMAND prints a number of
# at least N; fails only when that number stays the same for STALL s (a
# busy machine is slow, not stuck)
wait_progress() {
	local what=$1 want=$2 stall=$3 last=-1 now since
	shift 3
	now_us
	since=$_now
	while now=$("$@"); [ "${now:-0}" -lt "$want" ]; do
		now_us
		if [ "${now:-0}" != "$last" ]; then
			last=${now:-0}
			since=$_now
		elif [ $((_now - since)) -ge $((stall * 1000000)) ]; then
			fail "no progress for ${stall}s waiting for $what ($last of $want)"
			return 1
		fi
		sleep 0.2
	done
}

# service NAME BODY: install an executable #!/bin/sh script atomically
service() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/.new"
	chmod 755 "$T/.new"
	mv "$T/.new" "$SYSDIR/$1"
}

start_sysmgr() {
	"$BIN/sysmgr" 2>>"$LOG" &
	SYSMGR=$!
	wait_for "sysmgr lock" holds_lock "$SYSMGR"
}

# holds_lock PID: PID holds a POSIX write lock (sysmgr its RUNDIR lock)
holds_lock() {
	grep -Eq "POSIX +ADVISORY +WRITE +$1 " /proc/locks
}

# field NAME KEY: a value of svctl show
field() {
	"$BIN/svctl" show "$1" 2>/dev/null | sed -n "s/^$2=//p"
}

pid() { field "$1" pid; }
is_state() { [ "$(field "$1" state)" = "$2" ]; }
up() { is_state "$1" up; }
down() { is_state "$1" down; }
wait_up() { wait_for "$1 up" up "$1"; }
wait_down() { wait_for "$1 down" down "$1"; }

# number of processes whose whole command line is $*
count() { pgrep -c -f -x "$*"; }
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null || [ "$(cut -d' ' -f3 /proc/$1/stat 2>/dev/null)" = Z ]; }

# context switches of a process so far
ctxt() {
	awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n }' \
	    "/proc/$1/status"
}
# run_stopping_at_renames CMD...: CMD (a runsyssv) in the background
# under strace, which stops it right after each of its renames (LeakSanitizer
# cannot run under ptrace: off for it)
run_stopping_at_renames() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -o "$T/renames" -e trace=renameat,renameat2,rename \
	    -e inject=renameat,renameat2,rename:signal=SIGSTOP:when=1+ \
	    "$@" 2>>"$LOG" &
	_renames=0
}
# stop_at_state NAME STATE: let it go from rename to rename until the
# status of NAME says STATE; it is left stopped there, its pid in _rs
stop_at_state() {
	local i
	for i in $(seq 50); do
		wait_for "one more rename" renamed_more || return 1
		grep -qx "state=$2" "$RUNDIR/$1/status" 2>/dev/null && return 0
		kill -CONT "$_rs"
	done
	fail "$1 never $2"
	return 1
}
renamed_more() {
	local n
	n=$(grep -c '^rename' "$T/renames" 2>/dev/null) &&
	    [ "$n" -gt "$_renames" ] && _rs=$(pgrep -x runsyssv) &&
	    [ "$(cut -d' ' -f3 "/proc/$_rs/stat")" = t ] && _renames=$n
}

ctxts() { local p; for p; do ctxt "$p"; done | xargs; }
still() { local c; c=$(ctxts "$@"); sleep 0.3; [ "$c" = "$(ctxts "$@")" ]; }
# quiet PID...: wait until none of them switched context for 0.3 s (the
# work of a start still in flight: a line relayed, a batch finished),
# before an idle measure begins
quiet() { wait_for "pids $* quiet" still "$@"; }

# the lines service NAME wrote, without their stamps; logged NAME ERE
# wait_said PATTERN [N]: wait until $LOG has N lines (1 when not given) that
# match the basic regular expression PATTERN: what runsyssv says reaches
# $LOG when sysmgr next relays it, after what it published
wait_said() {
	wait_cmp "${2:-1} line(s) '$1' in the log" = "${2:-1}" \
	    grep -c -- "$1" "$LOG"
}
svclog() { cut -c29- "$LOGDIR/$1/current" 2>/dev/null; }
logged() { svclog "$1" | grep -Eq -- "$2"; }

run_shunit2() {
	SHUNIT_PARENT=$0
	. "$SHUNIT2"
}

# assertMatches WHAT ERE STRING
assertMatches() {
	printf '%s\n' "$3" | grep -Eq -- "$2"
	assertTrue "$1: '$3' does not match /$2/" $?
}

# wait until exactly one process has the command line $*
wait_one() { wait_for "one '$*'" one_instance "$@"; }
one_instance() { [ "$(count "$@")" = 1 ]; }
