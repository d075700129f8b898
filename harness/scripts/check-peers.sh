#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-peers.sh BZIMAGE INITRD DISK LOGS OUTDIR
#
# make check-peers: boot the pristine kernel BZIMAGE (the unpatched base,
# the debug configuration) with the test initramfs INITRD, run the base
# tree's own tests there (harness/guest/peers.sh --record), and keep their
# results as OUTDIR/pristine-VERSION.txt, VERSION being the Debian version
# of linux-source-6.12 the initramfs was packed with.  make check compares
# our kernel's results with that file: a test that passes there and fails
# on ours is a regression.  The guest's whole output goes to
# LOGS/peers-pristine.out.
set -u
here=$(cd "$(dirname "$0")" && pwd)
kernel=$1 initrd=$2 disk=$3 logs=$4 outdir=$5

ver=$(cat "${initrd%.cpio}.root/usr/share/watchq/peers-version") || exit 1
script=$(mktemp "${TMPDIR:-/tmp}/watchq-peers.XXXXXX")
trap 'rm -f "$script"' EXIT
echo 'sh /usr/share/watchq/peers.sh --record' >"$script"
raw=$logs/peers-pristine.out
start=$(date +%s)
"$here/boot.sh" --kernel "$kernel" --initrd "$initrd" --logs "$logs" \
	--disk "$disk" --mode script --script "$script" --timeout 3600 >"$raw"
rc=$?
# 125: the run finished, and the kernel log shows reports: the results
# stand, but say so (boot.sh printed the reports).
if [ $rc -eq 125 ]; then
	echo "warning: the pristine kernel's log shows reports (above); the results are kept" >&2
elif [ $rc -ne 0 ]; then
	echo "error: the pristine boot failed with status $rc; its output: $raw" >&2
	exit 1
fi
out=$outdir/pristine-$ver.txt
mkdir -p "$outdir"
{
	echo "# The base tree's own tests (harness/guest/peers.sh) on the pristine"
	echo "# kernel of linux-source-6.12 $ver, debug configuration, by"
	echo "# make check-peers in $(($(date +%s) - start))s.  KEY STATUS NAME, one a line."
	tr -d '\r' <"$raw" |
		sed -n 's/^result \([^ ]* \(ok\|fail\|skip\|timeout\)\( .*\)\{0,1\}\)$/\1/p'
} >"$out.tmp"
n=$(grep -vc '^#' "$out.tmp")
if [ "$n" -eq 0 ]; then
	rm -f "$out.tmp"
	echo "error: no results in $raw" >&2
	exit 1
fi
mv "$out.tmp" "$out"
ok=$(grep -c '^[^#][^ ]* ok' "$out")
failed=$(grep -cE '^[^#][^ ]* (fail|timeout)' "$out")
skipped=$(grep -c '^[^#][^ ]* skip' "$out")
echo "      $n results in ${out#"$PWD"/}: $ok ok, $failed failed, $skipped skipped; commit it"
