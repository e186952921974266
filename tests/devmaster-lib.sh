# Helpers of the devmaster suites, sourced after tests/lib.sh.
DM=$TOP/devmaster/devmaster
shopt -s lastpipe   # "events | dry" sets RC here
SEND=$TOP/tests/devmaster-send

# ev ACTION DEVPATH SUBSYSTEM [KEY=VALUE...]: one uevent in the replay
# framing (the kernel's datagram, then an empty string)
ev() {
	local a=$1 p=$2 s=$3
	shift 3
	printf '%s@%s\0ACTION=%s\0DEVPATH=%s\0SUBSYSTEM=%s\0' "$a" "$p" "$a" "$p" "$s"
	[ $# = 0 ] || printf '%s\0' "$@"
	printf '\0'
}

# cdev ACTION DEVNAME MAJOR MINOR [KEY=VALUE...]: a char device's uevent
cdev() {
	local a=$1 n=$2 ma=$3 mi=$4
	shift 4
	ev "$a" "/devices/virtual/test/${n##*/}" test MAJOR="$ma" MINOR="$mi" \
	    DEVNAME="$n" "$@"
}

# conf LINE...: the rules file $T/conf
conf() { printf '%s\n' "$@" >"$T/conf"; }

# dry [OPTION...] <EVENTS: devmaster -n on DEVDIR /D; stdout in $T/out,
# stderr in $T/err, exit status in $RC
dry() {
	"$DM" -n -d /D -f "$T/conf" -r - "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# out_is LINE...: the whole of $T/out
out_is() {
	assertEquals "output" "$(printf '%s\n' "$@")" "$(cat "$T/out")"
}

# has FILE LINE: FILE has the line
has() {
	grep -qxF -- "$2" "$1" || fail "no line '$2' in $1: $(cat "$1")"
}

# err_has ERE: a line of $T/err matches
err_has() {
	grep -Eq -- "$1" "$T/err" || fail "no /$1/ in stderr: $(cat "$T/err")"
}

# node_is PATH TYPE MAJOR:MINOR MODE UID:GID (type as stat %F, numbers decimal)
node_is() {
	local got
	got=$(stat -c '%F %t:%T %a %u:%g' "$1" 2>&1)
	set -- "$1" "$2" "$(printf '%x:%x' "${3%:*}" "${3#*:}")" "$4" "$5"
	assertEquals "node $1" "$2 $3 $4 $5" "$got"
}

# start_dm OPTION...: devmaster in the background, ready (-D), as $DMPID
start_dm() {
	"$DM" -D 3 "$@" 3>"$T/ready" >"$T/out" 2>"$T/err" &
	DMPID=$!
	disown $DMPID   # tearDown kills it, without a word from bash
	wait_for "devmaster ready" test -s "$T/ready"
}

need_helper() {
	if [ ! -x "$SEND" ]; then
		echo "SKIP ${FUNCNAME[1]}: no $SEND (make devmaster-tests)"
		startSkipping
		return 1
	fi
}
