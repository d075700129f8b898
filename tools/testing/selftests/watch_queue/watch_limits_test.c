// SPDX-License-Identifier: GPL-2.0
/*
 * What a watch costs its user, whatever the source: every watch counts
 * against /proc/sys/user/max_watch_queue_watches of the user's namespace
 * and of each ancestor namespace, so a user namespace can lower its
 * users' cap but never raise it above its parent's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_records.h"

#define WATCH_SYSCTL	"/proc/sys/user/max_watch_queue_watches"

/* The value of the cap in the caller's user namespace, or -1. */
static long read_cap(void)
{
	char buf[32] = "";
	ssize_t len;
	int fd;

	fd = open(WATCH_SYSCTL, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return len > 0 ? strtol(buf, NULL, 10) : -1;
}

/* A user namespace of its own, root in it mapped to the caller's IDs. */
static int enter_userns(void)
{
	char map[32];
	int uid = geteuid(), gid = getegid();

	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || unshare(CLONE_NEWUSER))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", uid);
	if (wq_write_file("/proc/self/uid_map", map) ||
	    wq_write_file("/proc/self/setgroups", "deny"))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", gid);
	return wq_write_file("/proc/self/gid_map", map);
}

/* The initial namespace's cap, and its documented default. */
TEST(default_cap)
{
	ASSERT_EQ(8192, read_cap()) TH_LOG("%s: %s", WATCH_SYSCTL,
					   strerror(errno));
}

#define PARENT_CAP	4
#define QUEUES		(PARENT_CAP + 2)

FIXTURE(cap) {
	int dummy;
};

FIXTURE_VARIANT(cap) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(cap, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(cap, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(cap)
{
}

FIXTURE_TEARDOWN(cap)
{
}

/*
 * A user namespace with a cap of PARENT_CAP, and a child namespace that
 * sets its own cap far higher: the parent's still applies in the child.
 * Each queue watches "/" once; the watch past the cap fails with EAGAIN,
 * and a watch given back (its queue closed) makes room again.
 */
TEST_F(cap, child_cannot_raise_it)
{
	struct wq_queue q[QUEUES];
	char num[16];
	int i, status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid) {
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
		return;
	}

	ASSERT_EQ(0, wq_become_nobody());
	ASSERT_EQ(0, enter_userns());
	snprintf(num, sizeof(num), "%d", PARENT_CAP);
	ASSERT_EQ(0, wq_write_file(WATCH_SYSCTL, num));
	ASSERT_EQ(PARENT_CAP, read_cap());
	ASSERT_EQ(0, enter_userns());
	ASSERT_EQ(0, wq_write_file(WATCH_SYSCTL, "100000"));
	ASSERT_EQ(100000, read_cap());

	for (i = 0; i < QUEUES; i++)
		ASSERT_EQ(0, wq_queue_open(&q[i], variant->use_pipe));
	for (i = 0; i < PARENT_CAP; i++)
		ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, "/", 0, q[i].fd, i))
			TH_LOG("watch %d: %s", i, strerror(errno));
	ASSERT_FAILS(EAGAIN, wq_mount_watch(AT_FDCWD, "/", 0, q[PARENT_CAP].fd, 1));

	/* The watches of a closed queue are freed after a grace period. */
	ASSERT_EQ(0, wq_queue_close(&q[0]));
	for (i = 0; i < WAIT_MS / 10; i++) {
		if (!wq_mount_watch(AT_FDCWD, "/", 0, q[PARENT_CAP].fd, 1))
			break;
		ASSERT_EQ(EAGAIN, errno);
		wq_sleep_ms(10);
	}
	ASSERT_GT(WAIT_MS / 10, i) TH_LOG("the closed queue's watch was not given back");
	ASSERT_FAILS(EAGAIN, wq_mount_watch(AT_FDCWD, "/", 0, q[PARENT_CAP + 1].fd, 1));
	_exit(0);
}

TEST_HARNESS_MAIN
