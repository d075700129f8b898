#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# step.sh "[N/M] what is happening" LOG command [args...]
#
# Print one progress line, run the command with all of its output in LOG,
# and on failure show the end of the log and where the rest of it is.
set -u
title=$1 log=$2
shift 2

mkdir -p "$(dirname "$log")"
printf '%s (log: %s)\n' "$title" "${log#"$PWD"/}"
start=$SECONDS
"$@" >"$log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	el=$((SECONDS - start))
	[ "$el" -ge 20 ] && printf '      done in %dm%02ds\n' $((el / 60)) $((el % 60))
	exit 0
fi
echo "----- last lines of $log -----" >&2
tail -n 25 "$log" >&2
echo "----- end -----" >&2
echo "error: step failed (exit $rc): $title" >&2
echo "       full log: $log" >&2
exit "$rc"
