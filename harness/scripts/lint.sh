#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh TOP TREE LOG INCLUDE
#
# The style checks a maintainer would run, on everything the project adds:
#   - patches/new-files names the patch of each file kept whole;
#   - scripts/checkpatch.pl --strict on every patch of patches/series, on
#     every new file of the repository (-f), and on the diff
#     that a whole file kept in the repository makes to the base's;
#   - scripts/kernel-doc -Wall on the new kernel sources and the core files
#     the series changes, so that every function has its kernel-doc;
#   - docutils on the project's rST documents, warnings being errors (the
#     documents use no Sphinx extension, so plain docutils parses them as
#     make htmldocs would), without Pygments (--syntax-highlight=none:
#     a fresh machine has docutils without it);
#   - groff on every man page of man/ (-ww: all warnings), warnings being
#     errors;
#   - every C example of the documents (rST ".. code-block:: c", Markdown
#     "```c", man pages' EXAMPLES) compiled against the installed UAPI
#     headers in INCLUDE and tools/lib/watch_queue, by doc-examples.py,
#     which says how a fragment is marked.
# Prints one line per failing check and the details to LOG; exits 1 if any
# check found an ERROR, a WARNING or (checkpatch --strict) a CHECK.
set -u
S=$(dirname "$(readlink -f "$0")")
top=$1 tree=$2 log=$3 inc=$4

: >"$log"
fails=0

# fail WHAT OUTPUT: record a failing check.
fail()
{
	fails=$((fails + 1))
	echo "      lint: $1" >&2
	{ echo "=== $1"; printf '%s\n' "$2"; } >>"$log"
}

# checkpatch runs from the tree, which is not a git repository: it finds
# its data files there and skips the git-based checks.
checkpatch()
{
	(cd "$tree" && ./scripts/checkpatch.pl --strict --quiet --no-summary \
		--color=never --show-types "$@" 2>&1)
}

# The patches carry no Signed-off-by: the submitter adds them.  A patch
# that only adds files of the repository has no diff in patches/: its
# files are checked below, and make patches-check checks it whole.
while read -r p _; do
	case "$p" in '' | '#'*) continue ;; esac
	grep -q '^diff --git ' "$top/patches/$p" || continue
	out=$(checkpatch --no-signoff "$top/patches/$p")
	[ -z "$out" ] || fail "checkpatch: patches/$p" "$out"
done <"$top/patches/series"

# patches/new-files names, once, the patch of the series that introduces
# each file the repository keeps whole (make patches puts it there).
dirs="Documentation arch block certs crypto drivers fs include init io_uring
      ipc kernel lib mm net rust samples scripts security sound tools usr virt"
entries=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/patches/new-files" 2>/dev/null)
out=$(cd "$top" && for d in $dirs; do
	[ -d "$d" ] && find "$d" -type f ! -name '*~' ! -name '.*.sw?'
done | sort | while read -r f; do
	n=$(awk -v f="$f" '$2 == f' <<<"$entries" | wc -l)
	[ "$n" -eq 1 ] || echo "$f: named $n times in patches/new-files, not once"
done
while read -r p f; do
	[ -n "$p" ] || continue
	grep -qxF "$p" <(awk '{print $1}' "$top/patches/series") ||
		echo "$f: for $p, which is not in patches/series"
	[ -f "$top/$f" ] || echo "$f: not a file of the repository"
done <<<"$entries")
[ -z "$out" ] || fail "patches/new-files" "$out"

# Every file the series adds, not only C: scripts, documents and plots
# are in the patches too.
sources=$(cd "$top" && git ls-files -- Documentation block drivers fs include \
	kernel samples tools 'harness/*.c' 2>/dev/null || true)
# A file that the base has too (a UAPI header kept whole in the repository)
# is checked as the diff it makes: its upstream lines are not ours.
pristine=$(dirname "$tree")/pristine
for f in $sources; do
	if [ -f "$pristine/$f" ]; then
		out=$(diff -u --label "a/$f" --label "b/$f" "$pristine/$f" "$top/$f" |
			checkpatch --no-signoff --ignore COMMIT_MESSAGE -)
	else
		out=$(checkpatch -f "$top/$f")
	fi
	[ -z "$out" ] || fail "checkpatch: $f" "$out"
done

# kernel-doc: the repository's kernel sources, and the core of the series.
kdoc=$(cd "$top" && git ls-files -- 'block/*.[ch]' 'drivers/*.[ch]' 'fs/*.[ch]' \
	'include/linux/*.h' 'kernel/*.[ch]' 2>/dev/null || true)
for f in $kdoc kernel/watch_queue.c include/linux/watch_queue.h; do
	src=$tree/$f
	[ -f "$src" ] || continue
	out=$("$tree/scripts/kernel-doc" -none -Wall "$src" 2>&1)
	[ -z "$out" ] || fail "kernel-doc: $f" "$out"
done

# rST: the project's documents, and the core-api page the series changes.
docs=$(cd "$top" && git ls-files -- 'Documentation/*.rst' 2>/dev/null || true)
for d in $docs Documentation/core-api/watch_queue.rst; do
	src=$tree/$d
	[ -f "$src" ] || continue
	out=$(rst2html --syntax-highlight=none --halt=warning --report=warning --no-raw \
		--no-file-insertion "$src" 2>&1 >/dev/null)
	[ $? -eq 0 ] && [ -z "$out" ] || fail "docutils: $d" "$out"
done

# Man pages: groff with every warning on (-ww), tables through tbl (-t),
# output thrown away (-z); it exits 0 on warnings, so any output fails.
mans=$(cd "$top" && git ls-files -- 'man/*.[1-9]' 2>/dev/null || true)
for m in $mans; do
	out=$(cd "$top" && groff -man -t -ww -z "$m" 2>&1)
	[ $? -eq 0 ] && [ -z "$out" ] || fail "groff: $m" "$out"
done

# C examples of the documents and the man pages' EXAMPLES, compiled.
exdocs=$(cd "$top" && git ls-files -- README.md 'Documentation/*.rst' \
	'Documentation/*.md' 'man/*.[1-9]' 2>/dev/null || true)
out=$(cd "$top" && python3 "$S/doc-examples.py" "$inc" \
	tools/lib/watch_queue "$(dirname "$log")/doc-examples" $exdocs 2>&1)
[ $? -eq 0 ] || fail "C examples (harness/scripts/doc-examples.py)" "$out"

if [ $fails -ne 0 ]; then
	echo "error: $fails style checks failed; details: ${log#"$PWD"/}" >&2
	echo "       fix: see Documentation/process/coding-style.rst and" >&2
	echo "       doc-guide/kernel-doc.rst, groff_man(7) for man/, the head" >&2
	echo "       of harness/scripts/doc-examples.py for C examples;" >&2
	echo "       re-run with make lint" >&2
	exit 1
fi
