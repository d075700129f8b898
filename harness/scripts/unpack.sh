#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unpack.sh PRISTINE TREE
#
# Unpack Debian's linux-source-6.12 into PRISTINE, which is never modified,
# and copy it to TREE, which sync-tree.sh patches.  Both are redone only when
# the installed package version changes.
set -eu
pristine=$1 tree=$2
pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz

ver=$(dpkg-query -W -f='${Version}' $pkg 2>/dev/null) || {
	echo "error: $pkg is not installed; fix: run make as root (it installs it)" >&2
	exit 1
}
[ -f "$tarball" ] || { echo "error: $tarball is missing; fix: apt-get install --reinstall $pkg" >&2; exit 1; }

if [ "$(cat "$pristine/.watchq-base" 2>/dev/null)" != "$ver" ]; then
	echo "[2/7] unpacking $pkg $ver (~1 min)"
	rm -rf "$pristine" "$pristine.tmp"
	mkdir -p "$pristine.tmp"
	tar -xf "$tarball" -C "$pristine.tmp" --strip-components=1
	echo "$ver" >"$pristine.tmp/.watchq-base"
	mv "$pristine.tmp" "$pristine"
fi

if [ "$(cat "$tree/.watchq-base" 2>/dev/null)" != "$ver" ]; then
	echo "[2/7] copying the base tree to ${tree#"$PWD"/}"
	rm -rf "$tree" "$tree.tmp"
	cp -a "$pristine" "$tree.tmp"
	mv "$tree.tmp" "$tree"
fi
