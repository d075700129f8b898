/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watchq.h - consume a /dev/watch_queue ring from userspace
 *
 * Header-only.  It implements the consumer side of the ring protocol with
 * the barriers it needs, so that programs don't have to:
 *
 *	struct watchq q;
 *	const struct watch_notification *n;
 *
 *	if (watchq_open(&q, 16384) < 0)		// 16 KiB of records
 *		err(1, "watchq_open");		// EOPNOTSUPP: no device
 *	keyctl(KEYCTL_WATCH_KEY, KEY_SPEC_SESSION_KEYRING, q.fd, 0x01);
 *	for (;;) {
 *		watchq_wait(&q, -1);
 *		while ((n = watchq_next(&q)))
 *			handle(n);
 *		watchq_release(&q);
 *	}
 *
 * Records returned by watchq_next() stay valid until watchq_release(),
 * which hands their slots back to the kernel.  Skip records (ring padding)
 * are never returned.  Loss records are: they say where records were lost.
 *
 * Every offset, length and count of the ring comes from the kernel
 * (IOC_WATCH_QUEUE_SETUP, IOC_WATCH_QUEUE_GET_INFO), never from a constant.
 * The kernel's header and the data are mapped read-only, the consumer's
 * page read-write.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */
#ifndef _WATCHQ_H
#define _WATCHQ_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/watch_queue.h>

#define WATCHQ_DEVICE	"/dev/watch_queue"

/**
 * struct watchq - A consumer of one /dev/watch_queue ring
 * @fd: The queue's file descriptor, for watches, filters, write and poll.
 * @ring: The kernel's header, read-only.
 * @cons: The consumer's part: the tail.
 * @data: The data area, read-only.
 * @ro_map: The read-only mapping, of the header and the data.
 * @ro_len: Its length.
 * @cons_map: The read-write mapping, of the consumer's part.
 * @cons_len: Its length.
 * @mask: Number of slots minus 1, from the kernel's report of the ring.
 * @tail: Slots consumed so far, including those not yet released.
 * @head: The head as last loaded, up to which watchq_next() reads.
 * @info: The geometry of the ring, as the kernel reported it.
 */
struct watchq {
	int fd;
	const struct watch_queue_ring *ring;
	struct watch_queue_consumer *cons;
	const unsigned char *data;
	void *ro_map;
	size_t ro_len;
	void *cons_map;
	size_t cons_len;
	uint32_t mask;
	uint32_t tail;
	uint32_t head;
	struct watch_queue_info info;
};

/**
 * watchq_unsupported_errno - The error of a failed open() of the device
 * @err: errno of the open().
 *
 * A kernel without the device has no node (ENOENT) or a node with no
 * driver behind it (ENXIO, ENODEV): the helper reports both as EOPNOTSUPP.
 *
 * Return: -EOPNOTSUPP for those, else -@err.
 */
static inline int watchq_unsupported_errno(int err)
{
	if (err == ENOENT || err == ENXIO || err == ENODEV)
		return -EOPNOTSUPP;
	return -err;
}

/* Set errno from a helper's -errno result, and return it. */
static inline int watchq_fail(int ret)
{
	errno = -ret;
	return ret;
}

/**
 * watchq_get_info - Ask the kernel for the geometry of a queue's ring
 * @fd: A /dev/watch_queue descriptor.
 * @info: Filled in; mmap_len is 0 if the queue has no ring yet.
 *
 * Return: 0, or -errno (-EOPNOTSUPP if @fd is no such queue).
 */
static inline int watchq_get_info(int fd, struct watch_queue_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, IOC_WATCH_QUEUE_GET_INFO, info) < 0)
		return -(errno == ENOTTY ? EOPNOTSUPP : errno);
	return 0;
}

/**
 * watchq_setup - Give a queue its ring
 * @fd: A /dev/watch_queue descriptor, not yet sized.
 * @size: Bytes of records wanted; the kernel rounds it up to a power-of-two
 *	number of pages.
 * @flags: WATCH_QUEUE_SETUP_* (WATCH_QUEUE_SETUP_CLAMP: take the largest
 *	ring instead of failing when @size is larger).
 * @info: Filled in with the geometry of the ring.
 *
 * Return: 0, or -errno (-EOPNOTSUPP if @fd is no such queue).
 */
static inline int watchq_setup(int fd, uint64_t size, uint64_t flags,
			       struct watch_queue_info *info)
{
	struct watch_queue_setup setup;

	memset(info, 0, sizeof(*info));
	memset(&setup, 0, sizeof(setup));
	setup.size = size;
	setup.flags = flags;
	if (ioctl(fd, IOC_WATCH_QUEUE_SETUP, &setup) < 0)
		return -(errno == ENOTTY ? EOPNOTSUPP : errno);
	*info = setup.info;
	return 0;
}

/**
 * watchq_unmap - Unmap the ring, leaving the descriptor open
 * @q: The consumer.
 *
 * Return: 0, or -errno of munmap().
 */
static inline int watchq_unmap(struct watchq *q)
{
	int ret = 0;

	if (q->cons_map && munmap(q->cons_map, q->cons_len))
		ret = -errno;
	if (q->ro_map && munmap(q->ro_map, q->ro_len))
		ret = -errno;
	q->cons_map = NULL;
	q->ro_map = NULL;
	q->ring = NULL;
	q->cons = NULL;
	q->data = NULL;
	return ret;
}

/**
 * watchq_map_info - Map the ring of a queue whose geometry is known
 * @q: The consumer to set up.
 * @fd: The queue's descriptor.
 * @info: The geometry, from watchq_setup() or watchq_get_info().
 *
 * Map the header and the data read-only, in one mapping that spans both,
 * and the consumer's part read-write.
 *
 * Return: 0; -ENODATA if the queue has no ring yet; -EPROTO if the
 * geometry makes no sense; or -errno of mmap().
 */
static inline int watchq_map_info(struct watchq *q, int fd,
				  const struct watch_queue_info *info)
{
	uint64_t lo, hi, end;
	void *ro, *rw;
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->info = *info;
	if (!info->mmap_len)
		return -ENODATA;
	if (!info->nr_slots || (info->nr_slots & (info->nr_slots - 1)) ||
	    info->data_len != (uint64_t)info->nr_slots * WATCH_QUEUE_SLOT_SIZE ||
	    info->header_len < sizeof(struct watch_queue_ring) ||
	    info->consumer_len < sizeof(struct watch_queue_consumer))
		return -EPROTO;

	lo = info->header_off < info->data_off ? info->header_off :
						 info->data_off;
	hi = info->header_off + info->header_len;
	end = info->data_off + info->data_len;
	if (end > hi)
		hi = end;
	ro = mmap(NULL, hi - lo, PROT_READ, MAP_SHARED, fd, lo);
	if (ro == MAP_FAILED)
		return -errno;
	rw = mmap(NULL, info->consumer_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		  fd, info->consumer_off);
	if (rw == MAP_FAILED) {
		ret = -errno;
		munmap(ro, hi - lo);
		return ret;
	}
	q->ro_map = ro;
	q->ro_len = hi - lo;
	q->cons_map = rw;
	q->cons_len = info->consumer_len;
	q->ring = (const struct watch_queue_ring *)
		((const unsigned char *)ro + (info->header_off - lo));
	q->data = (const unsigned char *)ro + (info->data_off - lo);
	q->cons = (struct watch_queue_consumer *)rw;
	q->mask = info->nr_slots - 1;
	if (q->ring->mask != q->mask) {
		watchq_unmap(q);
		return -EPROTO;
	}
	q->tail = __atomic_load_n(&q->cons->tail, __ATOMIC_RELAXED);
	q->head = q->tail;
	return 0;
}

/**
 * watchq_map - Map the ring of an already sized queue
 * @q: The consumer to set up.
 * @fd: A /dev/watch_queue descriptor with a ring: sized by this process or
 *	by another that passed it on (SCM_RIGHTS, a service manager's store).
 *
 * Return: 0, or -errno (errno is set too): -ENODATA if the queue has no
 * ring yet, -EOPNOTSUPP if @fd is no /dev/watch_queue queue.
 */
static inline int watchq_map(struct watchq *q, int fd)
{
	struct watch_queue_info info;
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	ret = watchq_get_info(fd, &info);
	if (ret == 0)
		ret = watchq_map_info(q, fd, &info);
	return ret < 0 ? watchq_fail(ret) : 0;
}

/**
 * watchq_open_flags - Open, size and map a new queue
 * @q: The consumer to set up.
 * @size: Bytes of records wanted (see watchq_setup()).
 * @flags: WATCH_QUEUE_SETUP_* flags.
 *
 * The only system call made before the kernel is known to have the device
 * is the open() of WATCHQ_DEVICE: a kernel without it gets nothing else.
 *
 * Return: 0, or -errno (errno is set too).  -EOPNOTSUPP means that this
 * kernel has no /dev/watch_queue, or one without IOC_WATCH_QUEUE_SETUP.
 */
static inline int watchq_open_flags(struct watchq *q, uint64_t size,
				    uint64_t flags)
{
	struct watch_queue_info info;
	int fd, ret;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	fd = open(WATCHQ_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return watchq_fail(watchq_unsupported_errno(errno));
	ret = watchq_setup(fd, size, flags, &info);
	if (ret == 0)
		ret = watchq_map_info(q, fd, &info);
	if (ret < 0) {
		close(fd);
		q->fd = -1;
		return watchq_fail(ret);
	}
	return 0;
}

/**
 * watchq_open - Open, size and map a new queue
 * @q: The consumer to set up.
 * @size: Bytes of records wanted; rounded up to a power-of-two number of
 *	pages.  A size above the kernel's maximum fails with EINVAL.
 *
 * Return: 0, or -errno (errno is set too); -EOPNOTSUPP if the kernel has
 * no /dev/watch_queue (see watchq_open_flags()).
 */
static inline int watchq_open(struct watchq *q, uint64_t size)
{
	return watchq_open_flags(q, size, 0);
}

/**
 * watchq_close - Unmap the ring and close the queue
 * @q: The consumer.
 */
static inline void watchq_close(struct watchq *q)
{
	watchq_unmap(q);
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

/**
 * watchq_set_filter - Set or remove (@f == NULL) the queue's filter
 * @q: The consumer.
 * @f: The filter, as for a notification pipe.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_set_filter(struct watchq *q,
				    const struct watch_notification_filter *f)
{
	return ioctl(q->fd, IOC_WATCH_QUEUE_SET_FILTER, f) < 0 ? -errno : 0;
}

/**
 * watchq_rec_len - Length in bytes of a record, from its header
 * @n: The record.
 *
 * Return: The length, header included; the record takes it rounded up to
 * a multiple of 8 bytes in the ring.
 */
static inline size_t watchq_rec_len(const struct watch_notification *n)
{
	return n->info & WATCH_INFO_LENGTH;
}

/**
 * watchq_next - Return the next record, or NULL if there is none now
 * @q: The consumer.
 *
 * Loads the head with acquire semantics when the records seen so far are
 * used up, so that the contents of every record up to it are visible.  A
 * record whose length is impossible (shorter than its header) would mean a
 * broken ring; it ends the walk with errno set to EPROTO.
 *
 * Return: The record, valid until watchq_release(), or NULL.
 */
static inline const struct watch_notification *watchq_next(struct watchq *q)
{
	const struct watch_notification *n;
	size_t len;

	for (;;) {
		if (q->tail == q->head) {
			q->head = __atomic_load_n(&q->ring->head,
						  __ATOMIC_ACQUIRE);
			if (q->tail == q->head)
				return NULL;
		}
		n = (const struct watch_notification *)
			(q->data + (size_t)(q->tail & q->mask) *
				   WATCH_QUEUE_SLOT_SIZE);
		len = watchq_rec_len(n);
		if (len < sizeof(*n)) {
			errno = EPROTO;
			return NULL;
		}
		q->tail += (len + WATCH_QUEUE_SLOT_SIZE - 1) /
			   WATCH_QUEUE_SLOT_SIZE;
		if (n->type == WATCH_TYPE_META &&
		    n->subtype == WATCH_META_SKIP_NOTIFICATION)
			continue;
		return n;
	}
}

/**
 * watchq_release - Give the records read so far back to the kernel
 * @q: The consumer.
 *
 * Stores the tail with release semantics: all reads of the records are done
 * before the kernel may overwrite their slots.
 */
static inline void watchq_release(struct watchq *q)
{
	__atomic_store_n(&q->cons->tail, q->tail, __ATOMIC_RELEASE);
}

/**
 * watchq_release_idle - Release, then check that nothing arrived meanwhile
 * @q: The consumer.
 *
 * For consumers that wait for edges (edge-triggered epoll, io_uring
 * multishot poll): after handing the slots back, look at the head again,
 * with a full barrier between the store of the tail and the load of the
 * head.  Either this sees a record posted meanwhile, or the kernel sees the
 * new tail and wakes the waiter.
 *
 * Return: true if the ring is empty and the consumer may wait for the next
 * edge, false if records arrived and should be read first.
 */
static inline int watchq_release_idle(struct watchq *q)
{
	watchq_release(q);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->head = __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE);
	return q->head == q->tail;
}

/* 32-bit halves of the header's 64-bit lost, which they alias. */
typedef uint32_t __attribute__((__may_alias__)) watchq_u32_alias;

/**
 * watchq_lost_split - Records dropped so far, read 32 bits at a time
 * @q: The consumer.
 *
 * For a consumer that can't load 64 bits at once: load lost_hi, then the
 * low half of lost, then its high half, and start again unless the two
 * high halves agree.  The kernel stores the high half of lost, then the low
 * half, then lost_hi, and lost only grows, so the halves read belong to one
 * value.  A header without lost_hi (hdr_size too small) has a lost stored
 * at once: its high half is read twice instead.
 *
 * Return: The header's count of lost records.
 */
static inline uint64_t watchq_lost_split(const struct watchq *q)
{
	const watchq_u32_alias *half = (const watchq_u32_alias *)&q->ring->lost;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	const int hi = 0;
#else
	const int hi = 1;
#endif
	const uint32_t *first = &q->ring->lost_hi;
	uint32_t h1, lo, h2;

	if (q->ring->hdr_size < offsetof(struct watch_queue_ring, lost_hi) +
				sizeof(q->ring->lost_hi))
		first = (const uint32_t *)&half[hi];
	do {
		h1 = __atomic_load_n(first, __ATOMIC_ACQUIRE);
		lo = __atomic_load_n(&half[!hi], __ATOMIC_ACQUIRE);
		h2 = __atomic_load_n(&half[hi], __ATOMIC_RELAXED);
	} while (h1 != h2);
	return (uint64_t)h1 << 32 | lo;
}

/**
 * watchq_lost - Records the kernel dropped so far, cumulative
 * @q: The consumer.
 *
 * One 64-bit load where the process has one, else watchq_lost_split().
 *
 * Return: The header's count of lost records.
 */
static inline uint64_t watchq_lost(const struct watchq *q)
{
#if __SIZEOF_POINTER__ >= 8
	return __atomic_load_n(&q->ring->lost, __ATOMIC_RELAXED);
#else
	return watchq_lost_split(q);
#endif
}

/**
 * watchq_flags - The kernel's status flags of the ring
 * @q: The consumer.
 *
 * Return: WATCH_QUEUE_RING_* flags: LOSS_PENDING while records were
 * dropped that no loss record reports yet, CLOSED once the queue is closed
 * and nothing more will come.
 */
static inline uint32_t watchq_flags(const struct watchq *q)
{
	return __atomic_load_n(&q->ring->flags, __ATOMIC_ACQUIRE);
}

/**
 * watchq_wait - Wait until records are readable
 * @q: The consumer.
 * @timeout_ms: As for poll(): -1 waits forever, 0 does not wait.
 *
 * Release what was read before waiting: the kernel wakes a consumer only
 * when it sees that the consumer has caught up.
 *
 * Return: 1 if readable, 0 on timeout, or -errno.
 */
static inline int watchq_wait(struct watchq *q, int timeout_ms)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	int ret;

	watchq_release(q);
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	return ret > 0 && (pfd.revents & POLLIN);
}

/*
 * Watches: IOC_WATCH_QUEUE_WATCH on a queue's descriptor, a /dev/watch_queue
 * file or a notification pipe alike.  Each function returns 0 or -errno,
 * with errno set;
 * -EOPNOTSUPP when the kernel can't set such a watch through the queue (a
 * kernel without IOC_WATCH_QUEUE_WATCH answers ENOTTY, which they turn
 * into -EOPNOTSUPP, so that no other system call is ever tried).  See
 * Documentation/userspace-api/watch_queue_watch.rst.
 */

/**
 * watchq_watch - Issue IOC_WATCH_QUEUE_WATCH
 * @fd: The queue: a /dev/watch_queue descriptor or a notification pipe.
 * @w: The request, zeroed but for what it sets.
 *
 * Return: 0, or -errno, errno being set too (EOPNOTSUPP for ENOTTY).
 */
static inline int watchq_watch(int fd, const struct watch_queue_watch *w)
{
	if (ioctl(fd, IOC_WATCH_QUEUE_WATCH, w) == 0)
		return 0;
	if (errno == ENOTTY)
		errno = EOPNOTSUPP;
	return -errno;
}

/**
 * watchq_watch_path - Watch the object of @type that a path names
 * @fd: The queue.
 * @type: WATCH_TYPE_MOUNT_NOTIFY or WATCH_TYPE_SB_NOTIFY.
 * @dfd: A directory descriptor, or AT_FDCWD.
 * @path: The path, relative to @dfd.
 * @at_flags: AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, and for
 *	mounts AT_RECURSIVE.
 * @watch_id: 0 to 255, the ID of the watch and of its records.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_path(int fd, unsigned int type, int dfd,
				    const char *path, unsigned int at_flags,
				    unsigned int watch_id)
{
	struct watch_queue_watch w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.watch_id = watch_id;
	w.object = WATCH_OBJECT_PATH;
	w.fd = dfd;
	w.pathname = (uintptr_t)path;
	w.at_flags = at_flags;
	return watchq_watch(fd, &w);
}

/**
 * watchq_watch_mount - Watch a mount, and with AT_RECURSIVE its subtree
 * @fd: The queue.
 * @dfd: A directory descriptor, or AT_FDCWD.
 * @path: Any path on the mount.
 * @at_flags: AT_RECURSIVE for the mounts below it too; AT_SYMLINK_NOFOLLOW,
 *	AT_NO_AUTOMOUNT, AT_EMPTY_PATH.
 * @watch_id: 0 to 255.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_mount(int fd, int dfd, const char *path,
				     unsigned int at_flags,
				     unsigned int watch_id)
{
	return watchq_watch_path(fd, WATCH_TYPE_MOUNT_NOTIFY, dfd, path,
				 at_flags, watch_id);
}

/**
 * watchq_watch_mount_id - Watch a mount named by its unique ID
 * @fd: The queue.
 * @mnt_id: The unique mount ID (statx(STATX_MNT_ID_UNIQUE), listmount()).
 * @mnt_ns_id: The ID of its mount namespace, 0 for the caller's.
 * @at_flags: 0, or AT_RECURSIVE.
 * @watch_id: 0 to 255.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_mount_id(int fd, uint64_t mnt_id,
					uint64_t mnt_ns_id,
					unsigned int at_flags,
					unsigned int watch_id)
{
	struct watch_queue_watch w;

	memset(&w, 0, sizeof(w));
	w.type = WATCH_TYPE_MOUNT_NOTIFY;
	w.watch_id = watch_id;
	w.object = WATCH_OBJECT_ID;
	w.object_id = mnt_id;
	w.ns_id = mnt_ns_id;
	w.at_flags = at_flags;
	return watchq_watch(fd, &w);
}

/**
 * watchq_watch_fd - Watch the object of @type that a descriptor names
 * @fd: The queue.
 * @type: The source.
 * @obj_fd: An nsfs file, or a pidfd.
 * @watch_id: 0 to 255.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_fd(int fd, unsigned int type, int obj_fd,
				  unsigned int watch_id)
{
	struct watch_queue_watch w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.watch_id = watch_id;
	w.object = WATCH_OBJECT_FD;
	w.fd = obj_fd;
	return watchq_watch(fd, &w);
}

/**
 * watchq_watch_mount_ns - Watch every mount of a mount namespace
 * @fd: The queue.
 * @ns_fd: An nsfs file of the namespace (/proc/PID/ns/mnt).
 * @watch_id: 0 to 255.
 *
 * Unlike a watch on "/", pivot_root() can't make it stale.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_mount_ns(int fd, int ns_fd,
					unsigned int watch_id)
{
	return watchq_watch_fd(fd, WATCH_TYPE_MOUNT_NOTIFY, ns_fd, watch_id);
}

/**
 * watchq_watch_sb - Watch the superblock that a path is on
 * @fd: The queue.
 * @dfd: A directory descriptor, or AT_FDCWD.
 * @path: Any path on the filesystem.
 * @at_flags: AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH.
 * @watch_id: 0 to 255.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_sb(int fd, int dfd, const char *path,
				  unsigned int at_flags, unsigned int watch_id)
{
	return watchq_watch_path(fd, WATCH_TYPE_SB_NOTIFY, dfd, path, at_flags,
				 watch_id);
}

/**
 * watchq_watch_ns - Watch the namespaces a user namespace owns
 * @fd: The queue.
 * @ns_fd: An nsfs file of a user namespace (/proc/PID/ns/user), or a
 *	pidfd, for the user namespace of that process.
 * @watch_id: 0 to 255.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_ns(int fd, int ns_fd, unsigned int watch_id)
{
	return watchq_watch_fd(fd, WATCH_TYPE_NS_NOTIFY, ns_fd, watch_id);
}

/**
 * watchq_watch_procs - Watch the tasks of a pid namespace
 * @fd: The queue.
 * @ns_fd: An nsfs file of a pid namespace (/proc/PID/ns/pid or
 *	pid_for_children), or a pidfd, for the pid namespace that process
 *	lives in.
 * @watch_id: 0 to 255.
 *
 * The watch reports the tasks of that namespace and of its descendants.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_watch_procs(int fd, int ns_fd, unsigned int watch_id)
{
	return watchq_watch_fd(fd, WATCH_TYPE_PROC_NOTIFY, ns_fd, watch_id);
}

/**
 * watchq_unwatch - Remove a watch by its type and ID
 * @fd: The queue.
 * @type: The watch's type.
 * @watch_id: Its ID.
 *
 * No object is looked up: this works whatever became of the object.  The
 * queue gets the watch's removal notice.
 *
 * Return: 0, or -errno (-ENOENT if the queue has no such watch).
 */
static inline int watchq_unwatch(int fd, unsigned int type,
				 unsigned int watch_id)
{
	struct watch_queue_watch w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.flags = WATCH_QUEUE_WATCH_REMOVE;
	w.watch_id = watch_id;
	return watchq_watch(fd, &w);
}

#endif /* _WATCHQ_H */
