// SPDX-License-Identifier: GPL-2.0
/*
 * Block device notifications: the watches IOC_WATCH_QUEUE_WATCH sets on a
 * disk, and the records they get.
 *
 * A watch on a disk reports its failed requests, its read-only changes and
 * its removal.  Requests complete in any context, hard interrupts included,
 * where a record can't be posted: the queues are locked with softirqs
 * disabled.  So a failed request is only taken down, without allocating or
 * sleeping, into a fixed ring of the disk's, and a work item posts it soon
 * after.  An error that finds the ring full is counted, and the count is
 * posted as a DROPPED record at its place in the stream: a burst loses the
 * details of some errors, never the errors themselves.
 *
 * The disk's notification state is made on its first watch and ends when
 * the disk is deleted: the errors still in the ring are posted, then every
 * watch gets a removal notice.  A watch pins nothing.
 *
 * Watching a disk needs read access to its device node (or a partition's,
 * which names the whole disk), or CAP_SYS_ADMIN.
 *
 * See Documentation/userspace-api/block_notify.rst
 */

#include <linux/blk-mq.h>
#include <linux/blk_notify.h>
#include <linux/blkdev.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/jump_label_ratelimit.h>
#include <linux/kdev_t.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/watch_queue.h>
#include <linux/workqueue.h>
#include "blk.h"

/* The record's size is part of the ABI: new fields go at the end. */
static_assert(sizeof(struct block_notification) == BLOCK_NOTIFICATION_SIZE_VER0);

/* Errors a disk keeps between two runs of its work item: a power of 2. */
#define BLK_NOTIFY_RING		64

/*
 * On while any disk watch exists: the I/O error path's only cost.  Any
 * user who can read a disk node may add and remove watches, and each
 * switch patches the kernel text, so the last removal turns it off a
 * second later, from a delayed work, as the namespace source does.
 */
DEFINE_STATIC_KEY_DEFERRED_FALSE(blk_notify_watched, HZ);

/* Serialises making, using from process context and ending disk states. */
static DEFINE_MUTEX(blk_notify_lock);

/**
 * struct blk_notify_error - A failed request, as the completion saw it
 * @sector: Its first sector.
 * @dropped: Errors that were not kept just before this one.
 * @size: The bytes that failed.
 * @op: Its REQ_OP_*.
 * @status: Its blk_status_t.
 */
struct blk_notify_error {
	u64		sector;
	u64		dropped;
	u32		size;
	u8		op;
	u8		status;
};

/**
 * struct blk_notify - The notification state of a watched disk
 * @disk: The disk.
 * @wlist: Its watches.
 * @work: Posts what the ring holds.
 * @post_mutex: Serialises posting, so that records keep their order.
 * @lock: Guards @head, @tail, @dropped and @ring; taken in any context.
 * @head: Errors stored, ever.
 * @tail: Errors taken out, ever.
 * @dropped: Errors not kept since the last one stored.
 * @ring: The errors not posted yet, from @tail to @head.
 */
struct blk_notify {
	struct gendisk		*disk;
	struct watch_list	*wlist;
	struct work_struct	work;
	struct mutex		post_mutex;	/* Keeps the records in order */
	raw_spinlock_t		lock;
	unsigned int		head;
	unsigned int		tail;
	u64			dropped;
	struct blk_notify_error	ring[BLK_NOTIFY_RING];
};

/**
 * blk_notify_build - Fill in a block record
 * @n: The record.
 * @disk: The disk.
 * @subtype: enum block_notification_subtype.
 * @info: NOTIFY_BLOCK_* flags.
 */
static void blk_notify_build(struct block_notification *n,
			     struct gendisk *disk, u32 subtype, u32 info)
{
	dev_t devt = disk_devt(disk);

	memset(n, 0, sizeof(*n));
	n->watch.type = WATCH_TYPE_BLOCK_NOTIFY;
	n->watch.subtype = subtype;
	n->watch.info = info | watch_sizeof(*n);
	n->dev_major = MAJOR(devt);
	n->dev_minor = MINOR(devt);
	n->diskseq = disk->diskseq;
}

/**
 * blk_notify_post - Post a record to the watchers of a disk
 * @bn: The disk's state.
 * @n: The record.
 *
 * Context: Process context, @bn->post_mutex held.
 */
static void blk_notify_post(struct blk_notify *bn, struct block_notification *n)
{
	rcu_read_lock();
	__post_watch_notification(bn->wlist, &n->watch, current_cred(),
				  bn->disk->diskseq);
	rcu_read_unlock();
}

/**
 * blk_notify_post_dropped - Say how many errors were not kept
 * @bn: The disk's state.
 * @dropped: How many.
 */
static void blk_notify_post_dropped(struct blk_notify *bn, u64 dropped)
{
	struct block_notification n;

	blk_notify_build(&n, bn->disk, NOTIFY_BLOCK_DROPPED, 0);
	n.dropped = dropped;
	blk_notify_post(bn, &n);
}

/**
 * blk_notify_post_error - Post a failed request
 * @bn: The disk's state.
 * @e: The request, as taken down.
 */
static void blk_notify_post_error(struct blk_notify *bn,
				  const struct blk_notify_error *e)
{
	blk_status_t status = (__force blk_status_t)e->status;
	struct block_notification n;

	blk_notify_build(&n, bn->disk, status == BLK_STS_MEDIUM ?
			 NOTIFY_BLOCK_MEDIUM_ERROR : NOTIFY_BLOCK_IO_ERROR, 0);
	n.sector = e->sector;
	n.size = e->size;
	n.op = e->op;
	n.status = e->status;
	n.error = -blk_status_to_errno(status);
	blk_notify_post(bn, &n);
}

/**
 * blk_notify_drain - Post the errors in a disk's ring, in order
 * @bn: The disk's state.
 * @max: The most errors to take out, so that a storm can't hold the
 *	caller for ever.
 *
 * Context: Process context, @bn->post_mutex held.
 * Return: true if errors are left for another call.
 */
static bool blk_notify_drain(struct blk_notify *bn, unsigned int max)
{
	struct blk_notify_error e;
	u64 dropped;
	bool have;

	lockdep_assert_held(&bn->post_mutex);
	for (; max; max--) {
		raw_spin_lock_irq(&bn->lock);
		have = bn->head != bn->tail;
		if (have) {
			e = bn->ring[bn->tail % BLK_NOTIFY_RING];
			bn->tail++;
			dropped = e.dropped;
		} else {
			/* Errors not kept after the last one kept. */
			dropped = bn->dropped;
			bn->dropped = 0;
		}
		raw_spin_unlock_irq(&bn->lock);

		if (dropped)
			blk_notify_post_dropped(bn, dropped);
		if (!have)
			return false;
		blk_notify_post_error(bn, &e);
	}
	return true;
}

/**
 * blk_notify_flush - Post every error taken down so far, in order
 * @bn: The disk's state.
 *
 * The errors in the ring, and the count of those dropped after them, are
 * taken as they are on entry: all are posted, to the watches there now,
 * then the count.  Errors taken down meanwhile are left to the work item.
 * Only this and the work item take errors out, both under
 * @bn->post_mutex: at most a ring's worth is posted.
 *
 * Context: Process context, @bn->post_mutex held.
 */
static void blk_notify_flush(struct blk_notify *bn)
{
	struct blk_notify_error e;
	unsigned int end;
	u64 dropped;
	bool have;

	lockdep_assert_held(&bn->post_mutex);
	raw_spin_lock_irq(&bn->lock);
	end = bn->head;
	dropped = bn->dropped;
	bn->dropped = 0;
	raw_spin_unlock_irq(&bn->lock);

	for (;;) {
		raw_spin_lock_irq(&bn->lock);
		have = bn->tail != end;
		if (have) {
			e = bn->ring[bn->tail % BLK_NOTIFY_RING];
			bn->tail++;
		}
		raw_spin_unlock_irq(&bn->lock);
		if (!have)
			break;
		if (e.dropped)
			blk_notify_post_dropped(bn, e.dropped);
		blk_notify_post_error(bn, &e);
	}
	/* The errors dropped after the last one kept, before entry. */
	if (dropped)
		blk_notify_post_dropped(bn, dropped);
}

/**
 * blk_notify_work - Post the errors that completions took down
 * @work: The disk's work item.
 *
 * Takes out one ring's worth at a time and queues itself again if more
 * came meanwhile.
 */
static void blk_notify_work(struct work_struct *work)
{
	struct blk_notify *bn = container_of(work, struct blk_notify, work);
	bool more;

	mutex_lock(&bn->post_mutex);
	more = blk_notify_drain(bn, BLK_NOTIFY_RING);
	mutex_unlock(&bn->post_mutex);
	if (more)
		queue_work(system_wq, &bn->work);
}

/**
 * __blk_notify_rq_error - Take down a failed request for the disk's watchers
 * @rq: The request.
 * @status: Its error.
 * @nr_bytes: The bytes that completed with @status.
 *
 * Stores the error in the disk's ring, or counts it if the ring is full,
 * and queues the work item that posts it.
 *
 * Context: Any, hard interrupts included.  Does not sleep or allocate.
 */
void __blk_notify_rq_error(struct request *rq, blk_status_t status,
			   unsigned int nr_bytes)
{
	struct gendisk *disk = rq->q->disk;
	struct blk_notify_error *e;
	struct blk_notify *bn;
	unsigned long flags;

	if (!disk)
		return;
	rcu_read_lock();
	bn = rcu_dereference(disk->blk_notify);
	if (bn) {
		raw_spin_lock_irqsave(&bn->lock, flags);
		if (bn->head - bn->tail < BLK_NOTIFY_RING) {
			e = &bn->ring[bn->head % BLK_NOTIFY_RING];
			e->sector = blk_rq_pos(rq);
			e->size = nr_bytes;
			e->op = req_op(rq);
			e->status = (__force u8)status;
			e->dropped = bn->dropped;
			bn->dropped = 0;
			bn->head++;
		} else {
			bn->dropped++;
		}
		raw_spin_unlock_irqrestore(&bn->lock, flags);
		queue_work(system_wq, &bn->work);
	}
	rcu_read_unlock();
}

/**
 * __blk_notify_ro - Tell the disk's watchers that it became read-only or not
 * @disk: The disk.
 * @read_only: Its new state.
 *
 * The errors taken down before are posted first.
 *
 * Context: Process context.
 */
void __blk_notify_ro(struct gendisk *disk, bool read_only)
{
	struct block_notification n;
	struct blk_notify *bn;

	mutex_lock(&blk_notify_lock);
	bn = rcu_dereference_protected(disk->blk_notify,
				       lockdep_is_held(&blk_notify_lock));
	if (bn) {
		mutex_lock(&bn->post_mutex);
		blk_notify_flush(bn);
		blk_notify_build(&n, disk, NOTIFY_BLOCK_READONLY,
				 read_only ? NOTIFY_BLOCK_IS_NOW_RO : 0);
		blk_notify_post(bn, &n);
		mutex_unlock(&bn->post_mutex);
	}
	mutex_unlock(&blk_notify_lock);
}

/**
 * blk_notify_del - End the watches of a disk being deleted
 * @disk: The disk, dead, with no request in flight.
 *
 * Once no completion can see the state any more, the errors left in the
 * ring are posted, then each watch gets a removal notice carrying the
 * diskseq.
 *
 * del_gendisk() unhashed the disk's inodes, so that disk_live() is false,
 * before it calls this; blk_notify_add() tests disk_live() under
 * blk_notify_lock.  So the pointer is read under that lock too, whether
 * the disk was watched or not: an add that found the disk live has made
 * its state before this takes the lock, and its watch is ended here; an
 * add after finds the disk dead and fails with -ENOENT.  Testing the
 * pointer without the lock could miss a state made in between, whose
 * watches would outlive the disk.
 *
 * A disk is watched only after add_disk() made it live (bdev_add(), its
 * last step, which can't fail), and a live disk always goes through
 * del_gendisk() before its release: no other path needs to free the
 * state.
 *
 * Context: Process context; sleeps.
 */
void blk_notify_del(struct gendisk *disk)
{
	struct blk_notify *bn;

	mutex_lock(&blk_notify_lock);
	WARN_ON_ONCE(disk_live(disk));
	bn = rcu_replace_pointer(disk->blk_notify, NULL,
				 lockdep_is_held(&blk_notify_lock));
	mutex_unlock(&blk_notify_lock);
	if (!bn)
		return;

	synchronize_rcu();
	cancel_work_sync(&bn->work);
	mutex_lock(&bn->post_mutex);
	/* Nothing adds to the ring now: this posts all that is left. */
	blk_notify_flush(bn);
	mutex_unlock(&bn->post_mutex);

	remove_watch_list(bn->wlist, disk->diskseq);
	mutex_destroy(&bn->post_mutex);
	kfree(bn);
}

/**
 * blk_notify_release_watch - Account for a watch leaving a disk's list
 * @watch: The watch.
 */
static void blk_notify_release_watch(struct watch *watch)
{
	static_branch_slow_dec_deferred(&blk_notify_watched);
}

/**
 * blk_notify_add - Add a watch on a disk
 * @object: The disk, pinned by the caller.
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the disk has none.
 *
 * The disk's state is made on its first watch, charged to the watcher,
 * only while the disk is live under blk_notify_lock (see
 * blk_notify_del()).  All the errors it holds, and the count of those it
 * dropped, are posted first: the new watch gets only what is taken down
 * after it was added.
 * The state is allocated before blk_notify_lock is taken: del_gendisk()
 * takes that lock with the disk's queue frozen, and reclaim may write to
 * the disk.
 *
 * Return: 0, -EBUSY if the queue already watches the disk, -ENOENT if the
 * queue was closed or the disk is being deleted, or -ENOMEM.
 */
static int blk_notify_add(void *object, struct watch *watch,
			  struct watch_list **spare)
{
	struct gendisk *disk = object;
	struct blk_notify *bn, *new;
	int ret;

	watch->id = disk->diskseq;

	new = NULL;
	if (!rcu_access_pointer(disk->blk_notify)) {
		new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->disk = disk;
		INIT_WORK(&new->work, blk_notify_work);
		mutex_init(&new->post_mutex);
		raw_spin_lock_init(&new->lock);
	}

	/* Turn collecting on before the watch can see anything. */
	static_branch_deferred_inc(&blk_notify_watched);

	mutex_lock(&blk_notify_lock);
	bn = rcu_dereference_protected(disk->blk_notify,
				       lockdep_is_held(&blk_notify_lock));
	if (!bn) {
		ret = -ENOENT;
		if (!disk_live(disk))
			goto out;
		ret = -ENOMEM;
		if (!new)
			goto out;
		bn = new;
		new = NULL;
		bn->wlist = *spare;
		*spare = NULL;
		rcu_assign_pointer(disk->blk_notify, bn);
	}
	/*
	 * Errors taken down before the watch go to the watches before it,
	 * all of them and the count of those dropped: none reaches it.
	 */
	mutex_lock(&bn->post_mutex);
	blk_notify_flush(bn);
	ret = add_watch_to_object(watch, bn->wlist);
	mutex_unlock(&bn->post_mutex);
out:
	mutex_unlock(&blk_notify_lock);
	if (ret < 0)
		static_branch_slow_dec_deferred(&blk_notify_watched);
	if (new) {
		mutex_destroy(&new->post_mutex);
		kfree(new);
	}
	return ret;
}

static const struct watch_object_ops blk_notify_watch_ops = {
	.add		= blk_notify_add,
	.release_watch	= blk_notify_release_watch,
};

/**
 * blk_notify_bdev_of - The block device a descriptor's node names
 * @file: An open file, O_PATH included.
 *
 * The caller needs read access to the node, as open(O_RDONLY) would check
 * it, where open() honours device nodes (may_open_dev()); or CAP_SYS_ADMIN.
 *
 * Return: The block device, for blkdev_put_no_open(); ERR_PTR(-ENOTBLK) if
 * @file is not a block device node, ERR_PTR(-EACCES) without permission,
 * ERR_PTR(-ENXIO) if no such device exists (any more).
 */
static struct block_device *blk_notify_bdev_of(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct block_device *bdev;
	int ret;

	if (!S_ISBLK(inode->i_mode))
		return ERR_PTR(-ENOTBLK);
	if (!capable(CAP_SYS_ADMIN)) {
		/*
		 * As open() would: not on a nodev mount, nor on a filesystem
		 * that a user namespace mounted (SB_I_NODEV), where the owner
		 * of the namespace makes the nodes and their numbers up.
		 */
		if (!may_open_dev(&file->f_path))
			return ERR_PTR(-EACCES);
		ret = inode_permission(file_mnt_idmap(file), inode, MAY_READ);
		if (ret)
			return ERR_PTR(ret);
	}
	bdev = blkdev_get_no_open(inode->i_rdev);
	if (!bdev)
		return ERR_PTR(-ENXIO);
	return bdev;
}

/**
 * blk_notify_watch - Set the disk watch IOC_WATCH_QUEUE_WATCH asks for
 * @wqueue: The queue.
 * @w: The request; its common fields are checked.
 *
 * The disk is named by a descriptor of its device node, or of one of its
 * partitions' (WATCH_OBJECT_FD), which may be an O_PATH one: watching
 * opens nothing.  An LSM may refuse the watch (security_watch_block()),
 * once the node's permission was checked.
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOTBLK, -EACCES, -ENXIO, -ENOENT,
 * -EBUSY, -EEXIST, -EAGAIN, -ENOMEM, or an LSM's error.
 */
static long blk_notify_watch(struct watch_queue *wqueue,
			     const struct watch_queue_watch *w)
{
	struct block_device *bdev;
	long ret;

	if (w->object != WATCH_OBJECT_FD)
		return -EINVAL;

	CLASS(fd_raw, f)(w->fd);
	if (fd_empty(f))
		return -EBADF;
	bdev = blk_notify_bdev_of(fd_file(f));
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	ret = security_watch_block(fd_file(f), bdev);
	if (!ret)
		ret = watch_queue_set_watch(wqueue, w, bdev->bd_disk,
					    &blk_notify_watch_ops);
	blkdev_put_no_open(bdev);
	return ret;
}

static const struct watch_source blk_notify_source = {
	.type		= WATCH_TYPE_BLOCK_NOTIFY,
	.record_size	= sizeof(struct block_notification),
	.subtypes	= { GENMASK(NOTIFY_BLOCK_DROPPED, NOTIFY_BLOCK_IO_ERROR) },
	.watch		= blk_notify_watch,
};

/**
 * blk_notify_init - Register the block records and their watches
 *
 * Return: 0.
 */
static int __init blk_notify_init(void)
{
	watch_source_register(&blk_notify_source);
	return 0;
}
subsys_initcall(blk_notify_init);
