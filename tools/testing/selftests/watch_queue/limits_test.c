// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user gets by asking for more and more: as uid 65534
 * with the machine's default limits, a loop that opens and sizes queues,
 * or sets watches, must end with a clear errno, and what it holds at that
 * point must be a bounded, small part of the machine.
 *
 * - Ring pages count against the user's RLIMIT_MEMLOCK, shared by all of
 *   that user's processes: ENOMEM.
 * - Watches count against max_watch_queue_watches, for every source and
 *   both transports: EAGAIN.
 * - Notification pipes count against pipe-user-pages-soft, as in
 *   mainline: EPERM.
 *
 * The other limits (the data area's largest size, a write's length, the
 * filter's length, the watch IDs of a queue) are tested where they are
 * used; Documentation/userspace-api/watch_queue_security.rst lists them
 * all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define WATCH_SYSCTL	"/proc/sys/user/max_watch_queue_watches"
#define PIPE_SOFT	"/proc/sys/fs/pipe-user-pages-soft"

/* More than any default limit allows; the loops fail the test past it. */
#define MAX_QUEUES	4000
#define BIND_MOUNTS	64

/* In a forked child: say what went wrong, for the test's log, and exit. */
#define CHILD_FAIL(code, fmt, ...) do {					\
	fprintf(stderr, "# child: " fmt "\n", ##__VA_ARGS__);		\
	_exit(code);							\
} while (0)

/* A number from a /proc file, or -1. */
static long read_long(const char *path)
{
	char buf[32] = "";
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return len > 0 ? strtol(buf, NULL, 10) : -1;
}

/* The soft RLIMIT_NOFILE raised to the hard one: room for many queues. */
static int most_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Reap @pid; its exit status, or -1 if it did not exit. */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Open and size the largest queues until the kernel refuses.  Returns how
 * many were sized, their pages in *@pages and the refusal's errno in
 * *@err; the descriptors are left open in @fds.
 */
static int size_until_refused(int *fds, unsigned long *pages, int *err)
{
	struct watch_queue_info info;
	int n, ret;

	*pages = 0;
	*err = 0;
	for (n = 0; n < MAX_QUEUES; n++) {
		fds[n] = wq_open_dev();
		if (fds[n] < 0) {
			*err = -fds[n];
			return n;
		}
		ret = watchq_setup(fds[n], 1ULL << 40, WATCH_QUEUE_SETUP_CLAMP,
				   &info);
		if (ret < 0) {
			*err = -ret;
			close(fds[n]);
			return n;
		}
		*pages += info.mmap_len / WQ_PAGE_SIZE;
	}
	return n;
}

FIXTURE(nobody) {
	int dummy;
};

FIXTURE_SETUP(nobody)
{
}

FIXTURE_TEARDOWN(nobody)
{
}

/*
 * Ring pages: the user's processes together pin at most RLIMIT_MEMLOCK.
 * One process sizes the largest rings until ENOMEM; a second process of
 * the same user then gets ENOMEM at once, and gets its ring once the first
 * has closed its queues.
 */
TEST_F_TIMEOUT(nobody, ring_pages_per_user, 120)
{
	static int fds[MAX_QUEUES];
	int go[2], done[2];
	struct rlimit rl;
	pid_t pid;

	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &rl));
	if (rl.rlim_cur == RLIM_INFINITY)
		SKIP(return, "RLIMIT_MEMLOCK is unlimited here: nothing to show");
	TH_LOG("RLIMIT_MEMLOCK %lu KiB", (unsigned long)rl.rlim_cur >> 10);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned long pages, limit = rl.rlim_cur / WQ_PAGE_SIZE;
		struct watch_queue_info info;
		int i, n, err, fd, status;
		pid_t other;
		char c;

		if (most_fds() || wq_become_nobody())
			CHILD_FAIL(10, "setup: %s", strerror(errno));
		n = size_until_refused(fds, &pages, &err);
		if (err != ENOMEM)
			CHILD_FAIL(11, "%d queues, %lu pages, then %s", n,
				   pages, strerror(err));
		fprintf(stderr, "# %d rings, %lu pages pinned of %lu, then ENOMEM\n",
			n, pages, limit);
		if (pages > limit || !n)
			CHILD_FAIL(12, "%lu pages pinned, over %lu", pages, limit);

		/* Another process of the same user: nothing left for it. */
		other = fork();
		if (other < 0)
			CHILD_FAIL(13, "fork: %s", strerror(errno));
		if (other == 0) {
			for (i = 0; i < n; i++)
				close(fds[i]);
			fd = wq_open_dev();
			if (fd < 0)
				_exit(20);
			if (watchq_setup(fd, 1ULL << 40, WATCH_QUEUE_SETUP_CLAMP,
					 &info) != -ENOMEM)
				_exit(21);
			if (write(go[1], "x", 1) != 1 ||
			    read(done[0], &c, 1) != 1)
				_exit(22);
			/* The first process gives its pages back. */
			for (i = 0; i < WAIT_MS / 10; i++) {
				if (!watchq_setup(fd, 1ULL << 40,
						  WATCH_QUEUE_SETUP_CLAMP, &info))
					_exit(0);
				wq_sleep_ms(10);
			}
			_exit(23);
		}
		if (read(go[0], &c, 1) != 1)
			CHILD_FAIL(14, "the second process did not get ENOMEM");
		for (i = 0; i < n; i++)
			close(fds[i]);
		if (write(done[1], "x", 1) != 1)
			CHILD_FAIL(15, "write: %s", strerror(errno));
		status = reap(other);
		if (status)
			CHILD_FAIL(16, "second process: exit %d", status);
		_exit(0);
	}
	close(go[1]);
	close(done[0]);
	ASSERT_EQ(0, reap(pid));
	close(go[0]);
	close(done[1]);
}

/* A user and mount namespace of its own, root in it mapped to the caller. */
static int own_namespaces(void)
{
	char map[32];

	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
	    unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", 65534);
	if (wq_write_file("/proc/self/uid_map", map) ||
	    wq_write_file("/proc/self/setgroups", "deny") ||
	    wq_write_file("/proc/self/gid_map", map))
		return -1;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* A tmpfs at @top with @nr bind mounts of its directories; 0 or -1. */
static int make_mounts(const char *top, int nr)
{
	char path[64];
	int i;

	if (mount("limits", top, "tmpfs", 0, NULL))
		return -1;
	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/%d", top, i);
		if (mkdir(path, 0700) || mount(path, path, NULL, MS_BIND, NULL))
			return -1;
	}
	return 0;
}

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
 * Watches: uid 65534 sets mount watches, BIND_MOUNTS to a queue, on as
 * many queues as it takes, until the kernel refuses.  The refusal is
 * EAGAIN at the initial namespace's cap, which its own user namespace
 * can't raise, and the memory the watches hold stays small.
 */
TEST_F_TIMEOUT(cap, watches_per_user, 600)
{
	long cap = read_long(WATCH_SYSCTL);
	pid_t pid;

	ASSERT_LT(0, cap) TH_LOG("%s: %s", WATCH_SYSCTL, strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct wq_queue q[MAX_QUEUES];
		const char *top = "/tmp";
		long set = 0, slab0, slab1;
		char path[64];
		int i, m, err = 0;

		if (most_fds() || wq_become_nobody() || own_namespaces() ||
		    make_mounts(top, BIND_MOUNTS))
			CHILD_FAIL(10, "setup: %s", strerror(errno));
		slab0 = wq_meminfo_kib("Slab:");
		for (i = 0; i < MAX_QUEUES && !err; i++) {
			if (wq_queue_open_sized(&q[i], variant->use_pipe, 1,
						WQ_PAGE_SIZE))
				CHILD_FAIL(11, "queue %d: %s", i, strerror(errno));
			for (m = 0; m < BIND_MOUNTS; m++) {
				snprintf(path, sizeof(path), "%s/%d", top, m);
				if (wq_mount_watch(AT_FDCWD, path, 0, q[i].fd, m)) {
					err = errno;
					break;
				}
				set++;
			}
		}
		slab1 = wq_meminfo_kib("Slab:");
		fprintf(stderr, "# %ld watches on %d queues, then %s; slab +%ld KiB\n",
			set, i, strerror(err), slab1 - slab0);
		if (err != EAGAIN)
			CHILD_FAIL(12, "%ld watches, then %s", set, strerror(err));
		if (set > cap || set < cap - BIND_MOUNTS)
			CHILD_FAIL(13, "%ld watches for a cap of %ld", set, cap);
		/*
		 * A bound far below harm: 16 KiB of slab a watch, queues
		 * included.  The debug kernel, with KASAN's redzones and
		 * kmemleak's objects, takes about 3.7 KiB.
		 */
		if (slab1 - slab0 > cap * 16)
			CHILD_FAIL(14, "slab grew by %ld KiB", slab1 - slab0);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
}

/*
 * Notification pipes: each is a pipe, whose buffers count against the
 * user's pipe-user-pages-soft.  Past it, sizing one fails with EPERM.
 */
TEST_F_TIMEOUT(nobody, pipe_pages_per_user, 600)
{
	long soft = read_long(PIPE_SOFT);
	pid_t pid;

	ASSERT_LE(0, soft) TH_LOG("%s: %s", PIPE_SOFT, strerror(errno));
	if (!soft)
		SKIP(return, "pipe-user-pages-soft is 0: no limit to show");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* 512 notes of 128 bytes: 16 pages a pipe. */
		const long per = 512 * 128 / WQ_PAGE_SIZE;
		int n, fd, wfd;

		if (most_fds() || wq_become_nobody())
			CHILD_FAIL(10, "setup: %s", strerror(errno));
		for (n = 0; n < MAX_QUEUES / 2; n++) {
			fd = wq_open_pipe(512, &wfd);
			if (fd < 0)
				break;
		}
		fprintf(stderr, "# %d pipes of %ld pages, then %s (soft limit %ld pages)\n",
			n, per, n < MAX_QUEUES / 2 ? strerror(-fd) : "none",
			soft);
		if (n == MAX_QUEUES / 2)
			CHILD_FAIL(11, "no limit after %d pipes", n);
		if (fd != -EPERM && fd != -EMFILE)
			CHILD_FAIL(12, "%d pipes, then %s", n, strerror(-fd));
		if (fd == -EPERM && n * per > soft + per)
			CHILD_FAIL(13, "%ld pages, over %ld", n * per, soft);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
}

TEST_HARNESS_MAIN
