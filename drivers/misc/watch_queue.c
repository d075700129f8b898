// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/watch_queue: notification queues with a ring mapped into userspace.
 *
 * Every open creates a private watch queue (kernel/watch_queue.c) whose
 * backing store is a ring that the opener sizes, maps and consumes with no
 * system call per record.  Watches, filters, removal notices and LSM checks
 * are those of the notification core, shared with notification pipes.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */

#define pr_fmt(fmt) "watch_queue: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/watch_queue.h>

#include "watch_queue_dev.h"

/* Largest write(): as many records as the largest ring can hold. */
#define WATCH_QUEUE_MAX_WRITE	watch_ring_max_size()
/* Records of a write() stored under one hold of the queue's lock. */
#define WATCH_QUEUE_WRITE_BATCH	64
/* Largest write() copied straight into the ring, under the lock. */
#define WATCH_QUEUE_DIRECT_MAX	PAGE_SIZE

static const struct file_operations watch_queue_fops;

/**
 * watch_queue_dev_post_one - Store a record in the queue's ring
 * @wqueue: The queue, live, with its lock held.
 * @n: The record.
 *
 * The backing-store operation of the queue, called by the notification core
 * in any context.  Wakes a poller that had consumed everything.
 *
 * Return: true if the record was stored, false if it was counted as lost.
 */
static bool watch_queue_dev_post_one(struct watch_queue *wqueue,
				     const struct watch_notification *n)
{
	struct watch_queue_file *wf = wqueue->private;
	bool posted, wake;

	posted = watch_ring_post(&wf->ring, n, &wake);
	if (wake && wq_has_sleeper(&wf->waitq))
		wake_up_interruptible_poll(&wf->waitq, EPOLLIN | EPOLLRDNORM);
	return posted;
}

static const struct watch_queue_ops watch_queue_dev_ops = {
	.post_one	= watch_queue_dev_post_one,
};

/**
 * watch_queue_dev_queue - Get the watch queue of a /dev/watch_queue file
 * @file: Any file.
 *
 * Return: The queue, without taking a reference, or NULL if @file is not an
 * open of /dev/watch_queue.
 */
struct watch_queue *watch_queue_dev_queue(struct file *file)
{
	struct watch_queue_file *wf;

	if (file->f_op != &watch_queue_fops)
		return NULL;
	wf = file->private_data;
	return wf->wqueue;
}

/* The file that a mapping of the ring refers to. */
static const struct file_operations watch_queue_ring_fops = {
	.owner		= THIS_MODULE,
};

/**
 * watch_queue_dev_mmap - Map part of the ring of a sized queue
 * @file: The queue file.
 * @vma: Pages of the ring's offset space, shared; see watch_ring_mmap().
 *
 * The mapping refers to an anonymous file of its own rather than to the
 * queue, so that closing the queue's last descriptor closes the queue, and
 * removes its watches, even while the ring is mapped.  The mapping holds a
 * reference to the ring's pages, and to their charge, until it is unmapped.
 * What the queue's descriptor allowed (VM_MAYWRITE) stays as it was.
 *
 * Return: 0, -EINVAL, -EACCES or -ENOMEM.
 */
static int watch_queue_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct watch_queue_file *wf = file->private_data;
	struct file *ring_file;
	int ret;

	ring_file = anon_inode_getfile("[watch_queue_ring]",
				       &watch_queue_ring_fops, NULL, O_RDWR);
	if (IS_ERR(ring_file))
		return PTR_ERR(ring_file);

	mutex_lock(&wf->size_lock);
	ret = watch_ring_mmap(&wf->ring, vma);
	mutex_unlock(&wf->size_lock);
	if (!ret)
		vma_set_file(vma, ring_file);
	fput(ring_file);
	return ret;
}

/**
 * watch_queue_dev_poll - Report whether records are waiting
 * @file: The queue file.
 * @wait: The poll table.
 *
 * Checked under the queue lock, which orders it against posting: either the
 * poster sees this poller on the wait queue, or this sees the new record.
 *
 * Return: EPOLLIN | EPOLLRDNORM while head != tail, else 0.
 */
static __poll_t watch_queue_dev_poll(struct file *file, poll_table *wait)
{
	struct watch_queue_file *wf = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &wf->waitq, wait);

	spin_lock_bh(&wf->wqueue->lock);
	if (watch_ring_readable(&wf->ring))
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_bh(&wf->wqueue->lock);
	return mask;
}

/**
 * watch_queue_dev_check_records - Validate a buffer of injected records
 * @buf: The records, in memory that userspace can no longer change.
 * @len: Length of @buf.
 * @dense: Set to whether each record fills its slots exactly, or NULL.
 *
 * Each record must be complete, of type WATCH_TYPE_USER_NOTIFY, 8 to 127
 * bytes long, with WATCH_INFO_RESERVED clear, and take its length rounded
 * up to a whole number of slots.
 *
 * Return: 0, or -EINVAL.
 */
static int watch_queue_dev_check_records(const void *buf, size_t len,
					 bool *dense)
{
	const struct watch_notification *n;
	size_t off, rlen;
	bool exact = true;

	for (off = 0; off < len; off += rlen) {
		if (len - off < sizeof(*n))
			return -EINVAL;
		n = buf + off;
		rlen = n->info & WATCH_INFO_LENGTH;
		if (n->type != WATCH_TYPE_USER_NOTIFY || rlen < sizeof(*n) ||
		    (n->info & WATCH_INFO_RESERVED))
			return -EINVAL;
		if (rlen % WATCH_QUEUE_SLOT_SIZE)
			exact = false;
		rlen = round_up(rlen, WATCH_QUEUE_SLOT_SIZE);
		if (rlen > len - off)
			return -EINVAL;
	}
	if (dense)
		*dense = exact;
	return 0;
}

/**
 * watch_queue_dev_wake - Wake the consumer after records were published
 * @wf: The queue.
 * @wake: What watch_ring_commit() said.
 */
static void watch_queue_dev_wake(struct watch_queue_file *wf, bool wake)
{
	if (wake && wq_has_sleeper(&wf->waitq))
		wake_up_interruptible_poll(&wf->waitq, EPOLLIN | EPOLLRDNORM);
}

/**
 * watch_queue_dev_write_direct - Copy a small write() straight into the ring
 * @wf: The queue.
 * @ubuf: The records, in userspace.
 * @len: Their length, at most WATCH_QUEUE_DIRECT_MAX.
 *
 * The fast path of write(): under the queue's lock, with no filter, no
 * loss waiting to be reported and room for @len bytes before the end of
 * the data area (watch_ring_reserve()), copy the buffer to the head with
 * page faults disabled, then check the copy, which userspace cannot change
 * any more, in place.  If the copy succeeded and every record is valid and
 * fills its slots exactly, take them all in and publish them once;
 * otherwise the head stays where it was, the bytes past it are nobody's,
 * and the caller takes the slow path, which also gives the error.
 *
 * Return: true if the records were posted.
 */
static bool watch_queue_dev_write_direct(struct watch_queue_file *wf,
					 const char __user *ubuf, size_t len)
{
	struct watch_queue *wqueue = wf->wqueue;
	bool posted = false, wake = false, dense;
	void *dst;

	rcu_read_lock();
	if (!watch_queue_lock(wqueue)) {
		rcu_read_unlock();
		return false;
	}
	dst = NULL;
	if (!rcu_access_pointer(wqueue->filter) &&
	    len % WATCH_QUEUE_SLOT_SIZE == 0)
		dst = watch_ring_reserve(&wf->ring, len);
	if (dst && !copy_from_user_nofault(dst, ubuf, len) &&
	    !watch_queue_dev_check_records(dst, len, &dense) && dense) {
		watch_ring_advance(&wf->ring, len);
		wake = watch_ring_commit(&wf->ring);
		posted = true;
	}
	watch_queue_dev_wake(wf, wake);
	watch_queue_unlock(wqueue);
	rcu_read_unlock();
	return posted;
}

/**
 * watch_queue_dev_chunk - The records posted under one hold of the lock
 * @buf: Checked records, back to back.
 * @len: Their length.
 * @dense: Set to whether each of them fills its slots exactly.
 *
 * Return: The length of the first WATCH_QUEUE_WRITE_BATCH records of @buf,
 * or of all of them if there are fewer.
 */
static size_t watch_queue_dev_chunk(const void *buf, size_t len, bool *dense)
{
	const struct watch_notification *n;
	size_t off = 0, rlen;
	unsigned int i;

	*dense = true;
	for (i = 0; i < WATCH_QUEUE_WRITE_BATCH && off < len; i++) {
		n = buf + off;
		rlen = n->info & WATCH_INFO_LENGTH;
		if (rlen % WATCH_QUEUE_SLOT_SIZE)
			*dense = false;
		off += round_up(rlen, WATCH_QUEUE_SLOT_SIZE);
	}
	return off;
}

/**
 * watch_queue_dev_post_records - Post checked records, many per lock hold
 * @wf: The queue.
 * @buf: Records that watch_queue_dev_check_records() passed.
 * @len: Their length.
 *
 * Each record goes through the queue's filter and is stored or counted as
 * lost as if posted alone, but up to WATCH_QUEUE_WRITE_BATCH of them are
 * stored under one hold of the queue's lock and published with one store
 * of the head, one barrier and at most one wake-up; with no filter, no loss
 * to report and room for all, with one copy.  The batch bounds the time the
 * lock is held with softirqs disabled.
 */
static void watch_queue_dev_post_records(struct watch_queue_file *wf,
					 const void *buf, size_t len)
{
	struct watch_queue *wqueue = wf->wqueue;
	const struct watch_notification *n;
	size_t off = 0, end, chunk;
	bool stored, dense;

	while (off < len) {
		chunk = watch_queue_dev_chunk(buf + off, len - off, &dense);
		end = off + chunk;
		stored = false;
		rcu_read_lock();
		if (!watch_queue_lock(wqueue)) {
			rcu_read_unlock();
			return;
		}
		if (dense && !rcu_access_pointer(wqueue->filter) &&
		    watch_ring_store_dense(&wf->ring, buf + off, chunk)) {
			stored = true;
			off = end;
		}
		while (off < end) {
			n = buf + off;
			off += round_up(n->info & WATCH_INFO_LENGTH,
					WATCH_QUEUE_SLOT_SIZE);
			if (watch_queue_filter_accepts(wqueue, n) &&
			    watch_ring_store(&wf->ring, n))
				stored = true;
		}
		watch_queue_dev_wake(wf, stored && watch_ring_commit(&wf->ring));
		watch_queue_unlock(wqueue);
		rcu_read_unlock();
	}
}

/**
 * watch_queue_dev_write - Inject records, for tests and benchmarks
 * @file: The queue file.
 * @ubuf: Records of type WATCH_TYPE_USER_NOTIFY, back to back.
 * @len: Length of @ubuf.
 * @ppos: Unused.
 *
 * The records pass through the filter and are counted as lost when they do
 * not fit, like the kernel's own.  Nothing is posted unless the whole buffer
 * is valid.  Never blocks.
 *
 * Return: @len, or -EINVAL, -EFAULT or -ENOMEM.
 */
static ssize_t watch_queue_dev_write(struct file *file, const char __user *ubuf,
				     size_t len, loff_t *ppos)
{
	struct watch_queue_file *wf = file->private_data;
	ssize_t ret;
	void *buf;

	if (!len)
		return 0;
	if (len > WATCH_QUEUE_MAX_WRITE)
		return -EINVAL;
	if (len <= WATCH_QUEUE_DIRECT_MAX &&
	    watch_queue_dev_write_direct(wf, ubuf, len))
		return len;

	buf = vmemdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	ret = watch_queue_dev_check_records(buf, len, NULL);
	if (ret == 0) {
		watch_queue_dev_post_records(wf, buf, len);
		ret = len;
	}
	kvfree(buf);
	return ret;
}

/**
 * watch_queue_dev_open - Create a new, empty, private queue
 * @inode: The device inode.
 * @file: The new file.
 *
 * Return: 0 or -ENOMEM.
 */
static int watch_queue_dev_open(struct inode *inode, struct file *file)
{
	struct watch_queue_file *wf;

	wf = kzalloc(sizeof(*wf), GFP_KERNEL_ACCOUNT);
	if (!wf)
		return -ENOMEM;

	wf->wqueue = watch_queue_alloc(&watch_queue_dev_ops, wf);
	if (!wf->wqueue) {
		kfree(wf);
		return -ENOMEM;
	}
	mutex_init(&wf->size_lock);
	init_waitqueue_head(&wf->waitq);

	file->private_data = wf;
	return nonseekable_open(inode, file);
}

/**
 * watch_queue_dev_release - Close the queue
 * @inode: The device inode.
 * @file: The queue file.
 *
 * Remove every watch attached to the queue and mark it defunct, so that no
 * poster can reach the ring any more, tell the mappings that it is closed,
 * then drop the queue's reference to the ring's pages: they and their
 * charge go with the last mapping.
 * Watched objects live on; the queue itself goes when its last reference
 * does.
 *
 * Return: 0.
 */
static int watch_queue_dev_release(struct inode *inode, struct file *file)
{
	struct watch_queue_file *wf = file->private_data;

	watch_queue_clear(wf->wqueue);
	spin_lock_bh(&wf->wqueue->lock);
	watch_ring_close(&wf->ring);
	spin_unlock_bh(&wf->wqueue->lock);
	watch_ring_free(&wf->ring);
	put_watch_queue(wf->wqueue);
	mutex_destroy(&wf->size_lock);
	kfree(wf);
	return 0;
}

static const struct file_operations watch_queue_fops = {
	.owner		= THIS_MODULE,
	.open		= watch_queue_dev_open,
	.release	= watch_queue_dev_release,
	.unlocked_ioctl	= watch_queue_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= watch_queue_dev_mmap,
	.poll		= watch_queue_dev_poll,
	.write		= watch_queue_dev_write,
};

static struct miscdevice watch_queue_dev = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "watch_queue",
	.fops		= &watch_queue_fops,
	.mode		= 0666,
};

/*
 * Records injected by write(): any subtype, up to the longest record.  Only
 * a /dev/watch_queue ring takes them.
 */
static const struct watch_source watch_queue_user_source = {
	.type		= WATCH_TYPE_USER_NOTIFY,
	.record_size	= WATCH_INFO_LENGTH,
	.subtypes	= { [0 ... 7] = U32_MAX },
};

/**
 * watch_queue_dev_init - Register the device and the records it injects
 *
 * Return: 0 or the error of misc_register().
 */
static int __init watch_queue_dev_init(void)
{
	watch_source_register(&watch_queue_user_source);
	return misc_register(&watch_queue_dev);
}
device_initcall(watch_queue_dev_init);
