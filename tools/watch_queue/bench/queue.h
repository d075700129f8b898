/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every use the benchmark makes of a notification queue, in one place: open
 * and size a /dev/watch_queue ring or a notification pipe, set watches on a
 * mount, a user namespace or a key, consume, and read the records it
 * decodes.  Nothing else in the benchmark knows the queue's ABI.
 *
 * Static inline, so that the consumer loops the benchmark times are those
 * of watchq.h itself, with nothing called in between.
 */
#ifndef _WQ_BENCH_QUEUE_H
#define _WQ_BENCH_QUEUE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "watchq.h"
#include "watchq_names.h"

/**
 * struct bq - A queue of either transport
 * @fd: The device, or the read end of the notification pipe.
 * @wfd: The pipe's write end, or -1.
 * @pipe: Whether this is a notification pipe.
 * @q: The device's ring, mapped.
 */
struct bq {
	int fd;
	int wfd;
	bool pipe;
	struct watchq q;
};

/**
 * bq_device_present - Whether the kernel has /dev/watch_queue
 *
 * Return: true if the device can be opened.
 */
static inline bool bq_device_present(void)
{
	int fd = open(WATCHQ_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/**
 * bq_open_ring - Open, size and map a /dev/watch_queue ring
 * @b: The queue.
 * @bytes: Bytes of records it must hold at least (the kernel rounds up to
 *	a power-of-two number of pages).
 *
 * Return: 0 or -errno.
 */
static inline int bq_open_ring(struct bq *b, size_t bytes)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->wfd = -1;
	ret = watchq_open(&b->q, bytes);
	if (ret < 0)
		return ret;
	b->fd = b->q.fd;
	return 0;
}

/**
 * bq_open_pipe - Open a notification pipe
 * @b: The queue.
 * @notes: Records it holds, 1 to 512.
 *
 * Return: 0 or -errno.
 */
static inline int bq_open_pipe(struct bq *b, unsigned int notes)
{
	int fds[2];

	memset(b, 0, sizeof(*b));
	b->pipe = true;
	if (pipe2(fds, O_NOTIFICATION_PIPE | O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	if (ioctl(fds[0], IOC_WATCH_QUEUE_SET_SIZE, notes) < 0) {
		int ret = -errno;

		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	b->fd = fds[0];
	b->wfd = fds[1];
	return 0;
}

/**
 * bq_close - Close a queue, which removes its watches
 * @b: The queue.
 */
static inline void bq_close(struct bq *b)
{
	if (b->pipe) {
		close(b->fd);
		close(b->wfd);
	} else {
		watchq_close(&b->q);
	}
	b->fd = -1;
	b->wfd = -1;
}

/**
 * bq_watch_mount - Watch a mount and every mount below it
 * @b: The queue.
 * @path: The mount's path.
 * @id: The watch's ID, 0 to 255.
 *
 * Return: 0 or -errno.
 */
static inline int bq_watch_mount(struct bq *b, const char *path,
				 unsigned int id)
{
	return watchq_watch_mount(b->fd, AT_FDCWD, path, AT_RECURSIVE, id);
}

/**
 * bq_watch_userns - Watch the namespaces a user namespace owns
 * @b: The queue.
 * @ns_fd: The user namespace, an nsfs descriptor.
 * @id: The watch's ID.
 *
 * Return: 0 or -errno.
 */
static inline int bq_watch_userns(struct bq *b, int ns_fd, unsigned int id)
{
	return watchq_watch_ns(b->fd, ns_fd, id);
}

/**
 * bq_watch_block - Watch a disk
 * @b: The queue.
 * @dev_fd: A descriptor of its device node.
 * @id: The watch's ID.
 *
 * Return: 0 or -errno.
 */
static inline int bq_watch_block(struct bq *b, int dev_fd, unsigned int id)
{
	return watchq_watch_fd(b->fd, WATCH_TYPE_BLOCK_NOTIFY, dev_fd, id);
}

/**
 * bq_watch_procs - Watch the tasks of a pid namespace
 * @b: The queue.
 * @ns_fd: The pid namespace, an nsfs descriptor or a pidfd.
 * @id: The watch's ID.
 *
 * Return: 0 or -errno.
 */
static inline int bq_watch_procs(struct bq *b, int ns_fd, unsigned int id)
{
	return watchq_watch_procs(b->fd, ns_fd, id);
}

/**
 * bq_watch_key - Watch a key
 * @b: The queue.
 * @key: The key's serial number.
 * @id: The watch's ID.
 *
 * Return: 0 or -errno.
 */
static inline int bq_watch_key(struct bq *b, int32_t key, unsigned int id)
{
	if (syscall(__NR_keyctl, KEYCTL_WATCH_KEY, key, b->fd, id) < 0)
		return -errno;
	return 0;
}

/**
 * bq_write - Inject records into a device queue, as its owner may
 * @b: A device queue.
 * @buf: Records of type WATCH_TYPE_USER_NOTIFY, back to back.
 * @len: Their length.
 *
 * Return: 0 or -errno.
 */
static inline int bq_write(struct bq *b, const void *buf, size_t len)
{
	if (write(b->fd, buf, len) != (ssize_t)len)
		return -errno;
	return 0;
}

/**
 * bq_rec_len - Length of a record
 * @n: The record.
 *
 * Return: Its length in bytes.
 */
static inline size_t bq_rec_len(const struct watch_notification *n)
{
	return watchq_rec_len(n);
}

/**
 * bq_next - The next record of a ring, or NULL
 * @b: A device queue.
 *
 * Return: The record, valid until bq_release().
 */
static inline const struct watch_notification *bq_next(struct bq *b)
{
	return watchq_next(&b->q);
}

/**
 * bq_release - Hand the records read back to the kernel
 * @b: A device queue.
 */
static inline void bq_release(struct bq *b)
{
	watchq_release(&b->q);
}

/**
 * bq_release_idle - Release, and say whether the ring is still empty
 * @b: A device queue.
 *
 * Return: true if the consumer may wait for the next edge.
 */
static inline bool bq_release_idle(struct bq *b)
{
	return watchq_release_idle(&b->q);
}

/**
 * bq_lost - Records the kernel dropped, so far
 * @b: A device queue.
 *
 * Return: The count.
 */
static inline uint64_t bq_lost(const struct bq *b)
{
	return watchq_lost(&b->q);
}

/**
 * bq_poll - Wait until the queue is readable
 * @b: The queue.
 * @timeout_ms: As for poll().
 *
 * A ring's consumer gives its slots back first, as watchq_wait() does.
 *
 * Return: 1 if readable, 0 on timeout, or -errno.
 */
static inline int bq_poll(struct bq *b, int timeout_ms)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	int ret;

	if (!b->pipe)
		return watchq_wait(&b->q, timeout_ms);
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	return ret > 0 && (pfd.revents & POLLIN);
}

/**
 * bq_drain - Consume every record there is now, of either transport
 * @b: The queue.
 *
 * Return: The number of records consumed.
 */
static inline size_t bq_drain(struct bq *b)
{
	unsigned char buf[4096];
	size_t nr = 0, off;
	ssize_t len;

	if (!b->pipe) {
		while (bq_next(b))
			nr++;
		bq_release(b);
		return nr;
	}
	while ((len = read(b->fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off + sizeof(struct watch_notification) <= (size_t)len;) {
			size_t rlen = bq_rec_len((const void *)(buf + off));

			if (!rlen)
				break;
			off += rlen;
			nr++;
		}
	}
	return nr;
}

/**
 * bq_mount_attached - Decode a record that says a mount was attached
 * @n: A record.
 * @mnt_id: Set to the unique ID of the mount attached.
 *
 * Return: true if @n is such a record.
 */
static inline bool bq_mount_attached(const struct watch_notification *n,
				     uint64_t *mnt_id)
{
	const struct mount_notification *m = (const void *)n;

	if (n->type != WATCH_TYPE_MOUNT_NOTIFY ||
	    n->subtype != NOTIFY_MOUNT_ATTACH ||
	    !watchq_rec_check(n, bq_rec_len(n)))
		return false;
	*mnt_id = m->mnt_id;
	return true;
}

/**
 * bq_ns_created - Decode a record that says a namespace was created
 * @n: A record.
 * @ns_type: The CLONE_NEW* type wanted.
 * @pid: Set to the pid of the task that made it.
 * @inum: Set to the namespace's inode number.
 *
 * Return: true if @n is such a record.
 */
static inline bool bq_ns_created(const struct watch_notification *n,
				 uint32_t ns_type, int32_t *pid,
				 uint64_t *inum)
{
	const struct ns_notification *r = (const void *)n;

	if (n->type != WATCH_TYPE_NS_NOTIFY || n->subtype != NOTIFY_NS_CREATE ||
	    !watchq_rec_check(n, bq_rec_len(n)) || r->ns_type != ns_type)
		return false;
	*pid = r->pid;
	*inum = r->ns_inum;
	return true;
}

/**
 * bq_proc_exited - Decode a record that says a process exited
 * @n: A record.
 * @pid: Set to the pid of the process.
 *
 * Return: true if @n is the EXIT of a process (not of a thread).
 */
static inline bool bq_proc_exited(const struct watch_notification *n,
				  int32_t *pid)
{
	const struct proc_notification *r = (const void *)n;

	if (n->type != WATCH_TYPE_PROC_NOTIFY || n->subtype != NOTIFY_PROC_EXIT ||
	    !watchq_rec_check(n, bq_rec_len(n)) ||
	    (r->flags & NOTIFY_PROC_THREAD))
		return false;
	*pid = r->pid;
	return true;
}

#endif /* _WQ_BENCH_QUEUE_H */
