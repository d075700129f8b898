#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench-smoke, and one test case of make check: run every case of the
# benchmark (wq_bench, tools/watch_queue/bench/) once on tiny sizes and
# check that each ran to the end and produced numbers for every method it
# measures.  No speed is asserted: the figures of a debug kernel under TCG
# mean nothing, and a test must not fail a good kernel because the host
# was busy.
here=$(cd "$(dirname "$0")" && pwd)
bench=$here/wq_bench
out=/tmp/bench_smoke.out

echo "TAP version 13"
echo "1..1"

# Every case, and the methods each must report a sample for (a case may
# take more than one line).
required="
1 mountinfo listmount statmount record record+stat empty-poll
2 scan record
3 ring pipe
4 ring pipe memcpy ring-w1 ring.write ring.read pipe.write pipe.read
5 0 1ring 1pipe 8ring 64ring 1 100
6 poll/records-per-wakeup poll/ns-per-record epoll-lt/records-per-wakeup
6 epoll-lt/ns-per-record epoll-et/records-per-wakeup epoll-et/ns-per-record
6 io_uring/records-per-wakeup io_uring/ns-per-record
7 bytes
8 subtree-resync mountinfo full-resync
9 0 1 scan record
"

if [ ! -x "$bench" ]; then
	echo "# $bench is missing"
	echo "not ok 1 bench_smoke"
	exit 1
fi
"$bench" --smoke >"$out" 2>/tmp/bench_smoke.err
rc=$?
problems=$(awk -F'\t' -v rc="$rc" -v required="$required" '
	BEGIN {
		nl = split(required, lines, "\n")
		for (l = 1; l <= nl; l++) {
			n = split(lines[l], w, " ")
			for (i = 2; i <= n; i++)
				need[w[1] " " w[i]] = 1
		}
	}
	$1 == "S" {
		samples++
		if (NF != 6 || $6 !~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ ||
		    $6 < 0) {
			print "bad sample: " $0
			next
		}
		have[$2 " " $4] = 1
		next
	}
	$1 == "I" && $2 == "case_start" { started[$3] = 1 }
	$1 == "I" && $2 == "case_end" { ended[$3] = 1 }
	$1 == "D" { done = $2 }
	END {
		if (rc != 0)
			print "wq_bench exited with status " rc
		for (c = 1; c <= 8; c++)
			if (!started[c] || !ended[c])
				print "case " c " did not run to its end"
		for (k in need)
			if (!have[k])
				print "no sample of case " k
		if (done == "")
			print "no closing D line"
		else if (done != samples)
			print "D says " done " samples, " samples " printed"
	}' "$out")

if [ -n "$problems" ]; then
	printf '%s\n' "$problems" | sed 's/^/# /'
	tail -n 20 /tmp/bench_smoke.err | sed 's/^/# stderr: /'
	echo "not ok 1 bench_smoke"
	exit 1
fi
echo "# $(grep -c '^S' "$out") samples from 9 cases"
echo "ok 1 bench_smoke"
exit 0
