#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench-smoke: in the guest, every case of the benchmark once on tiny
# sizes; bench_smoke.sh prints TAP and exits 0 only if each case ran and
# reported numbers for every method.
exec /kselftest/watch_queue/bench_smoke.sh
