#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make-patches.sh TOP PRISTINE WORK OUT
#
# Write the series as upstream would receive it: a git format-patch series
# against the base tree, each file that the repository keeps whole inside
# the patch that patches/new-files names for it, and a cover letter made
# from patches/cover-letter.in.  WORK is a git repository of PRISTINE, made
# once and reused; OUT (build/patches) is rewritten.
#
#   new-files check    every file the repository keeps whole is named once,
#                      for a patch of patches/series, and exists;
#   commits            for each patch: its diff (git apply --index), its
#                      files from the repository, committed with its author,
#                      date and message;
#   the same tree      the result equals what sync-tree.sh made in
#                      TOP/build/src/linux, if it is there;
#   no Signed-off-by   the submitter adds them.
set -eu
top=$1 pristine=$2 work=$3 out=$4
base=$(cat "$pristine/.watchq-base")
dirs="Documentation arch block certs crypto drivers fs include init io_uring
      ipc kernel lib mm net rust samples scripts security sound tools usr virt"
series=$top/patches/series
map=$top/patches/new-files

mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series" | awk '{print $1}')
repo_files=$(cd "$top" && for d in $dirs; do
	[ -d "$d" ] && find "$d" -type f ! -name '*~' ! -name '.*.sw?'
done | sort)
entries=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$map")
errors=0
for f in $repo_files; do
	n=$(awk -v f="$f" '$2 == f' <<<"$entries" | wc -l)
	if [ "$n" -ne 1 ]; then
		echo "error: $f is named $n times in patches/new-files, not once" >&2
		errors=$((errors + 1))
	fi
done
while read -r p f; do
	if ! printf '%s\n' "${patches[@]}" | grep -qxF "$p"; then
		echo "error: patches/new-files: $p (for $f) is not in patches/series" >&2
		errors=$((errors + 1))
	fi
	if [ ! -f "$top/$f" ]; then
		echo "error: patches/new-files: $f is not a file of the repository" >&2
		errors=$((errors + 1))
	fi
done <<<"$entries"
if [ $errors -ne 0 ]; then
	echo "       fix: name each file the patch that introduces it (README, \"Changing the kernel\")" >&2
	exit 1
fi

# The base as a git repository, made once (about two minutes).
if [ "$(cat "$work/.watchq-base" 2>/dev/null)" != "$base" ] ||
   ! git -C "$work" rev-parse -q --verify refs/tags/pristine >/dev/null; then
	echo "      making a git repository of the base tree in ${work#"$top"/} (once)"
	rm -rf "$work"
	cp -a "$pristine" "$work"
	git -C "$work" init -q
	git -C "$work" add -f -A
	git -C "$work" -c user.name=base -c user.email=base@localhost \
		commit -q -m "linux-source-6.12 $base"
	git -C "$work" tag pristine
fi
git -C "$work" checkout -q -f -B series pristine
git -C "$work" clean -q -f -d -x

export GIT_COMMITTER_NAME="Watch Queue Developers" GIT_COMMITTER_EMAIL=watchq@example.org
tmp=$(mktemp -d "${TMPDIR:-/tmp}/watchq-series.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for p in "${patches[@]}"; do
	git mailinfo -b "$tmp/msg" "$tmp/diff" <"$top/patches/$p" >"$tmp/info"
	if [ -s "$tmp/diff" ] && grep -q '^diff --git ' "$tmp/diff"; then
		if ! git -C "$work" apply --index --whitespace=nowarn "$tmp/diff" 2>"$tmp/err"; then
			echo "error: patches/$p does not apply to linux-source-6.12 $base:" >&2
			sed 's/^/       /' "$tmp/err" >&2
			exit 1
		fi
	fi
	while read -r _ f; do
		mkdir -p "$work/$(dirname "$f")"
		cp -p "$top/$f" "$work/$f"
		git -C "$work" add -f "$f"
	done < <(awk -v p="$p" '$1 == p' <<<"$entries")
	subject=$(sed -n 's/^Subject: //p' "$tmp/info")
	GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$tmp/info") \
	GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$tmp/info") \
	GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$tmp/info") \
	GIT_COMMITTER_DATE=$(sed -n 's/^Date: //p' "$tmp/info") \
		git -C "$work" commit -q --allow-empty -F - <<-MSG
	$subject

	$(grep -v '^Signed-off-by:' "$tmp/msg")
	MSG
done

rm -rf "$out"
mkdir -p "$out"
n=${#patches[@]}
git -C "$work" -c diff.suppressBlankEmpty=true format-patch -q --numbered \
	--zero-commit --no-signature --subject-prefix=PATCH -o "$out" pristine..series
if grep -l '^Signed-off-by:' "$out"/*.patch >&2; then
	echo "error: these patches carry Signed-off-by: lines; they are the submitter's" >&2
	exit 1
fi

# The cover letter: patches/cover-letter.in with its @...@ filled in.
{
	echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
	grep -m1 '^From: ' "$out/0001-"*.patch
	grep -m1 '^Date: ' "$out/$(printf '%04d' "$n")-"*.patch
	echo "Subject: [PATCH 00/$n] $(sed -n 's/^Subject: //p' "$top/patches/cover-letter.in")"
	echo "MIME-Version: 1.0"
	echo "Content-Type: text/plain; charset=UTF-8"
	echo "Content-Transfer-Encoding: 8bit"
	echo
	sed -e '1,/^$/d' "$top/patches/cover-letter.in" | while IFS= read -r line; do
		case "$line" in
		@BASE@)
			echo "Debian's linux-source-6.12 $base, that is Linux" \
			     "$(sed -n 's/^VERSION = //p' "$pristine/Makefile").$(sed -n 's/^PATCHLEVEL = //p' "$pristine/Makefile").$(sed -n 's/^SUBLEVEL = //p' "$pristine/Makefile")"
			echo "with Debian's patches, as /usr/src/linux-source-6.12.tar.xz unpacks."
			;;
		@BENCH@)
			bench=$(ls "$top"/Documentation/watch_queue/bench-*.md | sort | tail -1)
			echo "From ${bench#"$top"/}:"
			echo
			awk '/^## Targets and what was measured/ { on = 1; next }
			     on && /^\|/ { print; seen = 1; next }
			     on && seen { exit }' "$bench"
			;;
		@TESTS@)
			sum=$top/build/logs/check-summary.txt
			if [ -s "$sum" ]; then
				echo "make check of $(date -u -r "$sum" '+%Y-%m-%d %H:%M UTC') (every selftest in QEMU"
				echo "on the debug kernel, plus one for the kernel log check):"
				echo
				echo "    $(tail -1 "$sum")"
			else
				echo "(make check has not been run in this tree: no build/logs/check-summary.txt.)"
			fi
			;;
		@SHORTLOG@)
			git -C "$work" shortlog pristine..series
			;;
		@DIFFSTAT@)
			git -C "$work" diff --stat=72 --summary pristine series
			;;
		*)
			printf '%s\n' "$line"
			;;
		esac
	done
} >"$out/0000-cover-letter.patch"

# The series makes the tree that sync-tree.sh makes: every file that
# either changes (the series' files, and those sync-tree.sh manages, in
# its .watchq-manifest) is the same in both; the rest is the base in both.
tree=$top/build/src/linux
if [ -f "$tree/.watchq-manifest" ]; then
	bad=0
	for f in $( { git -C "$work" diff --name-only pristine series; cat "$tree/.watchq-manifest"; } | sort -u); do
		if [ -e "$work/$f" ] || [ -e "$tree/$f" ]; then
			cmp -s "$work/$f" "$tree/$f" && continue
			echo "       $f differs" >&2
			bad=$((bad + 1))
		fi
	done
	if [ $bad -ne 0 ]; then
		echo "error: the series does not make build/src/linux (above)" >&2
		exit 1
	fi
	echo "      $n patches in ${out#"$top"/}; applied to the base they make build/src/linux"
else
	echo "      $n patches in ${out#"$top"/}"
fi
