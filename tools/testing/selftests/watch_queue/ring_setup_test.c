// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/watch_queue setup: the device node, sizing, mapping (lengths,
 * offsets, mremap, fork, close), the header layout, read/ioctl errors,
 * memory accounting for unprivileged users, and which fds the watch API
 * accepts as queues.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

static int set_size(int fd, unsigned long nr_pages)
{
	return ioctl(fd, IOC_WATCH_QUEUE_SET_SIZE, nr_pages) < 0 ? errno : 0;
}

static void *map_ring(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

TEST(device_node_is_world_usable)
{
	struct stat st;

	ASSERT_EQ(0, stat(WATCHQ_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST(header_layout)
{
	EXPECT_EQ(0, offsetof(struct watch_queue_ring, head));
	EXPECT_EQ(4, offsetof(struct watch_queue_ring, mask));
	EXPECT_EQ(8, offsetof(struct watch_queue_ring, lost));
	/* The consumer's tail is on a cache line of its own. */
	EXPECT_EQ(64, offsetof(struct watch_queue_ring, tail));
	EXPECT_EQ(128, sizeof(struct watch_queue_ring));
	EXPECT_EQ(8, sizeof(struct watch_notification));
	EXPECT_EQ(16, sizeof(struct watch_notification_loss));
}

TEST(size_validation)
{
	static const unsigned long bad[] = {
		0, 3, 5, 6, 12, 100, 255, 257, 512, 1024, 1UL << 31, ~0UL,
	};
	unsigned long n;
	unsigned int i;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(EINVAL, set_size(fd, bad[i])) TH_LOG("size %lu", bad[i]);
	/* Failed attempts don't use up the one sizing. */
	EXPECT_EQ(0, set_size(fd, 2));
	EXPECT_EQ(EBUSY, set_size(fd, 2));
	EXPECT_EQ(EBUSY, set_size(fd, 4));
	close(fd);

	for (n = 1; n <= WATCH_QUEUE_MAX_PAGES; n *= 2) {
		struct watchq q;

		fd = wq_open_dev();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, set_size(fd, n)) TH_LOG("size %lu", n);
		ASSERT_EQ(0, watchq_map(&q, fd, n));
		EXPECT_EQ(n * WQ_PAGE_SIZE / WATCH_QUEUE_SLOT_SIZE - 1,
			  q.ring->mask);
		EXPECT_EQ(0, q.ring->head);
		EXPECT_EQ(0, q.ring->tail);
		EXPECT_EQ(0, q.ring->lost);
		watchq_close(&q);
	}
}

TEST(mmap_before_sizing)
{
	int fd = wq_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, 2 * WQ_PAGE_SIZE,
				       PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(mmap_geometry)
{
	size_t page = WQ_PAGE_SIZE, good = 3 * page;
	static const size_t bad_pages[] = { 1, 2, 4, 8, 257 };
	unsigned int i;
	void *a, *b;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_size(fd, 2));

	for (i = 0; i < ARRAY_SIZE(bad_pages); i++) {
		EXPECT_EQ(MAP_FAILED, map_ring(fd, bad_pages[i] * page,
					       PROT_READ | PROT_WRITE,
					       MAP_SHARED, 0));
		EXPECT_EQ(EINVAL, errno);
	}
	/* A length that rounds up to a wrong number of pages. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good + 1, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Any offset but 0. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good, PROT_READ, MAP_SHARED, page));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, 2 * page, PROT_READ, MAP_SHARED,
				       page));
	EXPECT_EQ(EINVAL, errno);
	/* A private mapping would never show the kernel the tail. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good, PROT_READ | PROT_EXEC,
				       MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);

	/* The right geometry, twice: both views are the same pages. */
	a = map_ring(fd, good, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, a);
	b = map_ring(fd, good, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(16, wq_inject(fd, 1, 16, 77));
	EXPECT_EQ(2, ((struct watch_queue_ring *)b)->head);
	EXPECT_EQ(0, memcmp((char *)a + page, (char *)b + page, 16));
	EXPECT_EQ(0, wq_check_record((void *)((char *)b + page), 1, 16, 77));
	/* The data area cannot be made executable either. */
	EXPECT_EQ(-1, mprotect(a, good, PROT_READ | PROT_EXEC));
	munmap(a, good);
	munmap(b, good);
	close(fd);
}

TEST(mremap_cannot_grow)
{
	size_t page = WQ_PAGE_SIZE;
	struct watchq q;
	void *p;

	ASSERT_EQ(0, watchq_open(&q, 1));
	p = mremap(q.ring, 2 * page, 4 * page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mremap(q.ring, 2 * page, 3 * page, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* The mapping is intact and still works. */
	ASSERT_EQ(8, wq_inject(q.fd, 1, 8, 0));
	EXPECT_NE(NULL, watchq_next(&q));
	watchq_close(&q);
}

/* Is [addr, addr + 1) mapped in this process, according to /proc? */
static int is_mapped(void *addr)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi)
			found = 1;
	fclose(f);
	return found;
}

TEST(fork_child_has_no_mapping)
{
	struct watchq q;
	int status;
	pid_t pid;

	ASSERT_EQ(0, watchq_open(&q, 1));
	ASSERT_EQ(1, is_mapped(q.ring));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(is_mapped(q.ring) == 0 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The parent's mapping is unaffected. */
	ASSERT_EQ(16, wq_inject(q.fd, 3, 16, 5));
	EXPECT_NE(NULL, watchq_next(&q));
	watchq_close(&q);
}

/*
 * Closing the queue's descriptor closes the queue even while its ring is
 * mapped: its watches are removed.  The mapping stays valid memory, with
 * what was in it, until munmap.
 */
TEST(mapping_outlives_close)
{
	const struct watch_notification *n;
	struct watchq q;
	int32_t ring, key;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	ring = wq_add_key("keyring", "closed", NULL, 0,
			  KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	key = wq_add_key("user", "k", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);

	ASSERT_EQ(0, watchq_open(&q, 1));
	ASSERT_EQ(0, wq_watch_key(ring, q.fd, 3));
	ASSERT_EQ(24, wq_inject(q.fd, 4, 20, 1234));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	ASSERT_EQ(5, __atomic_load_n(&q.ring->head, __ATOMIC_ACQUIRE));
	close(q.fd);
	q.fd = -1;

	/* The watch went with the queue: nothing more arrives. */
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
	EXPECT_EQ(5, __atomic_load_n(&q.ring->head, __ATOMIC_ACQUIRE));

	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(0, wq_check_record(n, 4, 20, 1234));
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY, wq_type(n));
	EXPECT_EQ(NOTIFY_KEY_LINKED, wq_subtype(n));
	EXPECT_EQ(NULL, watchq_next(&q));
	watchq_release(&q);
	watchq_close(&q);
}

TEST(read_lseek_and_unknown_ioctl)
{
	char buf[64];
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, set_size(fd, 1));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('W', 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* Each open is a queue of its own. */
TEST(queues_are_private)
{
	struct watchq a, b;

	ASSERT_EQ(0, watchq_open(&a, 1));
	ASSERT_EQ(0, watchq_open(&b, 1));
	ASSERT_EQ(16, wq_inject(a.fd, 1, 16, 1));
	EXPECT_NE(NULL, watchq_next(&a));
	EXPECT_EQ(NULL, watchq_next(&b));
	EXPECT_EQ(0, b.ring->head);
	watchq_close(&a);
	watchq_close(&b);
}

/*
 * An unprivileged user can open and size queues, within RLIMIT_MEMLOCK:
 * each queue charges its header and data pages, and gives them back when
 * closed.
 */
TEST(unprivileged_memlock_limit)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = {
			.rlim_cur = 20 * WQ_PAGE_SIZE,
			.rlim_max = 20 * WQ_PAGE_SIZE,
		};
		int a, b, c;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) ||
		    setuid(65534))
			_exit(10);
		a = wq_open_dev();
		b = wq_open_dev();
		c = wq_open_dev();
		if (a < 0 || b < 0 || c < 0)
			_exit(11);
		if (set_size(a, 256) != ENOMEM)	/* 257 pages > 20 */
			_exit(12);
		if (set_size(a, 8))		/* 9 pages */
			_exit(13);
		if (set_size(b, 8))		/* 18 pages */
			_exit(14);
		if (set_size(c, 2) != ENOMEM)	/* 21 pages > 20 */
			_exit(15);
		close(a);			/* 9 pages back */
		if (set_size(c, 8))
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* KEYCTL_WATCH_KEY takes a /dev/watch_queue fd, and only queue fds. */
TEST(keyctl_queue_fds)
{
	int32_t ring;
	int fd, wfd, pfd, nfd;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	ring = wq_add_key("keyring", "fds", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, wq_watch_key(ring, fd, 1));
	EXPECT_EQ(-1, wq_watch_key(ring, fd, 1));
	EXPECT_EQ(EBUSY, errno);

	pfd = wq_open_pipe(8, &wfd);
	ASSERT_LE(0, pfd);
	EXPECT_EQ(0, wq_watch_key(ring, pfd, 1));

	nfd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nfd);
	EXPECT_EQ(-1, wq_watch_key(ring, nfd, 1));
	EXPECT_EQ(EINVAL, errno);
	close(nfd);
	EXPECT_EQ(-1, wq_watch_key(ring, nfd, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, wq_watch_key(ring, fd, 256));
	EXPECT_EQ(EINVAL, errno);

	/* Removing a watch, then removing it again. */
	EXPECT_EQ(0, wq_watch_key(ring, fd, -1));
	EXPECT_EQ(-1, wq_watch_key(ring, fd, -1));
	close(fd);
	close(pfd);
	close(wfd);
}

/*
 * A watch set before the queue is sized: what it posts meanwhile is counted
 * as lost and reported by a loss record at the start of the stream.
 */
TEST(loss_before_sizing_is_reported)
{
	const struct watch_notification_loss *loss;
	const struct watch_notification *n;
	struct watchq q;
	int32_t ring, key;
	int fd;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	ring = wq_add_key("keyring", "early", NULL, 0,
			  KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wq_watch_key(ring, fd, 7));
	/* The session keyring keeps the key alive while it is unlinked. */
	key = wq_add_key("user", "a", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0)); /* lost */
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0)); /* lost */

	ASSERT_EQ(0, set_size(fd, 1));
	ASSERT_EQ(0, watchq_map(&q, fd, 1));
	EXPECT_EQ(2, watchq_lost(&q));
	EXPECT_EQ(NULL, watchq_next(&q));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	ASSERT_EQ(WATCH_TYPE_META, wq_type(n));
	ASSERT_EQ(WATCH_META_LOSS_NOTIFICATION, wq_subtype(n));
	loss = (const void *)n;
	EXPECT_EQ(sizeof(*loss), watchq_rec_len(n));
	EXPECT_EQ(2, loss->nr_lost);
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY, wq_type(n));
	EXPECT_EQ(NOTIFY_KEY_LINKED, wq_subtype(n));
	EXPECT_EQ(NULL, watchq_next(&q));
	watchq_close(&q);
}

TEST_HARNESS_MAIN
