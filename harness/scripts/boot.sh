#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh --kernel BZIMAGE --initrd CPIO --logs DIR --mode MODE
#         [--timeout SECS] [--script FILE] [--files DIR] [--disk IMAGE]
#         [--append "PARAM..."] [--icount SHIFT]
#
# Boot the guest in QEMU (TCG, 2 vCPUs) and turn what happened into an exit
# status.  The guest's /init reports its verdict through the isa-debug-exit
# device, which makes QEMU exit with (verdict << 1) | 1; any other QEMU exit
# (a panic reboots into -no-reboot, a hang is killed by timeout) has no
# verdict and fails.  Independently of the guest, the console log is scanned
# for kernel reports (harness/guest/kernel-log-reports).
#
# Modes: demo, shell, check (prints "N passed, N failed[, N skipped]" last),
# script (guest-run: prints the script's output, exits with its status).
#
# --disk attaches IMAGE (raw) as the guest's virtio disk, /dev/vda, with
# snapshot=on: the guest's writes go to a temporary overlay, so IMAGE stays
# unchanged and every boot starts from the same clean filesystem.
#
# --append adds parameters to the kernel command line (make bench gives the
# guest the host's TSC frequency that way).
#
# --icount SHIFT runs QEMU with -icount: the guest's clock advances 2^SHIFT
# ns per instruction executed, not with the host's time, so what the guest
# measures counts its own instructions and nothing the host does (other
# builds, other guests) changes it.  The vCPUs then take turns on one host
# thread.  make bench uses it for the patched/pristine pairs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
reports=$here/../guest/kernel-log-reports

kernel= initrd= logs= mode= timeout=0 script= files= disk= extra= icount=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--logs) logs=$2 ;;
	--mode) mode=$2 ;;
	--timeout) timeout=$2 ;;
	--script) script=$2 ;;
	--files) files=$2 ;;
	--disk) disk=$2 ;;
	--append) extra=$2 ;;
	--icount) icount=$2 ;;
	*) echo "boot.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
mkdir -p "$logs"

# The virtual CPU: all that TCG emulates except 5-level paging (LA57).
# With LA57, Linux 6.12's KASAN now and then reports a false
# "wild-memory-access" early in boot, the pristine base as well:
# identify_cpu() clears the boot CPU's capability bits and reads them back
# from CPUID, and until alternatives are patched pgtable_l5_enabled() reads
# those bits, so an interrupt in between works with 4-level address-space
# limits while the direct map is at 5-level addresses (0xff11...), below
# what KASAN then takes for the start of its shadow.  Without LA57 the bit
# is 0 throughout and the limits never change.  Nothing the patches do
# depends on the number of paging levels.
# Two vCPUs as two sockets: the kernel has no ACPI and finds CPUs in
# SeaBIOS's MP table, which lists one CPU per socket; plain -smp 2 is one
# socket of two cores, and the guest would run on one CPU.
qemu=(qemu-system-x86_64 -machine pc -accel tcg -cpu max,la57=off
      -smp 2,sockets=2,cores=1,threads=1 -m 2048
      -no-reboot -display none -monitor none -nic none
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel")
if [ -n "$icount" ]; then
	case "$icount" in
	[0-9] | 10) qemu+=(-icount "shift=$icount,align=off,sleep=on") ;;
	*) echo "boot.sh: --icount takes a shift of 0 to 10, not $icount" >&2; exit 2 ;;
	esac
fi
if [ -n "$disk" ]; then
	if [ ! -f "$disk" ]; then
		echo "error: --disk $disk is not a file" >&2
		exit 2
	fi
	# QEMU's option syntax escapes a comma in a value by doubling it.
	qemu+=(-drive "file=${disk//,/,,},format=raw,if=virtio,snapshot=on")
fi
append="console=ttyS0 panic=-1 scsi_debug.add_host=0 wq.mode=$mode${extra:+ $extra}"
[ "$timeout" -gt 0 ] && run=(timeout -k 10 "$timeout") || run=()

# verdict RC: print why QEMU's exit status RC is not a pass; return the
# guest's verdict, or 1 if it gave none.
verdict()
{
	local rc=$1
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "error: the guest did not finish within ${timeout}s and was killed" >&2
		return 1
	elif [ $((rc & 1)) -eq 1 ]; then
		return $((rc >> 1))
	fi
	echo "error: QEMU exited ($rc) without a verdict from the guest: kernel panic or crash?" >&2
	return 1
}

# log_clean LOG: print and fail on kernel reports in a console log.
log_clean()
{
	local found
	found=$(tr -d '\r' <"$1" | grep -E -f "$reports" | head -n 20)
	[ -z "$found" ] && return 0
	echo "error: the kernel log shows reports (full log: $1):" >&2
	printf '%s\n' "$found" | sed 's/^/  /' >&2
	return 1
}

case "$mode" in
demo)
	log=$logs/run-console.log
	"${run[@]}" "${qemu[@]}" -initrd "$initrd" -append "$append quiet" \
		-serial stdio -serial null </dev/null | tee "$log"
	rc=${PIPESTATUS[0]}
	verdict "$rc"
	status=$?
	log_clean "$log" || status=1
	[ $status -eq 0 ] && echo "demo finished; the guest powered off"
	exit $status
	;;
shell)
	"${qemu[@]}" -initrd "$initrd" -append "$append quiet" \
		-serial mon:stdio -serial null
	exit 0
	;;
script)
	if [ ! -f "$script" ]; then
		echo "error: SCRIPT=$script is not a file" >&2
		exit 2
	fi
	if [ -n "$files" ] && [ ! -d "$files" ]; then
		echo "error: FILES=$files is not a directory" >&2
		exit 2
	fi
	log=$logs/guest-run-console.log
	stage=$logs/guest-run.root
	rm -rf "$stage"
	mkdir -p "$stage/extra" "$stage/guest-run"
	cp "$script" "$stage/guest-run/script"
	[ -z "$files" ] || cp -a "$files/." "$stage/extra/"
	(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$logs/guest-run-extra.cpio"
	cat "$initrd" "$logs/guest-run-extra.cpio" >"$logs/guest-run.cpio"
	"${run[@]}" "${qemu[@]}" -initrd "$logs/guest-run.cpio" -append "$append" \
		-serial "file:$log" -serial stdio </dev/null
	verdict $?
	status=$?
	if ! log_clean "$log" && [ $status -eq 0 ]; then
		status=125
	fi
	# make turns every failure into its own status 2: say the real one.
	echo "$status" >"$logs/guest-run.status"
	[ $status -eq 0 ] ||
		echo "guest-run: exit status $status (also in ${logs#"$PWD"/}/guest-run.status)" >&2
	exit $status
	;;
check)
	log=$logs/check-console.log
	tap=$logs/check-results.tap
	rm -f "$log" "$tap"
	: >"$tap"
	"${run[@]}" "${qemu[@]}" -initrd "$initrd" -append "$append" \
		-serial "file:$log" -serial "file:$tap" </dev/null &
	qpid=$!
	# Progress: one line per test program as it finishes.
	tail -n +1 -f --pid=$qpid "$tap" 2>/dev/null |
		tr -d '\r' | grep --line-buffered -E '^(not )?ok [0-9]+ selftests: ' |
		sed -u 's/^/      /' &
	wait $qpid
	rc=$?
	wait
	root=${initrd%.cpio}.root
	expected=$(grep -c . "$root/kselftest/kselftest-list.txt")
	# The regression peers (harness/guest/peers.sh) are one program more.
	if [ -d "$root/peers" ]; then
		expected=$((expected + 1))
		[ -f "$root/usr/share/watchq/peers-pristine.txt" ] ||
			echo "warning: no pristine results of the peers for linux-source-6.12" \
				"$(cat "$root/usr/share/watchq/peers-version"): every peer had to pass;" \
				"fix: make check-peers, and commit harness/peers/" >&2
	fi
	failed_reasons=0
	verdict "$rc" || failed_reasons=1
	log_ok=1
	log_clean "$log" || log_ok=0
	# The summary also goes to check-summary.txt (make patches quotes it).
	tr -d '\r' <"$tap" | awk -v expected="$expected" -v log_ok="$log_ok" \
		-v guest_failed="$failed_reasons" -f "$here/tap-summary.awk" \
		>"$logs/check-summary.txt"
	rc=$?
	cat "$logs/check-summary.txt"
	exit $rc
	;;
*)
	echo "boot.sh: unknown mode $mode" >&2
	exit 2
	;;
esac
