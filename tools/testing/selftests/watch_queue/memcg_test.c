// SPDX-License-Identifier: GPL-2.0
/*
 * The memory cgroup: sizing a queue charges its ring's pages to the sizer's
 * memory cgroup, and every watch and watch list of every source is charged
 * to the cgroup of the task that sets the watch.  A group's memory.max
 * makes sizing and watching fail with ENOMEM (and never calls the OOM
 * killer), and closing and unmapping gives every page back.  The ring
 * belongs to the device only: a notification pipe's buffers are the pipe's
 * own business.
 *
 * Each test mounts cgroup2 at a temporary directory, makes a child group,
 * and runs its body in a forked child that moves itself into the group.
 *
 * memory.current is not exact: the memory controller charges its page
 * counter in batches of WQ_MEMCG_BATCH (64) pages through a per-CPU stock,
 * so it runs ahead of what the group uses by 0 to 64 pages for each CPU
 * that charged the group.  The child pins itself to CPU 0 before entering
 * the new group, so that only one stock ever holds charges of the group:
 * between two readings, memory.current then moves by what the kernel
 * allocated for the group plus or minus 64 pages.  For a ring of 256 data
 * pages, the kernel allocates exactly 258 pages (the consumer's page and the
 * header page too) plus a few small objects (the page array, 2 KiB, and the
 * ring's own structure), which WQ_META_PAGES bounds with room to spare.  So
 * a kernel that charges the ring reads at least 258 - 64 = 194 pages more,
 * and one that does not, or leaks it, at most 64 + WQ_META_PAGES = 72: the
 * bounds are far apart on both sides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_records.h"

#define WQ_RING_PAGES	256	/* Data pages of the rings measured */
#define WQ_RING_BYTES	(WQ_RING_PAGES * WQ_PAGE_SIZE)
#define WQ_META_PAGES	8	/* Kernel metadata of a ring, at most */

/* What the child saw when it failed: a line for the parent's log. */
#define CHILD_FAIL(code, fmt, ...) do {					\
	fprintf(stderr, "# child: " fmt "\n", ##__VA_ARGS__);		\
	_exit(code);							\
} while (0)

/* memory.current of @cg in pages, or the child fails with @code. */
static long long current_pages(const struct wq_cgroup *cg, int code)
{
	long long cur = wq_cg_read(cg->path, "memory.current");

	if (cur < 0)
		CHILD_FAIL(code, "reading memory.current: %s", strerror(-cur));
	return cur / (long long)WQ_PAGE_SIZE;
}

/*
 * Fork a child that runs @body pinned to CPU 0 inside @cg, and return how
 * it ended: its exit status, or 128 plus the signal that killed it, with a
 * description in @how.
 */
static int run_in_group(const struct wq_cgroup *cg,
			void (*body)(const struct wq_cgroup *cg),
			char *how, size_t size)
{
	int status, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		snprintf(how, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		ret = wq_pin_cpu(0);
		if (ret < 0)
			CHILD_FAIL(100, "pinning to CPU 0: %s", strerror(-ret));
		ret = wq_cg_enter(cg, 0);
		if (ret < 0)
			CHILD_FAIL(101, "entering %s: %s", cg->path,
				   strerror(-ret));
		body(cg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(how, size, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(how, size, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	snprintf(how, size, "exit status %d", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

FIXTURE(memcg) {
	struct wq_cgroup cg;
};

FIXTURE_SETUP(memcg)
{
	int ret = wq_cg_setup(&self->cg);

	if (ret == -EOPNOTSUPP)
		SKIP(return, "no cgroup v2 memory controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, ret) TH_LOG("cgroup setup: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(memcg)
{
	int ret = wq_cg_cleanup(&self->cg);

	EXPECT_EQ(0, ret) TH_LOG("removing the group: %s", strerror(-ret));
}

/* Size @fd with a ring of WQ_RING_PAGES data pages; 0 or -1 with errno. */
static int setup_ring(int fd)
{
	struct watch_queue_info info;
	int ret = watchq_setup(fd, WQ_RING_BYTES, 0, &info);

	errno = -ret;
	return ret ? -1 : 0;
}

/*
 * SETUP raises the group's memory.current by the ring's pages, the pages
 * stay charged while they are mapped after close, and close plus munmap
 * bring memory.current back: nothing is left charged.
 */
static void charge_body(const struct wq_cgroup *cg)
{
	const long long want = WQ_RING_PAGES + 2;
	const struct watch_notification *n;
	long long c0, c1, c2, c3;
	struct watchq q;
	int fd;

	fd = wq_open_dev();
	if (fd < 0)
		CHILD_FAIL(1, "open: %s", strerror(-fd));
	c0 = current_pages(cg, 2);
	if (setup_ring(fd))
		CHILD_FAIL(3, "SETUP(%d pages): %s", WQ_RING_PAGES,
			   strerror(errno));
	c1 = current_pages(cg, 4);
	fprintf(stderr, "# SETUP(%d pages): memory.current +%lld pages\n",
		WQ_RING_PAGES, c1 - c0);
	if (c1 - c0 < want - WQ_MEMCG_BATCH ||
	    c1 - c0 > want + WQ_MEMCG_BATCH + WQ_META_PAGES)
		CHILD_FAIL(5, "SETUP(%d pages) charged %lld pages, not %lld +/- %d",
			   WQ_RING_PAGES, c1 - c0, want, WQ_MEMCG_BATCH);

	if (watchq_map(&q, fd))
		CHILD_FAIL(6, "mmap: %s", strerror(errno));
	if (wq_inject(fd, 1, 16, 5) != 16)
		CHILD_FAIL(7, "write: %s", strerror(errno));
	n = watchq_next(&q);
	if (!n || wq_check_record(n, 1, 16, 5))
		CHILD_FAIL(8, "the record did not arrive");
	close(fd);
	c2 = current_pages(cg, 9);
	fprintf(stderr, "# closed, still mapped: +%lld pages\n", c2 - c0);
	if (c2 - c0 < want - WQ_MEMCG_BATCH)
		CHILD_FAIL(10, "only %lld pages charged while mapped",
			   c2 - c0);

	if (watchq_unmap(&q))
		CHILD_FAIL(11, "munmap: %s", strerror(errno));
	c3 = current_pages(cg, 12);
	fprintf(stderr, "# closed and unmapped: %+lld pages\n", c3 - c0);
	if (c3 - c0 > WQ_MEMCG_BATCH + WQ_META_PAGES)
		CHILD_FAIL(13, "%lld pages still charged after close and munmap",
			   c3 - c0);
}

TEST_F(memcg, ring_pages_charged_until_unmapped)
{
	char how[64];

	EXPECT_EQ(0, run_in_group(&self->cg, charge_body, how, sizeof(how)))
		TH_LOG("child: %s", how);
	/* Everything the child had is gone with it. */
	EXPECT_GT(WQ_MEMCG_BATCH + WQ_META_PAGES,
		  wq_cg_read(self->cg.path, "memory.current") /
		  (long long)WQ_PAGE_SIZE);
}

/*
 * A ring that does not fit under memory.max: SETUP fails with ENOMEM,
 * without the OOM killer, and leaves nothing charged; the queue can still
 * be sized once the limit allows it.
 */
static void max_body(const struct wq_cgroup *cg)
{
	const long long page = WQ_PAGE_SIZE;
	const struct watch_notification *n;
	long long c0, c1, oom, kills, max;
	struct watchq q;
	char val[32];
	int fd, ret;

	fd = wq_open_dev();
	if (fd < 0)
		CHILD_FAIL(1, "open: %s", strerror(-fd));
	/*
	 * Room for half the ring: even if the stock held a full batch that
	 * the limit gets back, 128 + 64 pages are less than 258.
	 */
	c0 = current_pages(cg, 2);
	snprintf(val, sizeof(val), "%lld", (c0 + WQ_RING_PAGES / 2) * page);
	ret = wq_cg_write(cg->path, "memory.max", val);
	if (ret < 0)
		CHILD_FAIL(3, "setting memory.max: %s", strerror(-ret));

	ret = setup_ring(fd);
	if (ret != -1 || errno != ENOMEM)
		CHILD_FAIL(4, "SETUP(%d pages) over memory.max: %d (%s), not ENOMEM",
			   WQ_RING_PAGES, ret, ret ? strerror(errno) : "success");
	max = wq_cg_key(cg->path, "memory.events", "max");
	oom = wq_cg_key(cg->path, "memory.events", "oom");
	kills = wq_cg_key(cg->path, "memory.events", "oom_kill");
	if (max <= 0)
		CHILD_FAIL(5, "memory.events: max %lld: the limit was never hit",
			   max);
	if (oom || kills)
		CHILD_FAIL(6, "memory.events: oom %lld oom_kill %lld", oom,
			   kills);
	c1 = current_pages(cg, 7);
	if (c1 - c0 > WQ_MEMCG_BATCH + WQ_META_PAGES)
		CHILD_FAIL(8, "the failed SETUP left %lld pages charged",
			   c1 - c0);

	ret = wq_cg_write(cg->path, "memory.max", "max");
	if (ret < 0)
		CHILD_FAIL(9, "resetting memory.max: %s", strerror(-ret));
	if (setup_ring(fd))
		CHILD_FAIL(10, "SETUP(%d pages) after the failure: %s",
			   WQ_RING_PAGES, strerror(errno));
	if (watchq_map(&q, fd))
		CHILD_FAIL(11, "mmap: %s", strerror(errno));
	if (wq_inject(fd, 2, 24, 9) != 24)
		CHILD_FAIL(12, "write: %s", strerror(errno));
	n = watchq_next(&q);
	if (!n || wq_check_record(n, 2, 24, 9))
		CHILD_FAIL(13, "the record did not arrive");
	watchq_close(&q);
}

TEST_F(memcg, memory_max_fails_sizing_cleanly)
{
	char how[64];

	EXPECT_EQ(0, run_in_group(&self->cg, max_body, how, sizeof(how)))
		TH_LOG("child: %s", how);
	EXPECT_EQ(0, wq_cg_key(self->cg.path, "memory.events", "oom_kill"));
}

/*
 * Watches: bind mounts are made by the test, outside the group, so that
 * their own memory is not the group's; a child in the group watches each
 * of them, from as few queues as the 256 watch IDs of a queue allow
 * (WQ_IDS watches each), opened first.  A watch and its mount's watch list take more
 * than WQ_WATCH_BYTES, so WQ_NR_WATCHED watches grow the group's
 * memory.current by more than WQ_NR_WATCHED * WQ_WATCH_BYTES / page size,
 * 187 pages, minus the 64 of the per-CPU stock: at least 123, against at
 * most 72 for a kernel that does not charge watches.  Hitting memory.max
 * takes fewer: WQ_NR_MAX_WATCHED are plenty for 64 pages.
 */
#define WQ_NR_WATCHED		6000
#define WQ_NR_MAX_WATCHED	2000
#define WQ_WATCH_BYTES		128
#define WQ_IDS			(WATCH_QUEUE_MAX_WATCH_ID + 1)
#define WQ_NR_WATCHERS		((WQ_NR_WATCHED + WQ_IDS - 1) / WQ_IDS)

static char watched_base[64];

/* The path of watched mount @i. */
static const char *watched(int i)
{
	static char path[96];

	snprintf(path, sizeof(path), "%s/%d", watched_base, i);
	return path;
}

/* Make @nr bind mounts; 0 or -errno. */
static int make_watched_mounts(int nr)
{
	char src[96];
	int i;

	snprintf(watched_base, sizeof(watched_base), "/tmp/wq-memcg.XXXXXX");
	if (!mkdtemp(watched_base) ||
	    mount("wqmemcg", watched_base, "tmpfs", 0, "size=4m") ||
	    mount(NULL, watched_base, NULL, MS_PRIVATE, NULL))
		return -errno;
	snprintf(src, sizeof(src), "%s/src", watched_base);
	if (mkdir(src, 0755))
		return -errno;
	for (i = 0; i < nr; i++)
		if (mkdir(watched(i), 0755) ||
		    mount(src, watched(i), NULL, MS_BIND, NULL))
			return -errno;
	return 0;
}

static void drop_watched_mounts(void)
{
	if (watched_base[0]) {
		umount2(watched_base, MNT_DETACH);
		rmdir(watched_base);
	}
}

/*
 * @nr device queues, with their rings sized and mapped, enough for @nr *
 * WQ_IDS watches; the child fails with @code.
 */
static void open_watchers(struct watchq *q, int nr, int code)
{
	int i;

	for (i = 0; i < nr; i++)
		if (watchq_open(&q[i], WQ_PAGE_SIZE))
			CHILD_FAIL(code, "opening a queue: %s", strerror(errno));
}

static void close_watchers(struct watchq *q, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		watchq_close(&q[i]);
}

/* Watch mount @i from the queues of open_watchers(); 0, or -1 and errno. */
static long watch_mount(struct watchq *q, int i)
{
	return wq_mount_watch(AT_FDCWD, watched(i), 0, q[i / WQ_IDS].fd,
			      i % WQ_IDS);
}

/*
 * Wait for memory.current of @cg to come down to @want pages or less, as
 * RCU frees what was given back and the allocators let it go; the last
 * reading.
 */
static long long wait_for_pages(const struct wq_cgroup *cg, long long want,
				int code)
{
	long long cur;
	int i;

	for (i = 0; i < WAIT_MS / 250; i++) {
		wq_sleep_ms(250);
		wq_slab_flush("kmalloc-cg-");
		cur = current_pages(cg, code);
		if (cur <= want)
			break;
	}
	return cur;
}

/*
 * Watches raise memory.current.  Closing the queue gives the watches back;
 * each mount keeps its watch list, charged to the group too, until the
 * mount goes, and then everything is back.
 */
static void watch_charge_body(const struct wq_cgroup *cg)
{
	const long long want = (long long)WQ_NR_WATCHED * WQ_WATCH_BYTES /
			       WQ_PAGE_SIZE;
	static struct watchq q[WQ_NR_WATCHERS];
	long long c0, c1, c2, c3;
	int i;

	open_watchers(q, WQ_NR_WATCHERS, 1);
	c0 = current_pages(cg, 2);
	for (i = 0; i < WQ_NR_WATCHED; i++)
		if (watch_mount(q, i))
			CHILD_FAIL(3, "watch %d: %s", i, strerror(errno));
	c1 = current_pages(cg, 4);
	fprintf(stderr, "# %d watches: memory.current +%lld pages\n",
		WQ_NR_WATCHED, c1 - c0);
	if (c1 - c0 < want - WQ_MEMCG_BATCH)
		CHILD_FAIL(5, "%d watches charged %lld pages, not at least %lld",
			   WQ_NR_WATCHED, c1 - c0, want - WQ_MEMCG_BATCH);

	close_watchers(q, WQ_NR_WATCHERS);
	c2 = wait_for_pages(cg, c1 - want, 6);
	fprintf(stderr, "# queues closed: %+lld pages\n", c2 - c0);
	if (c1 - c2 < want - WQ_MEMCG_BATCH)
		CHILD_FAIL(7, "closing the queues gave back %lld pages, not %lld",
			   c1 - c2, want - WQ_MEMCG_BATCH);

	if (umount2(watched_base, MNT_DETACH))
		CHILD_FAIL(8, "unmounting the watched mounts: %s",
			   strerror(errno));
	c3 = wait_for_pages(cg, c0 + WQ_MEMCG_BATCH + WQ_META_PAGES, 9);
	fprintf(stderr, "# mounts gone: %+lld pages\n", c3 - c0);
	if (c3 - c0 > WQ_MEMCG_BATCH + WQ_META_PAGES)
		CHILD_FAIL(10, "%lld pages still charged after the mounts went",
			   c3 - c0);
}

/* Where touch_stack() leaves its buffer, so that it is not optimised out. */
static char *touched_stack;

/* Write to 64 KiB of the stack, so that it needs no new page later. */
static void touch_stack(void)
{
	char buf[64 * 1024];

	memset(buf, 1, sizeof(buf));
	touched_stack = buf;
	__asm__ __volatile__("" : : "r"(touched_stack) : "memory");
}

/*
 * memory.max a little above what the group uses: watching fails with
 * ENOMEM before long, without the OOM killer, and works again once the
 * limit allows it.  The child's own memory is touched first: a page fault
 * past memory.max is the OOM killer's business, not the watches'.
 */
static void watch_max_body(const struct wq_cgroup *cg)
{
	static struct watchq q[WQ_NR_WATCHERS];
	const long long page = WQ_PAGE_SIZE;
	const int nr = (WQ_NR_MAX_WATCHED + WQ_IDS) / WQ_IDS;
	long long c0, oom, kills;
	char val[32];
	int i, ret;

	open_watchers(q, nr, 1);
	touch_stack();
	fprintf(stderr, "# setting memory.max\n");
	c0 = current_pages(cg, 2);
	snprintf(val, sizeof(val), "%lld", (c0 + 64) * page);
	ret = wq_cg_write(cg->path, "memory.max", val);
	if (ret < 0)
		CHILD_FAIL(3, "setting memory.max: %s", strerror(-ret));
	for (i = 0; i < WQ_NR_MAX_WATCHED; i++) {
		if (watch_mount(q, i))
			break;
	}
	if (i == WQ_NR_MAX_WATCHED || errno != ENOMEM)
		CHILD_FAIL(4, "watch %d over memory.max: %s, not ENOMEM", i,
			   i == WQ_NR_MAX_WATCHED ? "all succeeded" :
			   strerror(errno));
	/* At the limit, any charged allocation might call the OOM killer. */
	ret = wq_cg_write(cg->path, "memory.max", "max");
	if (ret < 0)
		CHILD_FAIL(6, "resetting memory.max: %s", strerror(-ret));
	fprintf(stderr, "# memory.max hit after %d watches\n", i);
	oom = wq_cg_key(cg->path, "memory.events", "oom");
	kills = wq_cg_key(cg->path, "memory.events", "oom_kill");
	if (oom || kills)
		CHILD_FAIL(5, "memory.events: oom %lld oom_kill %lld", oom,
			   kills);
	/* And with room again, watching works. */
	if (watch_mount(q, i))
		CHILD_FAIL(7, "watch %d below memory.max: %s", i,
			   strerror(errno));
	close_watchers(q, nr);
}

/* A memory cgroup and @nr bind mounts to watch; 0, or -errno of a step. */
static int watch_group_setup(struct wq_cgroup *cg, int nr, const char **step)
{
	int ret;

	*step = "cgroup setup";
	ret = wq_cg_setup(cg);
	if (ret)
		return ret;
	*step = "making the mounts";
	return make_watched_mounts(nr);
}

static void watch_group_teardown(struct __test_metadata *_metadata,
				 struct wq_cgroup *cg)
{
	int ret;

	drop_watched_mounts();
	ret = wq_cg_cleanup(cg);
	EXPECT_EQ(0, ret) TH_LOG("removing the group: %s", strerror(-ret));
}

FIXTURE(watches) {
	struct wq_cgroup cg;
};

FIXTURE_SETUP(watches)
{
	const char *step;
	int ret = watch_group_setup(&self->cg, WQ_NR_WATCHED, &step);

	if (ret == -EOPNOTSUPP)
		SKIP(return, "no cgroup v2 memory controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

FIXTURE_TEARDOWN(watches)
{
	watch_group_teardown(_metadata, &self->cg);
}

/* The same with fewer mounts, enough to reach memory.max. */
FIXTURE(watches_max) {
	struct wq_cgroup cg;
};

FIXTURE_SETUP(watches_max)
{
	const char *step;
	int ret = watch_group_setup(&self->cg, WQ_NR_MAX_WATCHED, &step);

	if (ret == -EOPNOTSUPP)
		SKIP(return, "no cgroup v2 memory controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

FIXTURE_TEARDOWN(watches_max)
{
	watch_group_teardown(_metadata, &self->cg);
}

TEST_F_TIMEOUT(watches, charged_to_the_watcher, 600)
{
	char how[64];

	EXPECT_EQ(0, run_in_group(&self->cg, watch_charge_body, how,
				  sizeof(how)))
		TH_LOG("child: %s", how);
}

TEST_F_TIMEOUT(watches_max, fails_watching_cleanly, 240)
{
	char how[64];

	EXPECT_EQ(0, run_in_group(&self->cg, watch_max_body, how,
				  sizeof(how)))
		TH_LOG("child: %s", how);
	EXPECT_EQ(0, wq_cg_key(self->cg.path, "memory.events", "oom_kill"));
}

TEST_HARNESS_MAIN
