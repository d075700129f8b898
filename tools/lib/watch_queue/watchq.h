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
 *	if (watchq_open(&q, 4) < 0)
 *		err(1, "watchq_open");
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
 * @ring: The shared header (page 0 of the mapping).
 * @data: The data area (the pages after the header).
 * @map_len: Length of the mapping.
 * @mask: Number of slots minus 1, read once when the ring is mapped.
 * @tail: Slots consumed so far, including those not yet released.
 * @head: The head as last loaded, up to which watchq_next() reads.
 */
struct watchq {
	int fd;
	struct watch_queue_ring *ring;
	unsigned char *data;
	size_t map_len;
	uint32_t mask;
	uint32_t tail;
	uint32_t head;
};

/**
 * watchq_map - Map the ring of an already sized queue
 * @q: The consumer to set up.
 * @fd: A /dev/watch_queue descriptor sized to @nr_pages pages.
 * @nr_pages: Pages in its data area.
 *
 * Return: 0, or -errno.
 */
static inline int watchq_map(struct watchq *q, int fd, unsigned int nr_pages)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *map;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->map_len = (nr_pages + 1) * page;
	map = mmap(NULL, q->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	q->ring = (struct watch_queue_ring *)map;
	q->data = (unsigned char *)map + page;
	q->mask = q->ring->mask;
	if ((size_t)q->mask + 1 != nr_pages * page / WATCH_QUEUE_SLOT_SIZE) {
		munmap(map, q->map_len);
		return -EPROTO;
	}
	q->tail = __atomic_load_n(&q->ring->tail, __ATOMIC_RELAXED);
	q->head = q->tail;
	return 0;
}

/**
 * watchq_open - Open, size and map a new queue
 * @q: The consumer to set up.
 * @nr_pages: Size of the data area in pages: a power of two, 1 to 256.
 *
 * Return: 0, or -errno from open(), the sizing ioctl() or mmap().
 */
static inline int watchq_open(struct watchq *q, unsigned int nr_pages)
{
	int fd, ret;

	fd = open(WATCHQ_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, IOC_WATCH_QUEUE_SET_SIZE, nr_pages) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = watchq_map(q, fd, nr_pages);
	if (ret < 0)
		close(fd);
	return ret;
}

/**
 * watchq_close - Unmap the ring and close the queue
 * @q: The consumer.
 */
static inline void watchq_close(struct watchq *q)
{
	if (q->ring)
		munmap(q->ring, q->map_len);
	if (q->fd >= 0)
		close(q->fd);
	q->ring = NULL;
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
	__atomic_store_n(&q->ring->tail, q->tail, __ATOMIC_RELEASE);
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

/**
 * watchq_lost - Records the kernel dropped so far, cumulative
 * @q: The consumer.
 *
 * Return: The header's count of lost records.
 */
static inline uint64_t watchq_lost(const struct watchq *q)
{
	return __atomic_load_n(&q->ring->lost, __ATOMIC_RELAXED);
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
 * file or a notification pipe alike.  Each function returns 0 or -errno;
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
 * Return: 0, or -errno (-EOPNOTSUPP for ENOTTY).
 */
static inline int watchq_watch(int fd, const struct watch_queue_watch *w)
{
	if (ioctl(fd, IOC_WATCH_QUEUE_WATCH, w) == 0)
		return 0;
	return errno == ENOTTY ? -EOPNOTSUPP : -errno;
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
