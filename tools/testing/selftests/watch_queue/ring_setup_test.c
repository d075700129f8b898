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

/* Give @fd a ring of @nr_pages data pages; 0 or the errno of SETUP. */
static int set_size(int fd, unsigned long nr_pages)
{
	struct watch_queue_info info;

	return -watchq_setup(fd, (uint64_t)nr_pages * WQ_PAGE_SIZE, 0, &info);
}

/* The pages a ring of @nr_pages data pages charges: its consumer's and
 * header pages too.
 */
#define RING_PAGES(nr_pages)	((nr_pages) + 2)

/* Apply madvise() @advice to both mappings of @q; 0 or -1 with errno. */
static int madvise_ring(struct watchq *q, int advice)
{
	if (madvise(q->ro_map, q->ro_len, advice))
		return -1;
	return madvise(q->cons_map, q->cons_len, advice);
}

static void *map_ring(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

/*
 * Open and size a queue of @nr_pages, then close it unmapped: whether the
 * locked memory it needs is free.  0 or the errno of the sizing.
 */
static int probe_size(unsigned long nr_pages)
{
	int fd = wq_open_dev(), ret;

	if (fd < 0)
		return -fd;
	ret = set_size(fd, nr_pages);
	close(fd);
	return ret;
}

/* Become uid 65534, with RLIMIT_MEMLOCK at @nr_pages pages; 0 or -1. */
static int nobody_with_memlock(unsigned long nr_pages)
{
	struct rlimit rl = {
		.rlim_cur = nr_pages * WQ_PAGE_SIZE,
		.rlim_max = nr_pages * WQ_PAGE_SIZE,
	};

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -1;
	return wq_become_nobody();
}

/* In a forked child: say what went wrong, for the test's log, and exit. */
#define CHILD_FAIL(code, fmt, ...) do {					\
	fprintf(stderr, "# child: " fmt "\n", ##__VA_ARGS__);		\
	_exit(code);							\
} while (0)

/*
 * Reap @pid and say in @how how it ended.  Returns its exit status, or 128
 * plus the signal that killed it.
 */
static int reap(pid_t pid, char *how, size_t size)
{
	int status;

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
	EXPECT_EQ(16, offsetof(struct watch_queue_ring, hdr_size));
	EXPECT_EQ(20, offsetof(struct watch_queue_ring, flags));
	EXPECT_EQ(24, offsetof(struct watch_queue_ring, features));
	EXPECT_EQ(32, offsetof(struct watch_queue_ring, lost_hi));
	EXPECT_EQ(40, sizeof(struct watch_queue_ring));
	/* The consumer's tail is in a struct of its own, on its own page. */
	EXPECT_EQ(0, offsetof(struct watch_queue_consumer, tail));
	EXPECT_EQ(8, sizeof(struct watch_queue_consumer));
	EXPECT_EQ(8, sizeof(struct watch_notification));
	EXPECT_EQ(24, sizeof(struct watch_notification_loss));
	EXPECT_EQ(WATCH_QUEUE_INFO_SIZE_VER0, sizeof(struct watch_queue_info));
	EXPECT_EQ(WATCH_QUEUE_SETUP_SIZE_VER0,
		  sizeof(struct watch_queue_setup));
	EXPECT_EQ(48, sizeof(struct watch_queue_probe_type));
	EXPECT_EQ(40, sizeof(struct watch_queue_probe));
}

/* The largest data area this kernel gives, as it reports it. */
static uint64_t max_size(void)
{
	struct watch_queue_info info;
	int fd = wq_open_dev();

	if (fd < 0 || watchq_get_info(fd, &info))
		return 0;
	close(fd);
	return info.max_size;
}

/*
 * Sizes in bytes: 0 and more than the maximum fail with EINVAL (the sizes
 * in pages that SET_SIZE refused as too large are still refused), any
 * other size is rounded up to a power-of-two number of pages, and a queue
 * is sized once.
 */
TEST(size_validation)
{
	static const unsigned long too_big[] = {
		257, 512, 1024, 1UL << 31,
	};
	static const unsigned long odd[] = { 3, 5, 6, 12, 100, 255 };
	const uint64_t max = max_size(), page = WQ_PAGE_SIZE;
	struct watch_queue_info info;
	unsigned long n, want;
	unsigned int i;
	int fd;

	ASSERT_LE(256 * page, max);
	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, -watchq_setup(fd, 0, 0, &info));
	EXPECT_EQ(EINVAL, -watchq_setup(fd, ~0ULL, 0, &info));
	EXPECT_EQ(EINVAL, -watchq_setup(fd, max + 1, 0, &info));
	for (i = 0; i < ARRAY_SIZE(too_big); i++)
		EXPECT_EQ(EINVAL, set_size(fd, too_big[i]))
			TH_LOG("size %lu pages", too_big[i]);
	/* Failed attempts don't use up the one sizing. */
	EXPECT_EQ(0, set_size(fd, 2));
	EXPECT_EQ(EBUSY, set_size(fd, 2));
	EXPECT_EQ(EBUSY, set_size(fd, 4));
	close(fd);

	/* What SET_SIZE refused as no power of two is rounded up. */
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		struct watchq q;

		for (want = 1; want < odd[i]; want *= 2)
			;
		ASSERT_EQ(0, watchq_open(&q, odd[i] * page));
		EXPECT_EQ(want * page, q.info.data_len)
			TH_LOG("%lu pages", odd[i]);
		EXPECT_EQ(want * page / WATCH_QUEUE_SLOT_SIZE - 1, q.ring->mask);
		watchq_close(&q);
	}

	for (n = 1; n * page <= max; n *= 2) {
		struct watchq q;

		fd = wq_open_dev();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, set_size(fd, n)) TH_LOG("size %lu", n);
		ASSERT_EQ(0, watchq_map(&q, fd));
		EXPECT_EQ(n * WQ_PAGE_SIZE / WATCH_QUEUE_SLOT_SIZE - 1,
			  q.ring->mask);
		EXPECT_EQ(0, q.ring->head);
		EXPECT_EQ(0, q.cons->tail);
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

/*
 * The offset space of a ring of two data pages, as SETUP reports it: the
 * consumer's page, the header page, the data.  Any range of it may be
 * mapped read-only and shared; nothing outside it, nothing private or
 * executable, and nothing writable but the consumer's page.
 */
TEST(mmap_geometry)
{
	size_t page = WQ_PAGE_SIZE, good;
	struct watch_queue_info info;
	unsigned int i;
	void *a, *b, *c;
	off_t ro;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, watchq_setup(fd, 2 * page, 0, &info));
	ASSERT_EQ(4 * page, info.mmap_len);
	ro = info.header_off;
	good = info.mmap_len - ro;		/* The header and the data */
	ASSERT_EQ(info.header_off + info.header_len, info.data_off);

	/* Longer than the ring, from any offset. */
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(MAP_FAILED, map_ring(fd, info.mmap_len - i * page +
					       page, PROT_READ, MAP_SHARED,
					       i * page));
		EXPECT_EQ(EINVAL, errno) TH_LOG("offset %u pages", i);
	}
	/* A length that rounds up to a page past the end. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good + 1, PROT_READ, MAP_SHARED, ro));
	EXPECT_EQ(EINVAL, errno);
	/* An offset past the end. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, page, PROT_READ, MAP_SHARED,
				       info.mmap_len));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, 2 * page, PROT_READ, MAP_SHARED,
				       info.mmap_len - page));
	EXPECT_EQ(EINVAL, errno);
	/* A private mapping would never show the kernel the tail. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, page, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE, info.consumer_off));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good, PROT_READ, MAP_PRIVATE, ro));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good, PROT_READ | PROT_EXEC,
				       MAP_SHARED, ro));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing the kernel writes can be mapped writable. */
	EXPECT_EQ(MAP_FAILED, map_ring(fd, good, PROT_READ | PROT_WRITE,
				       MAP_SHARED, ro));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, info.mmap_len,
				       PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, map_ring(fd, page, PROT_WRITE, MAP_SHARED,
				       info.data_off + page));
	EXPECT_EQ(EACCES, errno);

	/* The right geometry, twice: both views are the same pages. */
	a = map_ring(fd, good, PROT_READ, MAP_SHARED, ro);
	ASSERT_NE(MAP_FAILED, a);
	b = map_ring(fd, info.mmap_len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, b);
	c = map_ring(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED,
		     info.consumer_off);
	ASSERT_NE(MAP_FAILED, c);
	ASSERT_EQ(16, wq_inject(fd, 1, 16, 77));
	EXPECT_EQ(2, ((struct watch_queue_ring *)((char *)b + ro))->head);
	EXPECT_EQ(2, ((struct watch_queue_ring *)a)->head);
	EXPECT_EQ(0, memcmp((char *)a + info.data_off - ro,
			    (char *)b + info.data_off, 16));
	EXPECT_EQ(0, wq_check_record((void *)((char *)b + info.data_off), 1,
				     16, 77));
	/* The tail stored in one view is the tail in the other. */
	__atomic_store_n(&((struct watch_queue_consumer *)c)->tail, 2,
			 __ATOMIC_RELEASE);
	EXPECT_EQ(2, ((struct watch_queue_consumer *)
		      ((char *)b + info.consumer_off))->tail);
	/* The data area cannot be made executable, nor writable. */
	EXPECT_EQ(-1, mprotect(a, good, PROT_READ | PROT_EXEC));
	EXPECT_EQ(-1, mprotect(c, page, PROT_READ | PROT_EXEC));
	EXPECT_EQ(-1, mprotect(a, good, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(a, good);
	munmap(b, info.mmap_len);
	munmap(c, page);
	close(fd);
}

TEST(mremap_cannot_grow)
{
	size_t page = WQ_PAGE_SIZE;
	struct watchq q;
	void *p;

	ASSERT_EQ(0, watchq_open(&q, page));
	ASSERT_EQ(2 * page, q.ro_len);
	p = mremap(q.ro_map, 2 * page, 4 * page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	p = mremap(q.ro_map, 2 * page, 3 * page, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mremap(q.cons_map, page, 2 * page, MREMAP_MAYMOVE);
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

	ASSERT_EQ(0, watchq_open(&q, WQ_PAGE_SIZE));
	ASSERT_EQ(1, is_mapped((void *)q.ring));
	ASSERT_EQ(1, is_mapped(q.cons));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(is_mapped((void *)q.ring) == 0 &&
		      is_mapped(q.cons) == 0 ? 0 : 1);
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

	ASSERT_EQ(0, watchq_open(&q, WQ_PAGE_SIZE));
	ASSERT_EQ(0, wq_watch_key(ring, q.fd, 3));
	ASSERT_EQ(24, wq_inject(q.fd, 4, 20, 1234));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	ASSERT_EQ(5, __atomic_load_n(&q.ring->head, __ATOMIC_ACQUIRE));
	EXPECT_EQ(0, watchq_flags(&q) & WATCH_QUEUE_RING_CLOSED);
	close(q.fd);
	q.fd = -1;

	/* The watch went with the queue: nothing more arrives. */
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
	EXPECT_EQ(5, __atomic_load_n(&q.ring->head, __ATOMIC_ACQUIRE));
	/* And the header says so. */
	EXPECT_EQ(WATCH_QUEUE_RING_CLOSED,
		  watchq_flags(&q) & WATCH_QUEUE_RING_CLOSED);

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
	/* The watch ioctl's number, before the command was defined. */
	EXPECT_EQ(-1, ioctl(fd, _IO('W', 0x66), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* Each open is a queue of its own. */
TEST(queues_are_private)
{
	struct watchq a, b;

	ASSERT_EQ(0, watchq_open(&a, WQ_PAGE_SIZE));
	ASSERT_EQ(0, watchq_open(&b, WQ_PAGE_SIZE));
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
 * it is closed and its last mapping is gone, not before: the pages stay
 * pinned while they are mapped.
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
		struct watchq qc;
		int a, b, c, d;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) ||
		    setuid(65534))
			_exit(10);
		a = wq_open_dev();
		b = wq_open_dev();
		c = wq_open_dev();
		if (a < 0 || b < 0 || c < 0)
			_exit(11);
		if (set_size(a, 256) != ENOMEM)	/* 258 pages > 20 */
			_exit(12);
		if (set_size(a, 8))		/* 10 pages */
			_exit(13);
		if (set_size(b, 8))		/* 20 pages */
			_exit(14);
		if (set_size(c, 2) != ENOMEM)	/* 24 pages > 20 */
			_exit(15);
		close(a);			/* 10 pages back */
		if (set_size(c, 8))		/* 20 pages */
			_exit(16);
		if (watchq_map(&qc, c))
			_exit(17);
		close(c);			/* mapped: still 20 pages */
		d = wq_open_dev();
		if (d < 0)
			_exit(18);
		if (set_size(d, 2) != ENOMEM)	/* 24 pages > 20 */
			_exit(19);
		if (watchq_unmap(&qc))		/* 10 pages back */
			_exit(20);
		if (set_size(d, 2))		/* 14 pages */
			_exit(21);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * The locked memory of a ring is charged to the user who sizes it, against
 * that user's own RLIMIT_MEMLOCK, whoever opened the queue: here root opens
 * it and an unprivileged child sizes it through the inherited descriptor.
 * The charge stays while root still holds the queue open, and goes when
 * root closes it.
 */
TEST(memlock_charged_to_sizer)
{
	char how[64];
	pid_t pid;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (nobody_with_memlock(20))
			_exit(10);
		if (set_size(fd, 8))		/* 10 of nobody's 20 pages */
			_exit(11);
		if (probe_size(16) != ENOMEM)	/* 10 + 18 > 20 */
			_exit(12);
		close(fd);			/* root still has it open */
		if (probe_size(16) != ENOMEM)
			_exit(13);
		_exit(probe_size(8) ? 14 : 0);	/* 10 + 10 fit */
	}
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);

	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (nobody_with_memlock(20))
			_exit(10);
		_exit(probe_size(16) ? 11 : 0);	/* nobody's 10 pages are back */
	}
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);
}

/*
 * The charge of a closed queue stays until the last piece of its mappings
 * is unmapped, however the mapping was split: by mprotect() or by partial
 * munmap().  Each piece still shows the ring's pages.
 */
TEST(memlock_held_until_last_piece_unmapped)
{
	size_t page = WQ_PAGE_SIZE;
	struct watchq q;
	char *p;

	ASSERT_EQ(0, nobody_with_memlock(20));
	ASSERT_EQ(0, watchq_open(&q, 8 * page));	/* 10 of 20 pages */
	ASSERT_EQ(9 * page, q.ro_len);
	ASSERT_EQ(16, wq_inject(q.fd, 1, 16, 42));
	p = q.ro_map;
	close(q.fd);
	/* The limit is right: 10 + 10 pages fit, 10 + 18 do not. */
	EXPECT_EQ(0, probe_size(8));
	EXPECT_EQ(ENOMEM, probe_size(16));

	/*
	 * Four pieces: [header, data 0-1], [data 2], [data 3-7] and the
	 * consumer's page.
	 */
	ASSERT_EQ(0, mprotect(p + 3 * page, page, PROT_NONE));
	EXPECT_EQ(ENOMEM, probe_size(16));
	ASSERT_EQ(0, munmap(p, page));
	EXPECT_EQ(ENOMEM, probe_size(16));
	EXPECT_EQ(0, wq_check_record((void *)(p + page), 1, 16, 42));
	ASSERT_EQ(0, munmap(p + page, 3 * page));
	EXPECT_EQ(ENOMEM, probe_size(16));
	ASSERT_EQ(0, munmap(p + 4 * page, 5 * page));
	EXPECT_EQ(ENOMEM, probe_size(16));
	ASSERT_EQ(0, munmap(q.cons_map, q.cons_len));
	/* All gone: the 10 pages are back. */
	EXPECT_EQ(0, probe_size(16));
}

/*
 * mremap() can move the ring, or a piece of it, and shrink it, but never
 * grow it, duplicate it or leave a copy behind; wherever the pages are
 * mapped, the charge stays with them until the last of them is unmapped.
 */
TEST(memlock_follows_mremap)
{
	size_t page = WQ_PAGE_SIZE, len = 9 * page;
	struct watchq q;
	char *p, *dst, *dst2;
	void *old;

	ASSERT_EQ(0, nobody_with_memlock(20));
	ASSERT_EQ(0, watchq_open(&q, 8 * page));	/* 10 of 20 pages */
	ASSERT_EQ(len, q.ro_len);
	ASSERT_EQ(16, wq_inject(q.fd, 1, 16, 1));
	old = q.ro_map;

	/* Move the whole ring to a place of our choosing. */
	dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	p = mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ(dst, p) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(0, is_mapped(old));
	EXPECT_EQ(2, ((struct watch_queue_ring *)p)->head);
	ASSERT_EQ(16, wq_inject(q.fd, 2, 16, 2));
	EXPECT_EQ(4, ((struct watch_queue_ring *)p)->head);
	EXPECT_EQ(0, wq_check_record((void *)(p + page + 16), 2, 16, 2));

	/* No second mapping of the same pages, no copy left behind. */
	EXPECT_EQ(MAP_FAILED, mremap(p, 0, len, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, len, len,
				     MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, len, len + page, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);

	/* Move the data area alone, then shrink it to two pages. */
	dst2 = mmap(NULL, 8 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, dst2);
	ASSERT_EQ(dst2, mremap(p + page, 8 * page, 8 * page,
			       MREMAP_MAYMOVE | MREMAP_FIXED, dst2));
	EXPECT_EQ(0, wq_check_record((void *)dst2, 1, 16, 1));
	ASSERT_EQ(dst2, mremap(dst2, 8 * page, 2 * page, 0));
	EXPECT_EQ(0, wq_check_record((void *)(dst2 + 16), 2, 16, 2));

	close(q.fd);
	EXPECT_EQ(ENOMEM, probe_size(16));
	ASSERT_EQ(0, munmap(p, page));
	EXPECT_EQ(ENOMEM, probe_size(16));
	ASSERT_EQ(0, munmap(q.cons_map, q.cons_len));
	EXPECT_EQ(ENOMEM, probe_size(16));
	ASSERT_EQ(0, munmap(dst2, 2 * page));
	EXPECT_EQ(0, probe_size(16));
}

/*
 * madvise(MADV_DOFORK) makes the mapping inherited, as for any shared
 * mapping: the child maps the same ring pages, which keep their charge
 * until the child has unmapped them too, whatever the parent does.
 */
TEST(memlock_held_by_forked_mapping)
{
	int ready[2], go[2];
	struct watchq q;
	char how[64], c;
	pid_t pid;

	ASSERT_EQ(0, nobody_with_memlock(20));
	ASSERT_EQ(0, watchq_open(&q, 8 * WQ_PAGE_SIZE));	/* 10 of 20 */
	ASSERT_EQ(0, madvise_ring(&q, MADV_DOFORK))
		TH_LOG("madvise(MADV_DOFORK): %s", strerror(errno));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Only the mapping may keep the ring: not the descriptor. */
		close(q.fd);
		close(ready[0]);
		close(go[1]);
		if (q.ring->mask != q.mask)
			CHILD_FAIL(1, "the inherited header says mask %u",
				   q.ring->mask);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(go[0], &c, 1) != 0)	/* the parent closes go */
			_exit(3);
		if (q.ring->mask != q.mask)
			CHILD_FAIL(4, "after the parent's munmap: mask %u",
				   q.ring->mask);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child died early");
	watchq_close(&q);
	EXPECT_EQ(ENOMEM, probe_size(16));
	close(go[1]);
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);
	EXPECT_EQ(0, probe_size(16));
}

/*
 * With MADV_DOFORK, a child sees the very ring of its parent, in both
 * directions: the records the kernel posts and the tail the child stores.
 * MADV_DONTFORK makes the mapping private to the parent again.
 */
TEST(madv_dofork_child_shares_ring)
{
	const struct watch_notification *n;
	int ready[2], go[2];
	struct watchq q;
	char how[64], c;
	pid_t pid;

	ASSERT_EQ(0, watchq_open(&q, WQ_PAGE_SIZE));
	ASSERT_EQ(16, wq_inject(q.fd, 1, 16, 7));
	ASSERT_EQ(0, madvise_ring(&q, MADV_DOFORK))
		TH_LOG("madvise(MADV_DOFORK): %s", strerror(errno));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		n = watchq_next(&q);
		if (!n || wq_check_record(n, 1, 16, 7))
			CHILD_FAIL(1, "record 1 not in the inherited ring");
		watchq_release(&q);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(go[0], &c, 1) != 0)
			_exit(3);
		n = watchq_next(&q);
		if (!n || wq_check_record(n, 2, 24, 8))
			CHILD_FAIL(4, "record 2 not in the inherited ring");
		watchq_release(&q);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child died early");
	/* The child's release reached the kernel through the shared page. */
	EXPECT_EQ(2, __atomic_load_n(&q.cons->tail, __ATOMIC_ACQUIRE));
	ASSERT_EQ(24, wq_inject(q.fd, 2, 24, 8));
	close(go[1]);
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);
	EXPECT_EQ(5, __atomic_load_n(&q.cons->tail, __ATOMIC_ACQUIRE));

	ASSERT_EQ(0, madvise_ring(&q, MADV_DONTFORK))
		TH_LOG("madvise(MADV_DONTFORK): %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(is_mapped((void *)q.ring) == 0 &&
		      is_mapped(q.cons) == 0 ? 0 : 1);
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);
	watchq_close(&q);
}

/*
 * madvise(MADV_DONTNEED) on the ring drops the page table entries only:
 * the next access maps the ring's own pages again, with the records in
 * them, and the ring keeps working.  In a child, as the access is where a
 * kernel without a fault handler raises SIGBUS.
 */
TEST(madv_dontneed_keeps_ring)
{
	char how[64];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		const struct watch_notification *n;
		size_t page = WQ_PAGE_SIZE;
		struct watchq q;

		if (watchq_open(&q, 2 * page))
			CHILD_FAIL(10, "watchq_open: %s", strerror(errno));
		if (wq_inject(q.fd, 1, 16, 1) != 16)
			CHILD_FAIL(11, "write: %s", strerror(errno));
		if (madvise_ring(&q, MADV_DONTNEED))
			CHILD_FAIL(12, "madvise(MADV_DONTNEED): %s",
				   strerror(errno));
		/* Header and data page 0 are mapped again, as they were. */
		n = watchq_next(&q);
		if (!n || wq_check_record(n, 1, 16, 1))
			CHILD_FAIL(13, "record 1 is gone");
		watchq_release(&q);
		if (wq_inject(q.fd, 2, 16, 2) != 16)
			CHILD_FAIL(14, "write: %s", strerror(errno));
		n = watchq_next(&q);
		if (!n || wq_check_record(n, 2, 16, 2))
			CHILD_FAIL(15, "record 2 did not arrive");
		watchq_release(&q);
		/*
		 * The data area alone, then the consumer's page, which is
		 * written first.
		 */
		if (madvise((void *)q.data, q.info.data_len, MADV_DONTNEED))
			CHILD_FAIL(16, "madvise(MADV_DONTNEED): %s",
				   strerror(errno));
		if (madvise(q.cons_map, page, MADV_DONTNEED))
			CHILD_FAIL(17, "madvise(MADV_DONTNEED): %s",
				   strerror(errno));
		__atomic_store_n(&q.cons->tail, q.tail, __ATOMIC_RELEASE);
		if (wq_inject(q.fd, 3, 16, 3) != 16)
			CHILD_FAIL(18, "write: %s", strerror(errno));
		n = watchq_next(&q);
		if (!n || wq_check_record(n, 3, 16, 3))
			CHILD_FAIL(19, "record 3 did not arrive");
		watchq_close(&q);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);
}

/*
 * Other advice leaves the ring as it is: MADV_DODUMP is refused (the ring
 * stays out of core dumps), advice for anonymous memory is refused, and
 * the rest, populating a zapped ring included, changes nothing; only the
 * read-only mapping cannot be populated for writing.  In a child, for the
 * same reason as above.
 */
#define POPULATE_WRITE_RO_ERR	EINVAL

TEST(madvise_other_advice)
{
	static const struct {
		int advice, err, ro_err;
		const char *name;
	} advice[] = {
		{ MADV_DONTNEED, 0, 0, "MADV_DONTNEED" },
		{ MADV_POPULATE_READ, 0, 0, "MADV_POPULATE_READ" },
		{ MADV_DONTNEED, 0, 0, "MADV_DONTNEED" },
		{ MADV_POPULATE_WRITE, 0, POPULATE_WRITE_RO_ERR,
		  "MADV_POPULATE_WRITE" },
		{ MADV_COLD, 0, 0, "MADV_COLD" },
		{ MADV_PAGEOUT, 0, 0, "MADV_PAGEOUT" },
		{ MADV_WILLNEED, 0, 0, "MADV_WILLNEED" },
		{ MADV_RANDOM, 0, 0, "MADV_RANDOM" },
		{ MADV_SEQUENTIAL, 0, 0, "MADV_SEQUENTIAL" },
		{ MADV_NORMAL, 0, 0, "MADV_NORMAL" },
		{ MADV_DODUMP, EINVAL, EINVAL, "MADV_DODUMP" },
		{ MADV_FREE, EINVAL, EINVAL, "MADV_FREE" },
		{ MADV_WIPEONFORK, EINVAL, EINVAL, "MADV_WIPEONFORK" },
	};
	char how[64];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		const struct watch_notification *n;
		struct watchq q;
		unsigned int i;
		int ret;

		if (watchq_open(&q, WQ_PAGE_SIZE))
			CHILD_FAIL(10, "watchq_open: %s", strerror(errno));
		for (i = 0; i < ARRAY_SIZE(advice); i++) {
			if (wq_inject(q.fd, 1, 16, i) != 16)
				CHILD_FAIL(11, "write: %s", strerror(errno));
			ret = madvise(q.cons_map, q.cons_len, advice[i].advice);
			if (ret ? errno != advice[i].err : advice[i].err != 0)
				CHILD_FAIL(12, "%s: %s, not %s", advice[i].name,
					   ret ? strerror(errno) : "success",
					   advice[i].err ?
					   strerror(advice[i].err) : "success");
			/* The read-only mapping cannot be populated writable. */
			ret = madvise(q.ro_map, q.ro_len, advice[i].advice);
			if (ret ? errno != advice[i].ro_err :
				  advice[i].ro_err != 0)
				CHILD_FAIL(14, "read-only %s: %s, not %s",
					   advice[i].name,
					   ret ? strerror(errno) : "success",
					   advice[i].ro_err ?
					   strerror(advice[i].ro_err) :
					   "success");
			n = watchq_next(&q);
			if (!n || wq_check_record(n, 1, 16, i))
				CHILD_FAIL(13, "after %s: the record is gone",
					   advice[i].name);
			watchq_release(&q);
		}
		watchq_close(&q);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid, how, sizeof(how))) TH_LOG("child: %s", how);
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
	ASSERT_EQ(0, watchq_map(&q, fd));
	EXPECT_EQ(2, watchq_lost(&q));
	EXPECT_EQ(WATCH_QUEUE_RING_LOSS_PENDING, watchq_flags(&q));
	EXPECT_EQ(NULL, watchq_next(&q));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	ASSERT_EQ(WATCH_TYPE_META, wq_type(n));
	ASSERT_EQ(WATCH_META_LOSS_NOTIFICATION, wq_subtype(n));
	loss = (const void *)n;
	EXPECT_EQ(sizeof(*loss), watchq_rec_len(n));
	EXPECT_EQ(2, loss->nr_lost);
	/* Both were key records. */
	EXPECT_EQ(WATCH_LOST_TYPE(WATCH_TYPE_KEY_NOTIFY), loss->lost_types);
	EXPECT_EQ(0, watchq_flags(&q));
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY, wq_type(n));
	EXPECT_EQ(NOTIFY_KEY_LINKED, wq_subtype(n));
	EXPECT_EQ(NULL, watchq_next(&q));
	watchq_close(&q);
}

TEST_HARNESS_MAIN
