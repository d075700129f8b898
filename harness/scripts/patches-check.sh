#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# patches-check.sh TOP SERIES WORK OBJ LOG
#
# Check the series of make patches (SERIES, build/patches) as a maintainer
# would: git am it, patch by patch, onto a fresh checkout of the base
# (WORK, the git repository of the base that make-patches.sh made), and
# after each patch
#   - build the kernel (allnoconfig plus harness/config/patches-check.config,
#     CONFIG_WERROR, into OBJ with ccache), and check that every C file
#     of the series so far under a kernel directory was compiled;
#   - run scripts/checkpatch.pl --strict on the patch (without the
#     Signed-off-by check, as the submitter adds them, and without
#     FILE_PATH_CHANGES, the MAINTAINERS reminder, which is theirs too).
# One line per patch with its times; details in LOG.  Not part of make
# check: a build per patch takes a while.
set -u
top=$1 series=$2 work=$3 obj=$4 log=$5
frag=$top/harness/config/patches-check.config
jobs=$(nproc)
: >"$log"
ls "$series"/0001-*.patch >/dev/null 2>&1 || {
	echo "error: no series in $series; fix: make patches" >&2
	exit 1
}
git -C "$work" checkout -q -f -B patches-check pristine || exit 1
git -C "$work" clean -q -f -d -x
mkdir -p "$obj"
fails=0
kmake()
{
	env MAKEFLAGS= MAKELEVEL= nice -n 19 make -C "$work" O="$obj" \
		CC="ccache gcc" KBUILD_BUILD_USER=watchq KBUILD_BUILD_HOST=qemu \
		KBUILD_BUILD_TIMESTAMP=2024-12-01 "$@"
}
start_all=$(date +%s)
for p in "$series"/[0-9][0-9][0-9][0-9]-*.patch; do
	name=$(basename "$p")
	[ "$name" = 0000-cover-letter.patch ] && continue
	verdict=ok
	echo "=== $name" >>"$log"
	if ! git -C "$work" -c user.name=check -c user.email=check@localhost \
		am -q --keep-cr "$p" >>"$log" 2>&1; then
		echo "      $name: git am FAILED" >&2
		git -C "$work" am --abort >/dev/null 2>&1
		fails=$((fails + 1))
		break
	fi
	t0=$(date +%s)
	if ! kmake KCONFIG_ALLCONFIG="$frag" allnoconfig >>"$log" 2>&1 ||
	   ! kmake -j"$jobs" bzImage >>"$log" 2>&1; then
		verdict="BUILD FAILED"
	else
		# Every C file that the series added so far was compiled.
		for f in $(git -C "$work" diff --name-only --diff-filter=A pristine HEAD -- \
				'drivers/*.c' 'fs/*.c' 'kernel/*.c' 'security/*.c' 'mm/*.c' \
				'net/*.c' 'ipc/*.c' 'init/*.c' 'lib/*.c' 'block/*.c'); do
			if [ ! -f "$obj/${f%.c}.o" ]; then
				verdict="NOT COMPILED: $f"
				echo "$f was not compiled" >>"$log"
			fi
		done
	fi
	t1=$(date +%s)
	# spdxcheck.py (python3-ply, python3-git) by the system python3.
	cp=$(cd "$work" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --quiet --no-summary \
		--no-signoff --ignore FILE_PATH_CHANGES --color=never --show-types "$p" 2>&1)
	t2=$(date +%s)
	if [ -n "$cp" ]; then
		printf '%s\n' "$cp" >>"$log"
		[ "$verdict" = ok ] && verdict="CHECKPATCH" || verdict="$verdict, CHECKPATCH"
	fi
	[ "$verdict" = ok ] || fails=$((fails + 1))
	printf '      %-62.62s build %4ss  checkpatch %2ss  %s\n' "$name" $((t1 - t0)) $((t2 - t1)) "$verdict"
done
echo "      enabled at the end: $(grep -E '^CONFIG_(WATCH_QUEUE|WATCH_QUEUE_DEV|KEY_NOTIFICATIONS|MOUNT_NOTIFICATIONS|SB_NOTIFICATIONS|NS_NOTIFICATIONS|BLK_NOTIFICATIONS|PROC_NOTIFICATIONS|SECURITY|QUOTA|EXT4_FS)=y' "$obj/.config" | sed 's/=y//' | tr '\n' ' ')"
echo "      $(( $(date +%s) - start_all ))s in all"
if [ $fails -ne 0 ]; then
	echo "error: $fails patches failed; details: ${log#"$PWD"/}" >&2
	exit 1
fi
echo "      every patch applies with git am, builds and passes checkpatch --strict"
