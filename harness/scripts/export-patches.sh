#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export-patches.sh DEVTREE
#
# Developer tool: write the commits of DEVTREE after its "pristine" tag to
# patches/ as a git-am-able series and list them in patches/series.  DEVTREE
# is a git repository of the base tree with the pristine tree tagged
# "pristine" (README, "Changing the kernel").
set -eu
dev=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
rm -f "$top"/patches/*.patch
git -C "$dev" -c diff.suppressBlankEmpty=true format-patch -q --no-numbered --zero-commit --no-signature \
	-o "$top/patches" pristine..HEAD
(cd "$top/patches" && ls -1 ./*.patch | sed 's#^\./##') >"$top/patches/series"
cat "$top/patches/series"
