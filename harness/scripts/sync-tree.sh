#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sync-tree.sh TOP PRISTINE TREE
#
# Make TREE equal to PRISTINE with the patches of TOP/patches/series applied
# and the repository's new files (those under kernel top-level directories)
# copied over.  Only files whose contents change are rewritten, so that
# kbuild rebuilds no more than it must.  The patches are applied to copies
# of just the files they touch; TREE/.watchq-manifest remembers which files
# were managed, so that a dropped patch or file is undone on the next run.
set -eu
top=$1 pristine=$2 tree=$3
dirs="Documentation arch block certs crypto drivers fs include init io_uring
      ipc kernel lib mm net rust samples scripts security sound tools usr virt"
manifest=$tree/.watchq-manifest
base=$(cat "$pristine/.watchq-base")

stage=$(mktemp -d "${TMPDIR:-/tmp}/watchq-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

patches=()
if [ -f "$top/patches/series" ]; then
	while read -r p _; do
		case "$p" in '' | '#'*) continue ;; esac
		if [ ! -f "$top/patches/$p" ]; then
			echo "error: patches/series names $p, which does not exist" >&2
			exit 1
		fi
		patches+=("$p")
	done <"$top/patches/series"
fi

# The files the patches touch, copied from the base and patched in order.
patched=$(for p in "${patches[@]}"; do
	sed -n -e 's#^--- a/\([^[:space:]]*\).*#\1#p' \
	       -e 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$top/patches/$p"
done | sort -u)
for f in $patched; do
	if [ -f "$pristine/$f" ]; then
		mkdir -p "$stage/$(dirname "$f")"
		cp "$pristine/$f" "$stage/$f"
	fi
done
for p in "${patches[@]}"; do
	# A patch that only adds files of the repository has no diff here
	# (patches/new-files names its files).
	grep -q '^diff --git ' "$top/patches/$p" || continue
	if ! out=$(patch -d "$stage" -p1 -N -s --fuzz=0 --no-backup-if-mismatch \
			-r - <"$top/patches/$p" 2>&1); then
		echo "error: patches/$p does not apply to linux-source-6.12 $base:" >&2
		printf '%s\n' "$out" | sed 's/^/       /' >&2
		echo "       fix: rebase it onto this base (README, \"Changing the kernel\")" >&2
		exit 1
	fi
done

# The repository's own files at their kernel paths.
overlay=$(cd "$top" && for d in $dirs; do
	[ -d "$d" ] && find "$d" -type f ! -name '*~' ! -name '.*.sw?'
done | sort)
for f in $overlay; do
	if grep -qxF "$f" <<<"$patched"; then
		echo "error: $f is both a file of the repository and changed by a patch" >&2
		echo "       fix: keep it in one place" >&2
		exit 1
	fi
	mkdir -p "$stage/$(dirname "$f")"
	cp "$top/$f" "$stage/$f"
done

# Bring TREE in line: files staged now, and files managed last time.
staged=$(cd "$stage" && find . -type f | sed 's#^\./##' | sort)
changed=0
kconfig=0
for f in $( { echo "$staged"; cat "$manifest" 2>/dev/null || true; } | sort -u); do
	if [ -f "$stage/$f" ]; then
		src=$stage/$f
	elif [ -f "$pristine/$f" ]; then
		src=$pristine/$f
	else
		src=
	fi
	if [ -z "$src" ]; then
		[ -e "$tree/$f" ] || continue
		rm -f "$tree/$f"
	elif cmp -s "$src" "$tree/$f"; then
		continue
	else
		mkdir -p "$(dirname "$tree/$f")"
		cp "$src" "$tree/$f"
	fi
	changed=$((changed + 1))
	case "${f##*/}" in Kconfig* | Makefile | *.config) kconfig=1 ;; esac
done
echo "$staged" >"$manifest"
[ $kconfig -eq 0 ] || touch "$tree/.watchq-kconfig-changed"
[ -e "$tree/.watchq-kconfig-changed" ] || touch "$tree/.watchq-kconfig-changed"

echo "      ${#patches[@]} patches, $(grep -c . <<<"$overlay") new files; $changed files updated"
