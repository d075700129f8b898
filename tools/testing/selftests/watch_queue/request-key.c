// SPDX-License-Identifier: GPL-2.0
/*
 * /sbin/request-key for the watch_queue key selftests.
 *
 * The kernel runs this program to construct a key that request_key() asked
 * for, as
 *
 *	/sbin/request-key create <key> <uid> <gid> <thread> <process> <session>
 *
 * with the key linked, uninstantiated, into the requester's destination
 * keyring.  keys_test installs it (a symlink) while it needs it.
 *
 * It only constructs keys whose callout information starts with
 * "watch_queue-selftest:", and it does so only once the test says "go" by
 * creating /tmp/request-key-go-<key>, so that the test can find and watch
 * the key while it is under construction.  The callout says what to do:
 *
 *	watch_queue-selftest:instantiate:<payload>
 *	watch_queue-selftest:reject:<errno>
 *	watch_queue-selftest:negate
 *
 * The outcome goes to /tmp/request-key-done-<key>, for the test to report.
 * Any other request is refused: the kernel then negates the key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "wq_syscalls.h"

#define MAGIC		"watch_queue-selftest:"
#define GO_WAIT_MS	30000		/* Give up on the test after this */
#define NEG_TIMEOUT	60		/* Life of a negative key, seconds */

/* Record the outcome for the test; there is no one else to tell. */
static void report(long key, const char *what, int err)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/request-key-done-%ld", key);
	f = fopen(path, "w");
	if (!f)
		return;
	if (err)
		fprintf(f, "%s: %s\n", what, strerror(err));
	else
		fprintf(f, "%s\n", what);
	fclose(f);
}

/* Wait for the test's go-ahead: 0 when given, -1 after GO_WAIT_MS. */
static int wait_for_go(long key)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	char path[64];
	int ms;

	snprintf(path, sizeof(path), "/tmp/request-key-go-%ld", key);
	for (ms = 0; ms < GO_WAIT_MS; ms += 10) {
		if (access(path, F_OK) == 0) {
			unlink(path);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

int main(int argc, char **argv)
{
	char callout[256], *arg, *end;
	const char *what;
	long key, len, ret;
	unsigned long err;

	if (argc != 8 || strcmp(argv[1], "create"))
		return 1;
	key = strtol(argv[2], &end, 10);
	if (*end || key <= 0)
		return 1;

	/* The authorisation key's payload is the callout information. */
	if (wq_keyctl(KEYCTL_ASSUME_AUTHORITY, key, 0, 0, 0) < 0) {
		report(key, "assume authority", errno);
		return 1;
	}
	len = wq_keyctl(KEYCTL_READ, KEY_SPEC_REQKEY_AUTH_KEY,
			(unsigned long)callout, sizeof(callout) - 1, 0);
	if (len < 0) {
		report(key, "read callout", errno);
		return 1;
	}
	if (len > (long)sizeof(callout) - 1)
		len = sizeof(callout) - 1;
	callout[len] = '\0';
	if (strncmp(callout, MAGIC, strlen(MAGIC)))
		return 1;
	arg = callout + strlen(MAGIC);

	if (wait_for_go(key)) {
		report(key, "no go-ahead from the test", ETIMEDOUT);
		return 1;
	}

	if (!strncmp(arg, "instantiate:", 12)) {
		what = "KEYCTL_INSTANTIATE";
		arg += 12;
		ret = wq_keyctl(KEYCTL_INSTANTIATE, key, (unsigned long)arg,
				strlen(arg), 0);
	} else if (!strncmp(arg, "reject:", 7)) {
		what = "KEYCTL_REJECT";
		err = strtoul(arg + 7, NULL, 10);
		ret = wq_keyctl(KEYCTL_REJECT, key, NEG_TIMEOUT, err, 0);
	} else if (!strcmp(arg, "negate")) {
		what = "KEYCTL_NEGATE";
		ret = wq_keyctl(KEYCTL_NEGATE, key, NEG_TIMEOUT, 0, 0);
	} else {
		report(key, "unknown request", EINVAL);
		return 1;
	}
	if (ret < 0) {
		report(key, what, errno);
		return 1;
	}
	report(key, "done", 0);
	return 0;
}
