#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest script of make fuzz: only the fuzzer
# (tools/testing/selftests/watch_queue/fuzz_test.c), with the seed and the
# number of operations of fuzz.env (make fuzz writes it into /extra, the
# directory the script runs in).  Exit status: the fuzzer's; the host
# fails the run as well on any kernel report in the log, kmemleak's
# included (the guest's /init scans after the script).
. ./fuzz.env || exit 2
export WQ_FUZZ_SEED WQ_FUZZ_OPS
echo "make fuzz: seed ${WQ_FUZZ_SEED:-(the time)}, ${WQ_FUZZ_OPS:-the default number of} operations"
/kselftest/watch_queue/fuzz_test
status=$?
echo "make fuzz: fuzz_test exited with $status"
exit $status
