/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block device notifications: the hooks that the block layer calls.
 *
 * While no disk is watched, the I/O error hook is one static branch, on
 * the error path only: a request that succeeds never reaches it.  The
 * read-only hook, on a slow path, tests the disk's notification state,
 * which exists from its first watch to its deletion; the deletion hook
 * takes the lock that watches are added under, watched or not (see
 * block/blk_notify.c).
 */
#ifndef _LINUX_BLK_NOTIFY_H
#define _LINUX_BLK_NOTIFY_H

#include <linux/blk_types.h>
#include <linux/blkdev.h>
#include <linux/jump_label_ratelimit.h>
#include <linux/rcupdate.h>

struct request;

#ifdef CONFIG_BLK_NOTIFICATIONS

extern struct static_key_false_deferred blk_notify_watched;

void __blk_notify_rq_error(struct request *rq, blk_status_t status,
			   unsigned int nr_bytes);
void __blk_notify_ro(struct gendisk *disk, bool read_only);
void blk_notify_del(struct gendisk *disk);

/**
 * blk_notify_rq_error - Take down a failed request for the disk's watchers
 * @rq: The request.
 * @status: Its error.
 * @nr_bytes: The bytes that completed with @status.
 *
 * Context: Any, hard interrupts included.  Does not sleep or allocate.
 */
static inline void blk_notify_rq_error(struct request *rq, blk_status_t status,
				       unsigned int nr_bytes)
{
	if (static_branch_unlikely(&blk_notify_watched.key))
		__blk_notify_rq_error(rq, status, nr_bytes);
}

/**
 * blk_notify_ro - Tell the disk's watchers that it became read-only or not
 * @disk: The disk.
 * @read_only: Its new state.
 *
 * Context: Process context.
 */
static inline void blk_notify_ro(struct gendisk *disk, bool read_only)
{
	if (unlikely(rcu_access_pointer(disk->blk_notify)))
		__blk_notify_ro(disk, read_only);
}

#else /* CONFIG_BLK_NOTIFICATIONS */

static inline void blk_notify_rq_error(struct request *rq, blk_status_t status,
				       unsigned int nr_bytes)
{
}

static inline void blk_notify_ro(struct gendisk *disk, bool read_only)
{
}

static inline void blk_notify_del(struct gendisk *disk)
{
}

#endif /* CONFIG_BLK_NOTIFICATIONS */

#endif /* _LINUX_BLK_NOTIFY_H */
