// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI of /dev/watch_queue that lets it grow: IOC_WATCH_QUEUE_SETUP and
 * IOC_WATCH_QUEUE_GET_INFO (sizing in bytes, the geometry they report,
 * their errors and struct sizes), SET_SIZE refused on the device, the
 * read-only header and data and the consumer's page of its own, queues
 * opened read-only, IOC_WATCH_QUEUE_PROBE, the types a loss record names,
 * the reserved info bit, the type/subtype accessors, and a queue mapped by
 * a process that received it over SCM_RIGHTS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define PAGE		((uint64_t)WQ_PAGE_SIZE)
#define FILL		0xa5

/* The size-versioned commands with a struct of @size bytes. */
#define SETUP_CMD(size)	_IOC(_IOC_READ | _IOC_WRITE, 'W', 0x62, (size))
#define INFO_CMD(size)	_IOC(_IOC_READ, 'W', 0x63, (size))

/* Whether @len bytes at @p are all @c. */
static int all_bytes(const void *p, size_t len, unsigned char c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

/* ioctl() returning 0 or errno. */
static int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

/* The limits a fresh queue reports; 0 on failure. */
static uint64_t max_size(void)
{
	struct watch_queue_info info;
	int fd = wq_open_dev();

	if (fd < 0)
		return 0;
	if (watchq_get_info(fd, &info))
		info.max_size = 0;
	close(fd);
	return info.max_size;
}

/*
 * Does a store of a byte at @p kill a child with SIGSEGV?  The ring's
 * mappings must be inherited (MADV_DOFORK) for the child to have them.
 */
static int store_faults(const void *p)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		__atomic_store_n((unsigned char *)p, 1, __ATOMIC_RELAXED);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/*
 * Every field SETUP reports, for sizes that round up in every way: the
 * parts are page-aligned, apart, inside mmap_len and agree with the header;
 * GET_INFO says the same, and before sizing only the limits.
 */
TEST(setup_reports_geometry)
{
	const uint64_t max = max_size();
	const struct {
		uint64_t size, data_len;
	} sizes[] = {
		{ 1, PAGE },
		{ 8, PAGE },
		{ PAGE - 1, PAGE },
		{ PAGE, PAGE },
		{ PAGE + 1, 2 * PAGE },
		{ 3 * PAGE, 4 * PAGE },
		{ 5 * PAGE + 17, 8 * PAGE },
		{ max - 1, max },
		{ max, max },
	};
	struct watch_queue_info info, got;
	unsigned int i;
	struct watchq q;
	int fd;

	ASSERT_LT(0, max);
	ASSERT_EQ(0, max % PAGE);
	ASSERT_EQ(0, (max / PAGE) & (max / PAGE - 1))
		TH_LOG("max %llu", (unsigned long long)max);

	/* Before sizing: the limits, nothing else. */
	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(0, ioctl_err(fd, IOC_WATCH_QUEUE_GET_INFO, &got));
	memset(&info, 0, sizeof(info));
	info.max_size = max;
	info.max_record = WATCH_INFO_LENGTH;
	info.features = WATCH_QUEUE_FEAT_LOSS_TYPES;
	EXPECT_EQ(0, memcmp(&info, &got, sizeof(info)));
	close(fd);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		fd = wq_open_dev();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, watchq_setup(fd, sizes[i].size, 0, &info))
			TH_LOG("size %llu", (unsigned long long)sizes[i].size);
		EXPECT_EQ(sizes[i].data_len, info.data_len)
			TH_LOG("size %llu", (unsigned long long)sizes[i].size);
		EXPECT_EQ(info.data_len / WATCH_QUEUE_SLOT_SIZE, info.nr_slots);
		EXPECT_EQ(PAGE, info.consumer_len);
		EXPECT_EQ(PAGE, info.header_len);
		EXPECT_EQ(info.consumer_len + info.header_len + info.data_len,
			  info.mmap_len);
		EXPECT_EQ(0, info.consumer_off % PAGE);
		EXPECT_EQ(0, info.header_off % PAGE);
		EXPECT_EQ(0, info.data_off % PAGE);
		EXPECT_GE(info.mmap_len, info.consumer_off + info.consumer_len);
		EXPECT_GE(info.mmap_len, info.header_off + info.header_len);
		EXPECT_GE(info.mmap_len, info.data_off + info.data_len);
		/* The consumer's page is apart from what the kernel writes. */
		EXPECT_TRUE(info.consumer_off + info.consumer_len <=
			    info.header_off ||
			    info.header_off + info.header_len <=
			    info.consumer_off);
		EXPECT_TRUE(info.consumer_off + info.consumer_len <=
			    info.data_off ||
			    info.data_off + info.data_len <= info.consumer_off);
		EXPECT_EQ(max, info.max_size);
		EXPECT_EQ(WATCH_INFO_LENGTH, info.max_record);
		EXPECT_EQ(sizeof(struct watch_queue_ring), info.hdr_size);
		EXPECT_EQ(WATCH_QUEUE_FEAT_LOSS_TYPES, info.features);
		EXPECT_EQ(0, info.__reserved);

		memset(&got, 0xff, sizeof(got));
		ASSERT_EQ(0, ioctl_err(fd, IOC_WATCH_QUEUE_GET_INFO, &got));
		EXPECT_EQ(0, memcmp(&info, &got, sizeof(info)));

		/* The header says the same. */
		ASSERT_EQ(0, watchq_map(&q, fd));
		EXPECT_EQ(info.nr_slots - 1, q.ring->mask);
		EXPECT_EQ(info.hdr_size, q.ring->hdr_size);
		EXPECT_EQ(info.features, q.ring->features);
		EXPECT_EQ(0, q.ring->flags);
		EXPECT_EQ(0, q.ring->head);
		EXPECT_EQ(0, q.ring->lost);
		EXPECT_EQ(0, q.ring->lost_hi);
		EXPECT_EQ(0, q.ring->__reserved);
		EXPECT_TRUE(all_bytes((const char *)q.ring + q.ring->hdr_size,
				      info.header_len - q.ring->hdr_size, 0));
		EXPECT_EQ(0, q.cons->tail);
		watchq_close(&q);
	}
}

/*
 * SETUP's errors: a size of 0 or above the maximum, unknown flags and
 * non-zero reserved fields fail with EINVAL, and none of them uses up the
 * queue's one sizing; WATCH_QUEUE_SETUP_CLAMP gives the largest ring.
 */
TEST(setup_errors)
{
	static const uint64_t bad_flags[] = {
		1ULL << 1, 1ULL << 2, 1ULL << 31, 1ULL << 32, 1ULL << 63,
	};
	const uint64_t max = max_size();
	struct watch_queue_setup s;
	struct watch_queue_info info;
	unsigned int i;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, -watchq_setup(fd, 0, 0, &info));
	EXPECT_EQ(EINVAL, -watchq_setup(fd, 0, WATCH_QUEUE_SETUP_CLAMP, &info));
	EXPECT_EQ(EINVAL, -watchq_setup(fd, max + 1, 0, &info));
	EXPECT_EQ(EINVAL, -watchq_setup(fd, 1ULL << 40, 0, &info));
	EXPECT_EQ(EINVAL, -watchq_setup(fd, ~0ULL, 0, &info));
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++)
		EXPECT_EQ(EINVAL, -watchq_setup(fd, PAGE, bad_flags[i], &info))
			TH_LOG("flags %#llx", (unsigned long long)bad_flags[i]);
	for (i = 0; i < 2; i++) {
		memset(&s, 0, sizeof(s));
		s.size = PAGE;
		s.__reserved[i] = 1;
		EXPECT_EQ(EINVAL, ioctl_err(fd, IOC_WATCH_QUEUE_SETUP, &s));
	}
	EXPECT_EQ(EFAULT, ioctl_err(fd, IOC_WATCH_QUEUE_SETUP, NULL));
	EXPECT_EQ(EFAULT, ioctl_err(fd, IOC_WATCH_QUEUE_SETUP, (void *)8));
	/* Still unsized. */
	ASSERT_EQ(0, watchq_get_info(fd, &info));
	EXPECT_EQ(0, info.mmap_len);

	/* Too large, but clamped. */
	ASSERT_EQ(0, watchq_setup(fd, ~0ULL, WATCH_QUEUE_SETUP_CLAMP, &info));
	EXPECT_EQ(max, info.data_len);
	EXPECT_EQ(EBUSY, -watchq_setup(fd, PAGE, 0, &info));
	close(fd);

	/* Clamping changes nothing for a size that fits. */
	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, watchq_setup(fd, PAGE + 1, WATCH_QUEUE_SETUP_CLAMP,
				  &info));
	EXPECT_EQ(2 * PAGE, info.data_len);
	close(fd);
}

/*
 * The struct sizes of the size-versioned commands: older than the first
 * version fails with EINVAL; a newer caller's longer struct works if what
 * this kernel does not know is zero, fails with E2BIG otherwise, and gets
 * zero back there.  The command must also go the right way.
 */
TEST(setup_and_info_struct_sizes)
{
	unsigned char buf[WATCH_QUEUE_SETUP_SIZE_VER0 + 64];
	struct watch_queue_setup *s = (void *)buf;
	struct watch_queue_info info;
	const size_t v0 = WATCH_QUEUE_SETUP_SIZE_VER0;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	s->size = PAGE;
	EXPECT_EQ(EINVAL, ioctl_err(fd, SETUP_CMD(0), buf));
	EXPECT_EQ(EINVAL, ioctl_err(fd, SETUP_CMD(8), buf));
	EXPECT_EQ(EINVAL, ioctl_err(fd, SETUP_CMD(v0 - 8), buf));
	EXPECT_EQ(EINVAL, ioctl_err(fd, SETUP_CMD(v0 - 1), buf));
	/* Other directions are other commands. */
	EXPECT_EQ(ENOTTY, ioctl_err(fd, _IOC(_IOC_WRITE, 'W', 0x62, v0), buf));
	EXPECT_EQ(ENOTTY, ioctl_err(fd, _IOC(_IOC_NONE, 'W', 0x62, 0), buf));
	EXPECT_EQ(ENOTTY, ioctl_err(fd, _IOC(_IOC_WRITE, 'W', 0x63,
					     WATCH_QUEUE_INFO_SIZE_VER0), buf));
	/* Something this kernel does not know, asked for. */
	buf[v0 + 40] = 1;
	EXPECT_EQ(E2BIG, ioctl_err(fd, SETUP_CMD(v0 + 64), buf));
	buf[v0 + 40] = 0;
	ASSERT_EQ(0, watchq_get_info(fd, &info));
	EXPECT_EQ(0, info.mmap_len);

	/* A longer struct, zero where this kernel knows nothing. */
	ASSERT_EQ(0, ioctl_err(fd, SETUP_CMD(v0 + 64), buf));
	EXPECT_EQ(PAGE, s->info.data_len);
	EXPECT_EQ(PAGE, s->size);
	EXPECT_TRUE(all_bytes(buf + v0, 64, 0));

	/* GET_INFO, short, long (the rest zeroed) and exact. */
	info = s->info;
	memset(buf, FILL, sizeof(buf));
	EXPECT_EQ(EINVAL, ioctl_err(fd, INFO_CMD(0), buf));
	EXPECT_EQ(EINVAL, ioctl_err(fd, INFO_CMD(WATCH_QUEUE_INFO_SIZE_VER0 -
						  8), buf));
	EXPECT_TRUE(all_bytes(buf, sizeof(buf), FILL));
	ASSERT_EQ(0, ioctl_err(fd, INFO_CMD(WATCH_QUEUE_INFO_SIZE_VER0 + 64),
			       buf));
	EXPECT_EQ(0, memcmp(buf, &info, sizeof(info)));
	EXPECT_EQ(PAGE, info.data_len);
	EXPECT_TRUE(all_bytes(buf + WATCH_QUEUE_INFO_SIZE_VER0, 64, 0));
	EXPECT_TRUE(all_bytes(buf + WATCH_QUEUE_INFO_SIZE_VER0 + 64,
			      sizeof(buf) - WATCH_QUEUE_INFO_SIZE_VER0 - 64,
			      FILL));
	EXPECT_EQ(EFAULT, ioctl_err(fd, IOC_WATCH_QUEUE_GET_INFO, (void *)8));
	close(fd);
}

/*
 * SET_SIZE counts notes on a notification pipe and is refused on the
 * device, before and after SETUP, with EOPNOTSUPP; pipes still take it.
 */
TEST(set_size_is_for_pipes)
{
	int fd, fds[2];

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, IOC_WATCH_QUEUE_SET_SIZE, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, ioctl(fd, IOC_WATCH_QUEUE_SET_SIZE, 4));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, watchq_setup(fd, PAGE, 0, &(struct watch_queue_info){}));
	EXPECT_EQ(-1, ioctl(fd, IOC_WATCH_QUEUE_SET_SIZE, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);

	ASSERT_EQ(0, pipe2(fds, O_NOTIFICATION_PIPE | O_CLOEXEC));
	EXPECT_EQ(0, ioctl(fds[0], IOC_WATCH_QUEUE_SET_SIZE, 16));
	/* And a pipe is no device queue. */
	EXPECT_EQ(-EOPNOTSUPP, watchq_setup(fds[0], PAGE, 0,
					    &(struct watch_queue_info){}));
	close(fds[0]);
	close(fds[1]);
}

/*
 * The header and the data are read-only for good: a store faults, and
 * neither mprotect() nor mremap() makes them writable.  The consumer's
 * page is writable, and the kernel never writes it.
 */
TEST(kernel_parts_read_only)
{
	const struct watch_notification *n;
	unsigned char *c, *p;
	struct watchq q;
	size_t i;

	ASSERT_EQ(0, watchq_open(&q, 2 * PAGE));
	ASSERT_EQ(16, wq_inject(q.fd, 1, 16, 1));
	ASSERT_EQ(0, madvise(q.ro_map, q.ro_len, MADV_DOFORK));
	ASSERT_EQ(0, madvise(q.cons_map, q.cons_len, MADV_DOFORK));
	/* The child has the mappings: it can store the tail. */
	EXPECT_EQ(0, store_faults((char *)q.cons + q.cons_len - 1));

	EXPECT_EQ(1, store_faults(q.ring));
	EXPECT_EQ(1, store_faults(&q.ring->lost));
	EXPECT_EQ(1, store_faults(q.data));
	EXPECT_EQ(1, store_faults(q.data + q.info.data_len - 1));
	EXPECT_EQ(-1, mprotect(q.ro_map, q.ro_len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect((void *)q.data, PAGE, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Moved, it is as read-only as before. */
	p = mremap(q.ro_map, q.ro_len, q.ro_len, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, store_faults(p));
	EXPECT_EQ(1, store_faults(p + q.ro_len - 1));
	EXPECT_EQ(-1, mprotect(p, q.ro_len, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, munmap(p, q.ro_len));
	q.ro_map = NULL;
	watchq_unmap(&q);

	/* The consumer's page: writable, and the kernel leaves it alone. */
	ASSERT_EQ(0, watchq_map(&q, q.fd));
	c = (void *)q.cons;
	memset(c + sizeof(q.cons->tail), FILL,
	       q.cons_len - sizeof(q.cons->tail));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(24, wq_inject(q.fd, 2, 24, i));
	while ((n = watchq_next(&q)))
		;
	watchq_release(&q);
	EXPECT_TRUE(all_bytes(c + sizeof(q.cons->tail),
			      q.cons_len - sizeof(q.cons->tail), FILL));
	EXPECT_EQ(q.tail, q.cons->tail);
	/* The kernel takes the tail from there: the ring is empty. */
	EXPECT_EQ(q.tail, q.ring->head);
	watchq_close(&q);
}

/*
 * A queue opened read-only can be set up and observed: every part maps
 * read-only (a kernel that checked VM_SHARED refused it with EINVAL), but
 * nothing can be written, the tail included, so it cannot be consumed:
 * once its ring is full, records are counted lost.
 */
TEST(read_only_open)
{
	struct watch_queue_info info;
	const struct watch_queue_ring *h;
	const struct watch_queue_consumer *cons;
	const unsigned char *data;
	struct watchq q;
	int32_t ring, key;
	void *ro, *cp;
	int fd, i;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	ring = wq_add_key("keyring", "ro", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);

	fd = open(WATCHQ_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, watchq_setup(fd, PAGE, 0, &info));
	ASSERT_EQ(0, wq_watch_key(ring, fd, 9));

	ro = mmap(NULL, info.mmap_len - info.header_off, PROT_READ, MAP_SHARED,
		  fd, info.header_off);
	ASSERT_NE(MAP_FAILED, ro) TH_LOG("mmap: %s", strerror(errno));
	cp = mmap(NULL, info.consumer_len, PROT_READ, MAP_SHARED, fd,
		  info.consumer_off);
	ASSERT_NE(MAP_FAILED, cp) TH_LOG("mmap: %s", strerror(errno));
	h = ro;
	data = (const unsigned char *)ro + (info.data_off - info.header_off);
	cons = cp;

	/* Nothing writable, as for any file opened read-only. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, info.consumer_len,
				   PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				   info.consumer_off));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(cp, info.consumer_len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, wq_inject(fd, 1, 16, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-EACCES, watchq_map(&q, fd));

	/* Records arrive, and can be read. */
	key = wq_add_key("user", "k", "x", 1, ring);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_watch_key(key, fd, 10));
	ASSERT_EQ(2, __atomic_load_n(&h->head, __ATOMIC_ACQUIRE));
	EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY,
		  wq_type((const struct watch_notification *)data));
	EXPECT_EQ(NOTIFY_KEY_LINKED,
		  wq_subtype((const struct watch_notification *)data));
	EXPECT_EQ(0, cons->tail);

	/* But never consumed: a full ring loses the rest. */
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"y",
				       1, 0));
	}
	EXPECT_LT(0, __atomic_load_n(&h->lost, __ATOMIC_RELAXED));
	EXPECT_EQ(WATCH_QUEUE_RING_LOSS_PENDING,
		  __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE));
	munmap(ro, info.mmap_len - info.header_off);
	munmap(cp, info.consumer_len);
	close(fd);
}

/* What PROBE says of the types it describes: one entry, checked. */
static void check_probe_type(struct __test_metadata *_metadata,
			     const struct watch_queue_probe_type *t,
			     unsigned int type)
{
	static const __u32 none[8];
	unsigned int i;

	ASSERT_EQ(type, t->type);
	EXPECT_EQ(0, t->__reserved);
	EXPECT_EQ(0, t->flags & ~WATCH_QUEUE_PROBE_SUPPORTED);
	switch (type) {
	case WATCH_TYPE_META:
		EXPECT_EQ(WATCH_QUEUE_PROBE_SUPPORTED, t->flags);
		EXPECT_EQ(sizeof(struct watch_notification_loss),
			  t->record_size);
		EXPECT_EQ((1U << WATCH_META_REMOVAL_NOTIFICATION) |
			  (1U << WATCH_META_LOSS_NOTIFICATION) |
			  (1U << WATCH_META_SKIP_NOTIFICATION),
			  t->subtypes[0]);
		for (i = 1; i < 8; i++)
			EXPECT_EQ(0, t->subtypes[i]);
		return;
	case WATCH_TYPE_KEY_NOTIFY:
		EXPECT_EQ(WATCH_QUEUE_PROBE_SUPPORTED, t->flags);
		EXPECT_EQ(sizeof(struct key_notification), t->record_size);
		EXPECT_EQ(0xff, t->subtypes[0]);	/* INSTANTIATED..SETATTR */
		for (i = 1; i < 8; i++)
			EXPECT_EQ(0, t->subtypes[i]);
		return;
	case WATCH_TYPE_USER_NOTIFY:
		EXPECT_EQ(WATCH_QUEUE_PROBE_SUPPORTED, t->flags);
		EXPECT_EQ(WATCH_INFO_LENGTH, t->record_size);
		for (i = 0; i < 8; i++)
			EXPECT_EQ(0xffffffff, t->subtypes[i]);
		return;
	}
	/* The namespace records, with their IDs and subject. */
	if (type == WATCH_TYPE_NS_NOTIFY && t->flags) {
		EXPECT_EQ(sizeof(struct ns_notification), t->record_size);
		EXPECT_EQ(NS_NOTIFICATION_SIZE_VER1, t->record_size);
	}
	/* Mount and superblock records, with their change counters. */
	if (type == WATCH_TYPE_MOUNT_NOTIFY && t->flags)
		EXPECT_EQ(MOUNT_ATTR_NOTIFICATION_SIZE_VER1, t->record_size);
	if (type == WATCH_TYPE_SB_NOTIFY && t->flags)
		EXPECT_EQ(SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER1,
			  t->record_size);
	/* The process records: fixed size, FORK to COREDUMP. */
	if (type == WATCH_TYPE_PROC_NOTIFY && t->flags) {
		EXPECT_EQ(PROC_NOTIFICATION_SIZE_VER0, t->record_size);
		EXPECT_EQ(sizeof(struct proc_notification), t->record_size);
		EXPECT_EQ((1U << (NOTIFY_PROC_COREDUMP + 1)) - 1, t->subtypes[0]);
		for (i = 1; i < 8; i++)
			EXPECT_EQ(0, t->subtypes[i]);
	}
	/* The sources' own types: described sensibly, or not at all. */
	if (!t->flags) {
		EXPECT_EQ(0, t->record_size);
		EXPECT_EQ(0, memcmp(t->subtypes, none, sizeof(none)));
		return;
	}
	EXPECT_LE(sizeof(struct watch_notification), t->record_size);
	EXPECT_GE(WATCH_INFO_LENGTH, t->record_size);
	EXPECT_EQ(0, t->record_size % 8) TH_LOG("type %u", type);
	EXPECT_NE(0, memcmp(t->subtypes, none, sizeof(none)));
}

/*
 * PROBE describes every type this kernel knows, entry i for type i, for
 * as many entries as the caller has room for and no more; its reserved
 * fields must be zero.
 */
TEST(probe)
{
	const size_t room = 64;
	struct watch_queue_probe *p;
	unsigned int i, last;
	char *map;
	void *mem;
	size_t size;
	int fd;

	size = sizeof(*p) + room * sizeof(p->types[0]);
	mem = malloc(size);
	ASSERT_NE(NULL, mem);
	p = mem;
	fd = wq_open_dev();
	ASSERT_LE(0, fd);

	/* No room: the header alone. */
	memset(p, FILL, size);
	memset(p, 0, sizeof(*p));
	ASSERT_EQ(0, ioctl_err(fd, IOC_WATCH_QUEUE_PROBE, p));
	EXPECT_EQ(WATCH_TYPE__NR - 1, p->last_type);
	EXPECT_EQ(max_size(), p->max_size);
	EXPECT_EQ(WATCH_QUEUE_FEAT_LOSS_TYPES, p->features);
	EXPECT_EQ(0, p->nr_types);
	EXPECT_TRUE(all_bytes(p->types, room * sizeof(p->types[0]), FILL));
	last = p->last_type;

	/* Room for two. */
	memset(p, FILL, size);
	memset(p, 0, sizeof(*p));
	p->nr_types = 2;
	ASSERT_EQ(0, ioctl_err(fd, IOC_WATCH_QUEUE_PROBE, p));
	check_probe_type(_metadata, &p->types[0], 0);
	check_probe_type(_metadata, &p->types[1], 1);
	EXPECT_TRUE(all_bytes(&p->types[2], (room - 2) * sizeof(p->types[0]),
			      FILL));

	/* Room for more than there are. */
	memset(p, FILL, size);
	memset(p, 0, sizeof(*p));
	p->nr_types = room;
	ASSERT_EQ(0, ioctl_err(fd, IOC_WATCH_QUEUE_PROBE, p));
	EXPECT_EQ(last, p->last_type);
	EXPECT_EQ(room, p->nr_types);
	for (i = 0; i <= last; i++)
		check_probe_type(_metadata, &p->types[i], i);
	EXPECT_TRUE(all_bytes(&p->types[last + 1],
			      (room - last - 1) * sizeof(p->types[0]), FILL));

	/* Errors. */
	memset(p, 0, sizeof(*p));
	p->__reserved[1] = 1;
	EXPECT_EQ(EINVAL, ioctl_err(fd, IOC_WATCH_QUEUE_PROBE, p));
	EXPECT_EQ(EFAULT, ioctl_err(fd, IOC_WATCH_QUEUE_PROBE, NULL));
	/* Room claimed for entries past the end of the caller's memory. */
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	p = (void *)(map + PAGE - sizeof(*p) - 8);
	memset(p, 0, sizeof(*p));
	p->nr_types = 1000000;
	EXPECT_EQ(EFAULT, ioctl_err(fd, IOC_WATCH_QUEUE_PROBE, p));
	munmap(map, PAGE);
	close(fd);
	free(mem);
}

/* The loss record that comes next: check it and return its lost_types. */
static __u64 next_loss(struct __test_metadata *_metadata, struct watchq *q,
		       __u64 nr_lost)
{
	const struct watch_notification_loss *loss;
	const struct watch_notification *n;

	n = watchq_next(q);
	EXPECT_NE(NULL, n);
	if (!n)
		return 0;
	loss = (const void *)n;
	EXPECT_EQ(WATCH_TYPE_META, wq_type(n));
	EXPECT_EQ(WATCH_META_LOSS_NOTIFICATION, wq_subtype(n));
	EXPECT_EQ(sizeof(*loss), watchq_rec_len(n));
	EXPECT_EQ(nr_lost, loss->nr_lost);
	return loss->lost_types;
}

/*
 * Fill every free slot of the ring with 8-byte records, which never need
 * padding, in one write(); return how many.
 */
static int fill_ring(struct watchq *q)
{
	__u32 head = __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE);
	__u32 free_slots = q->info.nr_slots - (head - q->tail);
	unsigned char *buf = calloc(free_slots, 8);
	__u32 i;
	int ret;

	if (!buf)
		return -1;
	for (i = 0; i < free_slots; i++)
		wq_make_record(buf + 8 * i, 7, 8, i);
	ret = write(q->fd, buf, free_slots * 8) == free_slots * 8 ?
	      (int)free_slots : -1;
	free(buf);
	return ret;
}

/* Consume @nr records; 0, or -1 if there were fewer. */
static int consume(struct watchq *q, int nr)
{
	while (nr--)
		if (!watchq_next(q))
			return -1;
	watchq_release(q);
	return 0;
}

/*
 * A loss record names the types of the records it reports, and only
 * those: the types dropped since the last loss record, kept until one is
 * written.  The header says while there are some.
 */
TEST(loss_record_types)
{
	const struct watch_notification *n;
	int32_t key;
	struct watchq q;
	unsigned int i;
	int nr;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	key = wq_add_key("user", "k", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, watchq_open(&q, PAGE));
	ASSERT_EQ(0, wq_watch_key(key, q.fd, 1));

	nr = fill_ring(&q);
	ASSERT_EQ(q.info.nr_slots, nr);
	EXPECT_EQ(0, watchq_flags(&q));
	/* A key record and an injected one lost. */
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"y", 1, 0));
	EXPECT_EQ(WATCH_QUEUE_RING_LOSS_PENDING, watchq_flags(&q));
	ASSERT_EQ(16, wq_inject(q.fd, 1, 16, 1000));
	EXPECT_EQ(2, watchq_lost(&q));
	ASSERT_EQ(0, consume(&q, nr));
	/* Still pending: nothing was posted since. */
	EXPECT_EQ(WATCH_QUEUE_RING_LOSS_PENDING, watchq_flags(&q));
	ASSERT_EQ(16, wq_inject(q.fd, 1, 16, 1001));
	EXPECT_EQ(0, watchq_flags(&q));
	EXPECT_EQ(WATCH_LOST_TYPE(WATCH_TYPE_KEY_NOTIFY) |
		  WATCH_LOST_TYPE(WATCH_TYPE_USER_NOTIFY),
		  next_loss(_metadata, &q, 2));
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(0, wq_check_record(n, 1, 16, 1001));
	watchq_release(&q);

	/* The next gap: key records only. */
	nr = fill_ring(&q);
	ASSERT_LT(0, nr);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"z",
				       1, 0));
	ASSERT_EQ(0, consume(&q, nr));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"w", 1, 0));
	EXPECT_EQ(WATCH_LOST_TYPE(WATCH_TYPE_KEY_NOTIFY),
		  next_loss(_metadata, &q, 3));
	n = watchq_next(&q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY, wq_type(n));
	EXPECT_EQ(NULL, watchq_next(&q));
	EXPECT_EQ(5, watchq_lost(&q));
	EXPECT_EQ(5, watchq_lost_split(&q));
	watchq_close(&q);
}

/* WATCH_LOST_TYPE(): one bit per type, types from 63 up in bit 63. */
TEST(lost_type_bits)
{
	EXPECT_EQ(1ULL, WATCH_LOST_TYPE(WATCH_TYPE_META));
	EXPECT_EQ(1ULL << 5, WATCH_LOST_TYPE(WATCH_TYPE_USER_NOTIFY));
	EXPECT_EQ(1ULL << 62, WATCH_LOST_TYPE(62));
	EXPECT_EQ(1ULL << 63, WATCH_LOST_TYPE(63));
	EXPECT_EQ(1ULL << 63, WATCH_LOST_TYPE(64));
	EXPECT_EQ(1ULL << 63, WATCH_LOST_TYPE(0xffffff));
}

/*
 * Read every record up to the head, skip records included, the way the
 * documentation says: count them, and check that none has the reserved
 * info bit.
 */
static void walk(struct __test_metadata *_metadata, struct watchq *q,
		 unsigned int *nr, unsigned int *skips)
{
	__u32 head = __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE);
	const struct watch_notification *n;
	size_t len;

	while (q->tail != head) {
		n = (const void *)(q->data + (size_t)(q->tail & q->mask) *
				   WATCH_QUEUE_SLOT_SIZE);
		len = watchq_rec_len(n);
		ASSERT_LE(sizeof(*n), len);
		EXPECT_EQ(0, n->info & WATCH_INFO_RESERVED)
			TH_LOG("type %u subtype %u", wq_type(n), wq_subtype(n));
		if (wq_type(n) == WATCH_TYPE_META &&
		    wq_subtype(n) == WATCH_META_SKIP_NOTIFICATION)
			(*skips)++;
		else
			(*nr)++;
		q->tail += (len + WATCH_QUEUE_SLOT_SIZE - 1) /
			   WATCH_QUEUE_SLOT_SIZE;
	}
	watchq_release(q);
}

/*
 * No record the kernel posts has the reserved info bit: key records with
 * every bit of the watch ID set, loss records and skip records.
 */
TEST(kernel_records_leave_reserved_bit_clear)
{
	unsigned int i, nr = 0, skips = 0;
	int32_t ring, key;
	struct watchq q;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	ring = wq_add_key("keyring", "bit", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	ASSERT_EQ(0, watchq_open(&q, PAGE));
	ASSERT_EQ(0, wq_watch_key(ring, q.fd, 0xff));
	for (i = 0; i < 200; i++) {
		key = wq_add_key("user", "k", "x", 1, ring);
		ASSERT_LT(0, key);
		ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
		/* An odd slot now and then, for skip records. */
		if (i % 7 == 0)
			ASSERT_EQ(8, wq_inject(q.fd, 1, 8, i));
		/* The first 150 rounds overrun the ring. */
		if (i == 149)
			walk(_metadata, &q, &nr, &skips);
	}
	walk(_metadata, &q, &nr, &skips);
	/* One slot before the end: the next key record needs padding. */
	for (i = q.tail & q.mask; i < q.mask; i++)
		ASSERT_EQ(8, wq_inject(q.fd, 1, 8, i));
	walk(_metadata, &q, &nr, &skips);
	ASSERT_EQ(q.mask, q.tail & q.mask);
	i = skips;
	ASSERT_EQ(0, wq_keyctl(KEYCTL_REVOKE, ring, 0, 0, 0));
	walk(_metadata, &q, &nr, &skips);
	EXPECT_EQ(i + 1, skips);
	EXPECT_LT(0, watchq_lost(&q));
	EXPECT_LT(300, nr);
	watchq_close(&q);
}

/*
 * The type and subtype accessors agree with the bit-fields for every
 * subtype and for types up to the largest, both ways.
 */
TEST(type_subtype_accessors)
{
	static const __u32 types[] = {
		0, 1, 2, 3, 4, 5, 6, 0xff, 0x100, 0x123456, 0xffffff,
	};
	struct watch_notification n;
	unsigned int i, st;
	__u32 word;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		for (st = 0; st < 256; st++) {
			memset(&n, 0, sizeof(n));
			n.type = types[i];
			n.subtype = st;
			n.info = 0xffffffff;
			memcpy(&word, &n, sizeof(word));
			ASSERT_EQ(types[i], WATCH_NOTIFICATION_TYPE(word));
			ASSERT_EQ(st, WATCH_NOTIFICATION_SUBTYPE(word));
			ASSERT_EQ(word, WATCH_NOTIFICATION_WORD(types[i], st));

			word = WATCH_NOTIFICATION_WORD(types[i], st);
			memcpy(&n, &word, sizeof(word));
			ASSERT_EQ(types[i], wq_type(&n));
			ASSERT_EQ(st, wq_subtype(&n));
		}
	}
	/* Out-of-range values are cut to the fields. */
	EXPECT_EQ(WATCH_NOTIFICATION_WORD(0x345678, 0x9a),
		  WATCH_NOTIFICATION_WORD(0x12345678, 0x789a));
}

/* Send @fd and @len bytes of @data over the socket @sock. */
static int send_fd(int sock, int fd, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)data, len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;

	memset(cbuf, 0, sizeof(cbuf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -1;
}

/* Receive a descriptor and @len bytes; the descriptor, or -1. */
static int recv_fd(int sock, void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

#define CHILD_FAIL(code, fmt, ...) do {					\
	fprintf(stderr, "# child: " fmt "\n", ##__VA_ARGS__);		\
	_exit(code);							\
} while (0)

/*
 * The receiving side of scm_rights: map the queue from the descriptor
 * alone, read what the sender injected, release it, then keep the queue
 * going after the sender closed its copy.
 */
static void scm_receiver(int sock)
{
	const struct watch_notification *n;
	struct watch_queue_info sent;
	struct watchq q;
	char c;
	int fd;

	fd = recv_fd(sock, &sent, sizeof(sent));
	if (fd < 0)
		CHILD_FAIL(10, "recvmsg: %s", strerror(errno));
	if (watchq_map(&q, fd))
		CHILD_FAIL(11, "watchq_map: %s", strerror(errno));
	if (memcmp(&sent, &q.info, sizeof(sent)))
		CHILD_FAIL(12, "GET_INFO differs from the sender's SETUP");
	n = watchq_next(&q);
	if (!n || wq_check_record(n, 1, 24, 1))
		CHILD_FAIL(13, "the sender's first record is not there");
	watchq_release(&q);
	if (write(sock, "r", 1) != 1 || read(sock, &c, 1) != 1)
		CHILD_FAIL(14, "the sender went away");
	n = watchq_next(&q);
	if (!n || wq_check_record(n, 2, 40, 2))
		CHILD_FAIL(15, "the sender's second record is not there");
	watchq_release(&q);
	if (write(sock, "r", 1) != 1)
		CHILD_FAIL(16, "the sender went away");
	/* The sender has closed its descriptor and unmapped: ours lives. */
	if (read(sock, &c, 1) != 0)
		CHILD_FAIL(17, "the sender did not close the socket");
	if (watchq_flags(&q) & WATCH_QUEUE_RING_CLOSED)
		CHILD_FAIL(18, "the queue is closed with a descriptor left");
	if (wq_inject(fd, 3, 16, 3) != 16)
		CHILD_FAIL(19, "write: %s", strerror(errno));
	n = watchq_next(&q);
	if (!n || wq_check_record(n, 3, 16, 3))
		CHILD_FAIL(20, "our own record is not there");
	watchq_close(&q);
	_exit(0);
}

/*
 * A queue set up by one process and passed to another over SCM_RIGHTS:
 * the receiver maps it from GET_INFO alone and consumes it, the sender
 * sees the receiver's tail, and the queue lives on in the receiver after
 * the sender closed it.
 */
TEST(scm_rights_receiver_maps_ring)
{
	int sv[2], status;
	struct watchq q;
	pid_t pid;
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		scm_receiver(sv[1]);
	}
	close(sv[1]);

	/* Opened after the fork: the child can only have it from us. */
	ASSERT_EQ(0, watchq_open(&q, 2 * PAGE));
	ASSERT_EQ(24, wq_inject(q.fd, 1, 24, 1));
	ASSERT_EQ(0, send_fd(sv[0], q.fd, &q.info, sizeof(q.info)));
	ASSERT_EQ(1, read(sv[0], &c, 1)) TH_LOG("the receiver died");
	EXPECT_EQ(3, __atomic_load_n(&q.cons->tail, __ATOMIC_ACQUIRE));
	ASSERT_EQ(40, wq_inject(q.fd, 2, 40, 2));
	ASSERT_EQ(1, write(sv[0], "g", 1));
	ASSERT_EQ(1, read(sv[0], &c, 1)) TH_LOG("the receiver died");
	EXPECT_EQ(8, __atomic_load_n(&q.cons->tail, __ATOMIC_ACQUIRE));
	watchq_close(&q);
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
