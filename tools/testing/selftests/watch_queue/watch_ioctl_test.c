// SPDX-License-Identifier: GPL-2.0
/*
 * IOC_WATCH_QUEUE_WATCH itself, on /dev/watch_queue and on notification
 * pipes: the size versions of struct watch_queue_watch (shorter than the
 * first is refused, longer is accepted if the tail is zero), every field
 * that must be zero, unknown flags, objects and types, the descriptors
 * that are no queue, and watchq.h's "not supported".  Each refused request
 * attaches nothing.  The sources' own objects are tested by their tests.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_records.h"

/* The layout is the same for 32-bit and 64-bit processes. */
static_assert(sizeof(struct watch_queue_watch) == WATCH_QUEUE_WATCH_SIZE_VER0,
	      "struct watch_queue_watch");
static_assert(offsetof(struct watch_queue_watch, pathname) == 24, "pathname");
static_assert(offsetof(struct watch_queue_watch, ns_id) == 40, "ns_id");
static_assert(_IOC_SIZE(IOC_WATCH_QUEUE_WATCH) == 48, "command");

FIXTURE(wioc) {
	struct wq_queue q;
	char base[64];
	__u64 base_id;
	struct watch_queue_watch w;	/* a valid request: base, ID 1 */
};

FIXTURE_VARIANT(wioc) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(wioc, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(wioc, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(wioc)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	snprintf(self->base, sizeof(self->base), "/tmp/wq-ioc.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	ASSERT_EQ(0, mount("wqbase", self->base, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_PRIVATE, NULL));
	self->base_id = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, self->base_id);
	wq_expect_ns_id = wq_mnt_ns_id(self->base);
	memset(&self->w, 0, sizeof(self->w));
	self->w.type = WATCH_TYPE_MOUNT_NOTIFY;
	self->w.watch_id = 1;
	self->w.object = WATCH_OBJECT_PATH;
	self->w.fd = AT_FDCWD;
	self->w.pathname = (uintptr_t)self->base;
}

FIXTURE_TEARDOWN(wioc)
{
	wq_queue_close(&self->q);
	umount2(self->base, MNT_DETACH);
	rmdir(self->base);
}

/* Nothing is watched: a mount on base posts nothing. */
#define ASSERT_NOTHING_WATCHED() do {					\
	ASSERT_EQ(0, mount_tmpfs(AT("probe"), NULL));			\
	ASSERT_EQ(0, umount(AT("probe")));				\
	ASSERT_NO_RECS(&self->q);					\
} while (0)

/* @w works, and its watch is there until it is removed. */
#define ASSERT_WATCHES(w, size) do {					\
	size_t __sz = (size);						\
									\
	ASSERT_EQ(0, wq_watch_ioctl(self->q.fd, w, __sz))		\
		TH_LOG("size %zu: %s", __sz, strerror(errno));		\
	ASSERT_EQ(0, wq_mount_unwatch(self->q.fd, 1));			\
	ASSERT_RECS(&self->q, GONE(1, self->base_id));			\
} while (0)

/*
 * Sizes: below the first version, EINVAL; the first version and any
 * longer struct whose tail is zero, accepted; a non-zero byte in the tail,
 * E2BIG, at any size up to the largest an ioctl command can encode.
 */
TEST_F(wioc, size_versions)
{
	static const size_t sizes[] = { 56, 64, 4096, 16383 };
	static unsigned char big[16384];
	unsigned int i;
	size_t size;

	for (size = 0; size < WATCH_QUEUE_WATCH_SIZE_VER0; size += 4)
		ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &self->w,
						    size));
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &self->w, 47));
	ASSERT_NOTHING_WATCHED();

	ASSERT_WATCHES(&self->w, sizeof(self->w));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(big, 0, sizeof(big));
		memcpy(big, &self->w, sizeof(self->w));
		ASSERT_WATCHES(big, sizes[i]);
		big[sizes[i] - 1] = 1;
		ASSERT_FAILS(E2BIG, wq_watch_ioctl(self->q.fd, big, sizes[i]));
		big[sizes[i] - 1] = 0;
		big[sizeof(self->w)] = 0x80;
		ASSERT_FAILS(E2BIG, wq_watch_ioctl(self->q.fd, big, sizes[i]));
	}
	ASSERT_NOTHING_WATCHED();
}

/* Bad memory: the struct, and the path it points to. */
TEST_F(wioc, bad_pointers)
{
	ASSERT_FAILS(EFAULT, wq_watch_ioctl(self->q.fd, NULL,
					    sizeof(self->w)));
	ASSERT_FAILS(EFAULT, wq_watch_ioctl(self->q.fd, (void *)8,
					    sizeof(self->w)));
	self->w.pathname = 8;
	ASSERT_FAILS(EFAULT, wq_watch_ioctl(self->q.fd, &self->w,
					    sizeof(self->w)));
	self->w.pathname = ~0ULL;
	ASSERT_FAILS(EFAULT, wq_watch_ioctl(self->q.fd, &self->w,
					    sizeof(self->w)));
	ASSERT_NOTHING_WATCHED();
}

/* Apply @field = @val to a copy of the valid request: EINVAL. */
#define ASSERT_BAD(field, val) do {					\
	struct watch_queue_watch _w = self->w;				\
									\
	_w.field = (val);						\
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &_w,		\
					    sizeof(_w)));		\
} while (0)

/*
 * Every field a request does not use must be zero; unknown flags and
 * objects, out-of-range IDs and a path object without a path are refused.
 */
TEST_F(wioc, bad_fields)
{
	struct watch_queue_watch w;
	unsigned int bit;

	for (bit = 1; bit < 32; bit++)
		ASSERT_BAD(flags, 1U << bit);
	ASSERT_BAD(watch_id, 256);
	ASSERT_BAD(watch_id, 0xffffffffU);
	ASSERT_BAD(object, WATCH_OBJECT_NONE);
	ASSERT_BAD(object, 4);
	ASSERT_BAD(object, 0xffffffffU);
	/* A path object: a path, and no ID. */
	ASSERT_BAD(pathname, 0);
	ASSERT_BAD(object_id, self->base_id);
	ASSERT_BAD(ns_id, wq_expect_ns_id);

	/* An ID object: an ID, and no descriptor or path. */
	w = self->w;
	w.object = WATCH_OBJECT_ID;
	w.fd = 0;
	w.pathname = 0;
	w.object_id = self->base_id;
	ASSERT_WATCHES(&w, sizeof(w));
	w.object_id = 0;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	w.object_id = self->base_id;
	w.fd = AT_FDCWD;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	w.fd = 0;
	w.pathname = (uintptr_t)self->base;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));

	/* A descriptor object: the descriptor alone. */
	memset(&w, 0, sizeof(w));
	w.type = WATCH_TYPE_MOUNT_NOTIFY;
	w.watch_id = 1;
	w.object = WATCH_OBJECT_FD;
	w.at_flags = AT_RECURSIVE;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	w.at_flags = 0;
	w.pathname = (uintptr_t)self->base;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	w.pathname = 0;
	w.object_id = self->base_id;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	w.object_id = 0;
	w.ns_id = wq_expect_ns_id;
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	ASSERT_NOTHING_WATCHED();
}

/* A removal names the watch by type and ID alone: anything else, EINVAL. */
TEST_F(wioc, bad_removals)
{
	struct watch_queue_watch w;

	ASSERT_EQ(0, wq_watch_ioctl(self->q.fd, &self->w, sizeof(self->w)));
	memset(&w, 0, sizeof(w));
	w.type = WATCH_TYPE_MOUNT_NOTIFY;
	w.flags = WATCH_QUEUE_WATCH_REMOVE;
	w.watch_id = 1;
#define ASSERT_BAD_REMOVAL(field, val) do {				\
	struct watch_queue_watch _r = w;				\
									\
	_r.field = (val);						\
	ASSERT_FAILS(EINVAL, wq_watch_ioctl(self->q.fd, &_r,		\
					    sizeof(_r)));		\
} while (0)
	ASSERT_BAD_REMOVAL(object, WATCH_OBJECT_PATH);
	ASSERT_BAD_REMOVAL(fd, AT_FDCWD);
	ASSERT_BAD_REMOVAL(fd, 3);
	ASSERT_BAD_REMOVAL(at_flags, AT_RECURSIVE);
	ASSERT_BAD_REMOVAL(pathname, (uintptr_t)self->base);
	ASSERT_BAD_REMOVAL(object_id, self->base_id);
	ASSERT_BAD_REMOVAL(ns_id, 1);
	ASSERT_BAD_REMOVAL(watch_id, 256);
	ASSERT_BAD_REMOVAL(flags, WATCH_QUEUE_WATCH_REMOVE | 2);
#undef ASSERT_BAD_REMOVAL
	/* The watch is still there; the right removal takes it. */
	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	ASSERT_RECS(&self->q, MNT(ATTACH, 0, 1, self->base_id,
				  wq_mount_id(AT_FDCWD, AT("a"), 0)));
	ASSERT_EQ(0, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	ASSERT_RECS(&self->q, GONE(1, self->base_id));
	ASSERT_FAILS(ENOENT, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_NO_RECS(&self->q);
}

/*
 * Types whose watches are not set this way: the core's own records, keys
 * (keyctl()), injected records, and the unknown ones: EOPNOTSUPP.
 * Removing a watch of an unknown type finds none.
 */
TEST_F(wioc, types)
{
	static const __u32 types[] = {
		WATCH_TYPE_META, WATCH_TYPE_KEY_NOTIFY, WATCH_TYPE_USER_NOTIFY,
		WATCH_TYPE__NR, 1000, 0xffffff, 0xffffffff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct watch_queue_watch w = self->w;

		w.type = types[i];
		ASSERT_FAILS(EOPNOTSUPP, wq_watch_ioctl(self->q.fd, &w,
							sizeof(w)));
		ASSERT_FAILS(ENOENT, wq_unwatch(self->q.fd, types[i], 1));
	}
	ASSERT_NOTHING_WATCHED();
}

/*
 * Descriptors that are no queue: a pipe that is not a notification pipe
 * answers ENODEV, as for its other queue ioctls; a file without the ioctl,
 * ENOTTY, which watchq.h turns into EOPNOTSUPP, as a kernel without
 * IOC_WATCH_QUEUE_WATCH answers; a closed one, EBADF.
 */
TEST_F(wioc, not_a_queue)
{
	int pfd[2], null, closed;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	closed = dup(null);
	ASSERT_EQ(0, close(closed));

	ASSERT_FAILS(ENODEV, wq_watch_ioctl(pfd[0], &self->w, sizeof(self->w)));
	ASSERT_FAILS(ENODEV, wq_watch_ioctl(pfd[1], &self->w, sizeof(self->w)));
	ASSERT_FAILS(ENOTTY, wq_watch_ioctl(null, &self->w, sizeof(self->w)));
	ASSERT_FAILS(EBADF, wq_watch_ioctl(closed, &self->w, sizeof(self->w)));
	ASSERT_EQ(-EOPNOTSUPP, watchq_watch(null, &self->w));
	ASSERT_EQ(-EOPNOTSUPP, watchq_unwatch(null, WATCH_TYPE_MOUNT_NOTIFY, 1));
	ASSERT_EQ(-ENODEV, watchq_watch(pfd[0], &self->w));
	ASSERT_EQ(-EBADF, watchq_watch(closed, &self->w));
	close(pfd[0]);
	close(pfd[1]);
	close(null);
	ASSERT_NOTHING_WATCHED();
}

/*
 * A queue has 256 watch IDs: 0 to 255 all work at once, each naming its
 * own watch, and closing the queue gives them all back.
 */
TEST_F(wioc, all_ids)
{
	struct wq_queue *q = &self->q;
	char path[128];
	unsigned int i;

	for (i = 0; i <= WATCH_QUEUE_MAX_WATCH_ID; i++) {
		snprintf(path, sizeof(path), "%s/%u", self->base, i);
		ASSERT_EQ(0, mount_tmpfs(path, "size=64k"));
		ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, path, 0, q->fd, i))
			TH_LOG("ID %u: %s", i, strerror(errno));
	}
	ASSERT_FAILS(EEXIST, wq_mount_watch(AT_FDCWD, self->base, 0, q->fd, 0));
	for (i = 0; i <= WATCH_QUEUE_MAX_WATCH_ID; i += 51) {
		ASSERT_EQ(0, wq_mount_unwatch(q->fd, i));
		snprintf(path, sizeof(path), "%s/%u", self->base, i);
		ASSERT_RECS(q, GONE(i, wq_mount_id(AT_FDCWD, path, 0)));
	}
	ASSERT_EQ(0, wq_queue_close(q));
	ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, 0, q->fd, 0));
}

TEST_HARNESS_MAIN
