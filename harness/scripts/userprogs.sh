#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# userprogs.sh TOP TREE INCLUDE GUEST
#
# Build the guest's programs statically against the patched UAPI headers in
# INCLUDE: the samples, the harness's guest tools and the selftests, which
# are installed with kselftest's own runner into GUEST/kselftest,
# watchq(1), and the regression peers of the base tree, into GUEST/peers.
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

# The regression peers (harness/guest/peers.sh): the base tree's own
# selftests of what the series changes and its pipe-based watch_test
# sample, built from the pristine base itself (none of their code is in
# this repository) into GUEST/peers.  Their objects go to build/peers/,
# never into the base tree, from which the patches are made.  Upstream
# code: its own warning flags, no -Werror.
pristine=$(dirname "$tree")/pristine
peers_obj=$(dirname "$guest")/peers
env MAKEFLAGS= MAKELEVEL= make -C "$pristine/tools/testing/selftests" \
	O="$peers_obj" \
	TARGETS="mount_setattr move_mount_set_group mount pidfd nsfs clone3 pid_namespace proc" \
	KHDR_INCLUDES="-isystem $inc" LDFLAGS=-static \
	INSTALL_PATH="$guest/peers" install
$cc -static -O2 -g -Wall -isystem "$inc" -o "$guest/peers/watch_test" \
	"$pristine/samples/watch_queue/watch_test.c"
