#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh --patched BZIMAGE --pristine BZIMAGE --initrd CPIO --disk IMAGE
#          --logs DIR --out DIR [--pairs N] [--cases LIST] [--reps N]
#          [--timeout SECS]
#
# make bench.  Boots the patched kernel (the bench flavour) once for every
# case of wq_bench, then N pairs of alternating boots of the pristine base
# and of the patched kernel (pristine-bench, bench, pristine-bench, ...)
# that run only what both kernels can run (wq_bench --zero: case 5 with no
# watcher), for the patched/pristine ratios.  Every boot is TCG with the
# vCPUs of boot.sh; each boot's raw output is kept in OUT/raw/.  Case 5
# and the pairs run under QEMU's -icount (boot.sh --icount): the guest's clock then
# counts the guest's instructions, so the ratio of two kernels is the ratio
# of the work they do, which a busy host can't disturb (under plain TCG the
# pairs' ratios ranged from -67% to +205% on a loaded two-core host).  Then
# bench-report.py makes OUT/results.md and gnuplot OUT/*.svg, and the
# table is printed.
set -u
here=$(cd "$(dirname "$0")" && pwd)

patched= pristine= initrd= disk= logs= out= pairs=3 cases= reps= timeout=7200
while [ $# -gt 0 ]; do
	case "$1" in
	--patched) patched=$2 ;;
	--pristine) pristine=$2 ;;
	--initrd) initrd=$2 ;;
	--disk) disk=$2 ;;
	--logs) logs=$2 ;;
	--out) out=$2 ;;
	--pairs) pairs=$2 ;;
	--cases) cases=$2 ;;
	--reps) reps=$2 ;;
	--timeout) timeout=$2 ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done

rm -rf "$out/raw"
mkdir -p "$out/raw" "$logs"
scripts=$(mktemp -d "${TMPDIR:-/tmp}/watchq-bench.XXXXXX")
trap 'rm -rf "$scripts"' EXIT

# Case 5 (producer overhead) runs in a boot of its own under -icount, as
# the pairs do: its ratios (1 watcher against 0) are then of instructions
# too.  The other cases compare methods side by side in one boot under
# plain TCG, and case 6 needs the two vCPUs to run at once, which they
# don't under -icount.
all=${cases:-1,2,3,4,5,6,7,8,9}
rest=$(echo ",$all," | sed -e 's/,5,/,/g' -e 's/^,//' -e 's/,$//')
case ",$all," in *,5,*) with5=1 ;; *) with5=0 pairs=0 ;; esac
rargs=()
[ -z "$reps" ] || rargs+=(--reps "$reps")
echo "/kselftest/watch_queue/wq_bench --cases $rest ${rargs[*]}" >"$scripts/full.sh"
echo "/kselftest/watch_queue/wq_bench --cases 5 ${rargs[*]}" >"$scripts/full5.sh"
# The zero runs are short: more repetitions than the full run's 11.
zargs=(--zero --cases 5 --reps "${reps:-31}")
echo "/kselftest/watch_queue/wq_bench ${zargs[*]}" >"$scripts/zero.sh"

# The guest kernel has no ACPI, so no HPET or PM timer to calibrate the TSC
# against: it would mark the TSC unstable and keep time in jiffies (4 ms).
# Give it the host's TSC frequency, which is what TCG's TSC counts at.  An
# error in it scales every time alike and no ratio.
tsc_khz()
{
	local mhz
	mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$mhz" ] || mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | head -n 1)
	[ -n "$mhz" ] || mhz=$(sed -n 's/^cpu MHz[[:space:]]*: \([0-9.]*\)/\1/p' /proc/cpuinfo | head -n 1)
	awk -v m="$mhz" 'BEGIN { printf "%d", m * 1000 }'
}
khz=$(tsc_khz)
if [ -z "$khz" ] || [ "$khz" -le 0 ]; then
	echo "error: can't tell the host's TSC frequency (dmesg, /proc/cpuinfo)" >&2
	exit 1
fi
append="tsc_early_khz=$khz tsc=reliable"
# 4 ns per instruction: a guest of about the speed of plain TCG here.
icount_shift=2

n=0
# boot KERNEL ROLE KIND SCRIPT [icount]: one boot, its output to OUT/raw.
boot()
{
	local raw icount=() how="plain TCG"
	raw=$(printf '%s/raw/boot%02d-%s-%s.txt' "$out" "$n" "$2" "$3")
	if [ "${5:-}" = icount ]; then
		icount=(--icount "$icount_shift")
		how="-icount"
	fi
	echo "      boot $n: $2 kernel, $3 run of $4, $how (raw: ${raw#"$PWD"/})"
	"$here/boot.sh" --kernel "$1" --initrd "$initrd" --logs "$logs" \
		--disk "$disk" --mode script --script "$scripts/$4.sh" \
		--timeout "$timeout" --append "$append" "${icount[@]}" >"$raw"
	local rc=$?
	cp "$logs/guest-run-console.log" "$logs/bench-console-$n.log"
	if [ $rc -ne 0 ]; then
		echo "error: boot $n ($2, $3) failed with status $rc; its output:" >&2
		grep -v '^[SI]	' "$raw" | tail -n 20 | sed 's/^/  /' >&2
		echo "       console: ${logs#"$PWD"/}/bench-console-$n.log" >&2
		exit 1
	fi
	n=$((n + 1))
}

# The pairs measure case 5 only.
[ -z "$rest" ] || boot "$patched" patched full full
[ "$with5" = 0 ] || boot "$patched" patched full full5 icount
for ((i = 0; i < pairs; i++)); do
	boot "$pristine" pristine zero zero icount
	boot "$patched" patched zero zero icount
done

{
	echo "Accelerator: TCG ($(qemu-system-x86_64 --version | head -n 1));" \
		"/dev/kvm exists, but a KVM guest hangs with no output on these" \
		"machines, so every figure is from TCG"
	echo "Guest: 2 vCPUs (-smp 2 as two sockets), 2 GiB; host CPU:" \
		"$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
	echo "Guest clock: the TSC at the host's $khz kHz (kernel parameters" \
		"$append), as the guest has no timer to calibrate it against"
	echo "Case 5 and the patched/pristine pairs: QEMU -icount shift=$icount_shift" \
		"(the guest's clock advances with the instructions it executes;" \
		"absolute figures are in that clock)," \
		"so their ratios are of instructions executed, not of host time"
	echo "Kernels: bench (patched, no debug options) and pristine-bench" \
		"(the unpatched base, the same configuration); run on $(date -u +%Y-%m-%d)"
} >"$out/header.txt"
/usr/bin/python3 "$here/bench-report.py" "$out" "$out/header.txt" \
	"$out"/raw/boot*.txt || exit 1

cat >"$out/plots.gp" <<'GP'
set terminal svg size 720,480 dynamic enhanced font "sans,12"
set logscale xy
set key top left
set grid
set ylabel "CPU time per detection (ns)"
set output "case1-mounts.svg"
set title "Case 1: learning that one mount was added (TCG, median)"
set xlabel "mounts in the namespace"
plot for [i=2:6] "case1.dat" using 1:i with linespoints title columnhead(i)
set output "case2-processes.svg"
set title "Case 2: learning that a process changed namespace (TCG, median)"
set xlabel "processes"
plot for [i=2:3] "case2.dat" using 1:i with linespoints title columnhead(i)
GP
# column headers: the first line of each .dat without its "# ".
for f in case1 case2; do
	[ -f "$out/$f.dat" ] || continue
	sed -i -e '1s/^# //' -e '1s/ (median ns)$//' "$out/$f.dat"
done
if [ -f "$out/case1.dat" ] && [ -f "$out/case2.dat" ]; then
	(cd "$out" && gnuplot plots.gp) || { echo "error: gnuplot failed" >&2; exit 1; }
	echo "      plots: ${out#"$PWD"/}/case1-mounts.svg, case2-processes.svg"
fi
echo "      table: ${out#"$PWD"/}/results.md"
