#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export-patches.sh DEVTREE
#
# Developer tool: write the commits of DEVTREE after its "pristine" tag to
# patches/ and list them in patches/series.  DEVTREE is a git repository of
# the base tree with the pristine tree tagged "pristine" (README, "Changing
# the kernel"); each commit is one patch of the series, new files included.
#
# A file that the repository keeps whole (the new files at their kernel
# paths, and the few base files kept whole, such as include/uapi/linux/
# mount.h) is left out of the patch and named in patches/new-files instead,
# "PATCH PATH": the patch of the series that introduces it, at the
# repository's content.  make patches puts it back into that patch.  Such a
# file must be added or changed by one commit only, and its content there
# must be the repository's: edit it in the repository, not in DEVTREE.
# A commit that changes nothing but such files gives a patch without a diff.
set -eu
dev=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
# The directories whose files sync-tree.sh copies over the tree.
dirs="Documentation arch block certs crypto drivers fs include init io_uring
      ipc kernel lib mm net rust samples scripts security sound tools usr virt"
repo_files=$(cd "$top" && for d in $dirs; do
	[ -d "$d" ] && find "$d" -type f ! -name '*~' ! -name '.*.sw?'
done | sort)

out=$(mktemp -d "${TMPDIR:-/tmp}/watchq-export.XXXXXX")
trap 'rm -rf "$out"' EXIT
: >"$out/new-files"
n=0
for c in $(git -C "$dev" rev-list --reverse pristine..HEAD); do
	n=$((n + 1))
	name=$(git -C "$dev" format-patch -1 --start-number $n --no-numbered -o "$out/tmp" "$c")
	name=$(basename "$name")
	rm -rf "$out/tmp"
	excl=()
	for f in $(git -C "$dev" diff-tree --no-commit-id --name-only -r "$c"); do
		grep -qxF "$f" <<<"$repo_files" || continue
		if ! git -C "$dev" show "$c:$f" 2>/dev/null | cmp -s - "$top/$f"; then
			echo "error: $f differs between $(git -C "$dev" log -1 --format=%s "$c") and the repository" >&2
			echo "       fix: edit it in the repository; it enters the series whole" >&2
			exit 1
		fi
		if grep -q " $f\$" "$out/new-files"; then
			echo "error: $f is changed by more than one commit of $dev" >&2
			exit 1
		fi
		echo "$name $f" >>"$out/new-files"
		excl+=(":(exclude)$f")
	done
	if git -C "$dev" diff --quiet "$c~" "$c" -- . "${excl[@]}"; then
		# Nothing but repository files: the message alone.
		{
			git -C "$dev" log -1 --format='From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001%nFrom: %an <%ae>%nDate: %aD%nSubject: [PATCH] %s%n%n%b' "$c"
			echo "---"
			echo " (only the files that patches/new-files names for this patch)"
		} >"$out/$name"
	else
		git -C "$dev" -c diff.suppressBlankEmpty=true format-patch -1 --stdout \
			--no-numbered --zero-commit --no-signature --start-number $n \
			"$c" -- . "${excl[@]}" >"$out/$name"
	fi
	echo "$name" >>"$out/series"
done
for f in $repo_files; do
	grep -q " $f\$" "$out/new-files" || {
		echo "error: the repository's $f is not added by any commit of $dev" >&2
		exit 1
	}
done
rm -f "$top"/patches/*.patch
cp "$out"/*.patch "$top/patches/"
{
	echo "# The patch of patches/series that introduces each file the repository"
	echo "# keeps whole, at the repository's content (make patches; README,"
	echo "# \"Changing the kernel\").  Written by harness/scripts/export-patches.sh."
	cat "$out/new-files"
} >"$top/patches/new-files"
cp "$out/series" "$top/patches/series"
cat "$top/patches/series"
