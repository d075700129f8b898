# SPDX-License-Identifier: GPL-2.0
#
# Count the test cases in the TAP that kselftest's runner printed in the
# guest, and print "N passed, N failed[, N skipped]" as the last line.
#
# Input: the runner's TAP.  A test case is a line "# ok N name" or
# "# not ok N name" (the harness's TAP, nested one level); "# SKIP" marks a
# skip.  A test program is a line "ok N selftests: ..." or "not ok ...".
# Variables: expected (number of test programs), log_ok (1 if the kernel log
# is clean), guest_failed (1 if the guest gave no passing verdict).
# Exit status 0 only if nothing failed.

/^# (not )?ok [0-9]+ / {
	if ($2 == "not") {
		failed++
		prog_failed++
		print "  FAIL " substr($0, 3)
	} else if ($0 ~ /# SKIP/) {
		skipped++
	} else {
		passed++
	}
	next
}

/^(not )?ok [0-9]+ selftests: / {
	programs++
	# A program that failed without a failing test case: it crashed,
	# timed out or failed before its first test.
	if ($1 == "not" && prog_failed == 0) {
		failed++
		print "  FAIL " $0
	}
	prog_failed = 0
	next
}

END {
	if (programs < expected) {
		failed += expected - programs
		printf "  FAIL %d of %d test programs did not report\n",
			expected - programs, expected
	}
	# The kernel log check is a test case of its own.
	if (log_ok)
		passed++
	else {
		failed++
		print "  FAIL kernel log: reports found (see above)"
	}
	if (guest_failed && failed == 0) {
		failed++
		print "  FAIL the guest reported failure"
	}
	line = sprintf("%d passed, %d failed", passed, failed)
	if (skipped)
		line = line sprintf(", %d skipped", skipped)
	print line
	exit failed ? 1 : 0
}
