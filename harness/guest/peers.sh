#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# peers.sh [--record | --compare]
#
# The base tree's own tests of what the series changes, run as regression
# peers: its selftests of mount_setattr, move_mount_set_group, mount,
# pidfd, nsfs, clone3, pid_namespace and proc, and its pipe-based
# samples/watch_queue/watch_test against keys.  harness/scripts/
# userprogs.sh builds them from the pristine base and installs them in
# /peers; none of their code is in the repository.
#
# Each program runs in a session of its own with a timeout
# (PEERS_TIMEOUT seconds, 90 unless the kernel command line says
# wq.peers_timeout=N); at the timeout the whole session is SIGKILLed and
# the program ends as "timeout".  A result is one line
#     KEY STATUS NAME
# KEY being SUITE/PROGRAM for the program's end (STATUS ok, fail, skip
# for its exit status 4, or timeout) and SUITE/PROGRAM.N for its Nth TAP
# test case (ok, fail or skip), where it prints TAP.
#
# With --record the results are printed as "result KEY STATUS NAME": make
# check-peers does that on the pristine kernel and keeps them in
# harness/peers/pristine-VERSION.txt.  Without it they are compared with
# those (/usr/share/watchq/peers-pristine.txt) and printed as the TAP of
# one test program, one test case per TAP case of a peer, or per peer
# program where it prints no TAP (and for a program that timed out or
# failed without a failing case):
#   - passes here: ok;
#   - skips here: a skip;
#   - fails here and failed, timed out or skipped on the pristine kernel:
#     a skip, with the reason;
#   - fails here and passed there, or passed there and did not run here:
#     a failure, the regression this is for;
#   - fails here and there is no pristine result for it: a failure (no
#     result, nothing to excuse it: make check-peers records them).
# The peers' own output is printed behind "# | ", where the summary
# (harness/scripts/tap-summary.awk) does not count it.  --compare runs
# nothing: it compares the results of the last run again (after an edit
# of the pristine results, say).
mode=${1:-check}
expected=/usr/share/watchq/peers-pristine.txt
version=$(cat /usr/share/watchq/peers-version 2>/dev/null)
out=/tmp/peers
limit=90
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	wq.peers_timeout=*) limit=${arg#wq.peers_timeout=} ;;
	esac
done
limit=${PEERS_TIMEOUT:-$limit}

# run KEY DIR CMD...: run CMD in DIR, in a session of its own, with the
# timeout; its output goes to the file of KEY.  Returns its exit status,
# 137 after the timeout, with $out/timedout present.
run()
{
	key=$1 dir=$2
	shift 2
	log=$out/log/$(echo "$key" | tr / _)
	rm -f "$out/timedout"
	(cd "$dir" && exec setsid "$@" </dev/null >"$log" 2>&1) &
	pid=$!
	(sleep "$limit"; touch "$out/timedout"; kill -KILL -- "-$pid" "$pid") \
		>/dev/null 2>&1 &
	dog=$!
	wait "$pid"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	return $rc
}

# note KEY RC: record the program KEY's TAP cases and its end.
note()
{
	key=$1 rc=$2
	log=$out/log/$(echo "$key" | tr / _)
	# "ok N name", "not ok N name # reason", "ok N name # SKIP reason".
	tr -d '\r' <"$log" | awk -v key="$key" '
		/^(not )?ok [0-9]+( |$)/ {
			neg = ($1 == "not")
			n = neg ? $3 : $2
			name = $0
			sub(/^(not )?ok [0-9]+ ?/, "", name)
			st = neg ? "fail" : (name ~ /# *SKIP/ ? "skip" : "ok")
			gsub(/[ \t]+/, " ", name)
			print key "." n " " st " " (name == "" ? "-" : name)
		}' >>"$out/results"
	if [ -f "$out/timedout" ]; then
		echo "$key timeout after ${limit}s"
	elif [ "$rc" -eq 0 ]; then
		echo "$key ok exit=0"
	elif [ "$rc" -eq 4 ]; then
		echo "$key skip exit=4"
	else
		echo "$key fail exit=$rc"
	fi >>"$out/results"
}

# run_peers: run every peer, results in $out/results, their output printed.
run_peers()
{
	rm -rf "$out"
	mkdir -p "$out/log"
	: >"$out/results"
	# The runner's list (SUITE:PROGRAM), and move_mount_set_group_test, which
	# its Makefile builds but does not list.
	cd /peers || exit 1
	{
		cat kselftest-list.txt
		grep -q '^move_mount_set_group:' kselftest-list.txt ||
			echo move_mount_set_group:move_mount_set_group_test
	} | while IFS=: read -r suite prog; do
		[ -n "$prog" ] || continue
		start=$(cut -d. -f1 /proc/uptime)
		run "$suite/$prog" "/peers/$suite" "./$prog"
		note "$suite/$prog" $?
		took=$(($(cut -d. -f1 /proc/uptime) - start))
		echo "# peers: $suite/$prog: ${took}s" >>"$out/times"
	done

	# watch_test watches the session keyring (and the user keyring) through a
	# notification pipe and prints every record it reads, forever.  In a
	# session keyring of its own, a key is linked to and unlinked from the
	# session keyring 150 times: each must post a record there (a keyring
	# the session keyring holds keeps the key alive while it is unlinked;
	# changes of that keyring are not watched).  watch_test's
	# output is a file, so fully buffered, and what the kill leaves unwritten
	# is less than a buffer: what was written must show at least 100 of each
	# record, of that keyring and key.
	keyctl session - sh -c '
		/peers/watch_test &
		pid=$!
		sleep 2
		ring=$(keyctl id @s) || exit 1
		hold=$(keyctl newring peers-hold @s) || exit 1
		key=$(keyctl add user peers-key v0 "$hold") || exit 1
		echo "ring $ring key $key" >&2
		i=0
		while [ $i -lt 150 ]; do
			keyctl link "$key" @s || exit 1
			keyctl unlink "$key" @s >/dev/null || exit 1
			i=$((i + 1))
		done
		sleep 2
		kill $pid
		wait $pid
		exit 0' </dev/null >"$out/log/samples_watch_test" 2>"$out/watch_test.keyctl"
	rc=$?
	wlog=$out/log/samples_watch_test
	ring=$(sed -n 's/^ring \([0-9]*\) key [0-9]*$/\1/p' "$out/watch_test.keyctl")
	key=$(sed -n 's/^ring [0-9]* key \([0-9]*\)$/\1/p' "$out/watch_test.keyctl")
	if [ -n "$ring" ] && [ -n "$key" ]; then
		hex=$(printf '%08x' "$ring")
		linked=$(grep -c "^KEY $hex change=[0-9]*\[linked\] aux=$key\$" "$wlog")
		unlinked=$(grep -c "^KEY $hex change=[0-9]*\[unlinked\] aux=$key\$" "$wlog")
	else
		linked=0 unlinked=0
	fi
	bad=$(grep -cE 'Incorrect|Short|Bad|overrun|^read:|pipe2|watch_queue\(|keyctl' "$wlog")
	if [ "$rc" -eq 0 ] && [ "$linked" -ge 100 ] && [ "$unlinked" -ge 100 ] &&
	   [ "$bad" -eq 0 ]; then
		st=ok
	else
		st=fail
	fi
	echo "samples/watch_test $st $linked linked and $unlinked unlinked records of 150 each" \
		>>"$out/results"

	# The peers' own output, for the log.
	for f in "$out"/log/*; do
		echo "# | ==== ${f##*/}"
		tr -d '\r' <"$f" | sed 's/^/# | /'
	done
	sed 's/^/# | /' "$out/watch_test.keyctl"
	cat "$out/times"
}

[ "$mode" = --compare ] || run_peers

if [ "$mode" = --record ]; then
	sed 's/^/result /' "$out/results"
	exit 0
fi

if [ ! -f "$expected" ]; then
	echo "# peers: WARNING: no results of the pristine kernel $version" \
		"(harness/peers/pristine-$version.txt):"
	echo "# peers: every peer must pass; fix: make check-peers, then commit the file"
	: >"$out/pristine"
else
	grep -v '^#' "$expected" >"$out/pristine"
fi

# The TAP: a test case per counted result (see above), then the pristine
# kernel's passes that did not run here.
awk -v have_base="$([ -f "$expected" ] && echo 1 || echo 0)" -v version="$version" '
	FILENAME == ARGV[1] {
		was[$1] = $2
		wasname[$1] = $0
		sub(/^[^ ]* [^ ]* /, "", wasname[$1])
		order[++npristine] = $1
		next
	}
	{
		key = $1; st = $2; name = $0
		sub(/^[^ ]* [^ ]* /, "", name)
		seen[key] = 1
		prog = key
		if (key ~ /\.[0-9]+$/) {
			sub(/\.[0-9]+$/, "", prog)
			cases[prog]++
			if (st == "fail")
				failcases[prog]++
		} else if (cases[key] && (st == "ok" || st == "skip" ||
			   (st == "fail" && failcases[key]))) {
			# Its end is told by its cases.
			printf "# peers: %s %s (%s)\n", key, st, name
			next
		}
		verdict(key, st, name)
	}
	function verdict(key, st, name, w) {
		n++
		w = (key in was) ? was[key] : ""
		if (st == "ok") {
			printf "# ok %d peer %s %s\n", n, key, name
			passed++
			if (w == "ok")
				both++
		} else if (st == "skip") {
			printf "# ok %d peer %s %s%s\n", n, key, name,
				name ~ /# *SKIP/ ? "" : " # SKIP skipped here"
			skips++
		} else if (w == "fail" || w == "timeout" || w == "skip") {
			printf "# ok %d peer %s %s # SKIP %s here and %s" \
				" on the pristine kernel too (%s)\n",
				n, key, name, st == "fail" ? "fails" : "times out",
				w == "skip" ? "skipped" : w == "fail" ? "failed" : "timed out",
				wasname[key]
			bothfail++
		} else if (w == "ok") {
			printf "# not ok %d peer %s %s: %s here, passes on the pristine kernel\n",
				n, key, name, st == "fail" ? "fails" : "times out"
			regress++
		} else if (!have_base) {
			printf "# not ok %d peer %s %s: %s, and no pristine results" \
				" for %s to excuse it (make check-peers)\n",
				n, key, name, st == "fail" ? "fails" : "times out", version
			regress++
		} else {
			printf "# not ok %d peer %s %s: %s here, and the pristine" \
				" kernel has no result for it\n",
				n, key, name, st == "fail" ? "fails" : "times out"
			regress++
		}
	}
	END {
		for (i = 1; i <= npristine; i++) {
			key = order[i]
			if (was[key] != "ok" || (key in seen))
				continue
			n++
			printf "# not ok %d peer %s %s: passes on the pristine kernel," \
				" did not run here\n",
				n, key, wasname[key]
			regress++
		}
		printf "# peers: %d passed (%d of them on the pristine kernel too)," \
			" %d skipped, %d failed here and on the pristine kernel," \
			" %d regressions\n", passed, both, skips, bothfail, regress
		if (regress)
			printf "not ok 1 selftests: peers: upstream-suites" \
				" # %d regressions\n", regress
		else
			print "ok 1 selftests: peers: upstream-suites"
	}' "$out/pristine" "$out/results"
