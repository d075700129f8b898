#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check-pristine: run in the guest on the unpatched base kernel, which
# has no /dev/watch_queue.  A program built against our headers must get a
# clean "not supported" from watchq_open(), after no system call but the
# open() of the device, and from watchq_watch_mount(), _sb() and _ns() on a
# notification pipe, after no system call but the one ioctl
# (no_device_test traces them).
set -e
if [ -e /dev/watch_queue ]; then
	echo "error: /dev/watch_queue exists: this is not the pristine kernel" >&2
	exit 1
fi
uname -a
WQ_EXPECT=unsupported /kselftest/watch_queue/no_device_test
