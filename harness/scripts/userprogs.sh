#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# userprogs.sh TOP TREE INCLUDE GUEST
#
# Build the guest's programs statically against the patched UAPI headers in
# INCLUDE: the samples, the harness's guest tools and the selftests, which
# are installed with kselftest's own runner into GUEST/kselftest, and
# watchq(1).
set -eux
top=$1 tree=$2 inc=$3 guest=$4
cc=${CC:-gcc}
cflags="-static -O2 -g -Wall -Wextra -Werror -isystem $inc -I$tree/tools/lib/watch_queue"

rm -rf "$guest"
mkdir -p "$guest/bin" "$guest/kselftest"

# uring_watch alone links liburing (liburing-dev's liburing.a).
for src in "$tree"/samples/watch_queue/*.c "$top"/harness/guest/*.c; do
	libs=-lpthread
	case $src in */uring_watch.c) libs="-luring $libs" ;; esac
	$cc $cflags -o "$guest/bin/$(basename "$src" .c)" "$src" $libs
done
# watchq(1), the command of tools/watch_queue/, in the guest's PATH.
$cc $cflags -o "$guest/bin/watchq" "$tree/tools/watch_queue/watchq.c"

env MAKEFLAGS= MAKELEVEL= make -C "$tree/tools/testing/selftests" \
	TARGETS=watch_queue KHDR_INCLUDES="-isystem $inc" LDFLAGS=-static \
	INSTALL_PATH="$guest/kselftest" install
