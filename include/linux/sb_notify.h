/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Superblock notifications: the hooks that filesystems and the VFS call.
 *
 * A superblock nobody watches costs one unlikely() pointer test (and an
 * error, one atomic increment of its count of errors).
 */
#ifndef _LINUX_SB_NOTIFY_H
#define _LINUX_SB_NOTIFY_H

#include <linux/fs.h>
#include <linux/quota.h>
#include <linux/rcupdate.h>
#include <uapi/linux/watch_queue.h>

#ifdef CONFIG_SB_NOTIFICATIONS

void __notify_sb(struct super_block *sb,
		 enum superblock_notification_subtype subtype, u32 info,
		 u64 change);
void __notify_sb_error(struct super_block *sb, int error, u32 cookie,
		       u64 change);
void __notify_sb_quota(struct super_block *sb, struct kqid qid, int warning,
		       u64 change);
void __sb_notify_destroy(struct super_block *sb);

/**
 * sb_notify_count - Count a change that a superblock record reports
 * @sb: The superblock
 *
 * Every change counts, whether anything watches the superblock or not:
 * a monitor that sets its watch later reads the counter with statmount()
 * and compares the records' with it.  The increment is fully ordered, after
 * the change it counts (a reconfiguration has made its flags visible), so
 * a reader of the counter that then reads the superblock sees every change
 * counted up to the value it read (sb_notify_change()).
 *
 * Context: Any context but hard interrupt.  Does not sleep.
 * Return: The counter after the change.
 */
static inline u64 sb_notify_count(struct super_block *sb)
{
	return atomic64_inc_return(&sb->s_notify_change);
}

/**
 * sb_notify_change - Read a superblock's change counter
 * @sb: The superblock
 *
 * Read before the superblock's state, which the caller then reads: what it
 * reads includes every change counted up to the value returned.
 *
 * Context: Any.
 * Return: The counter.
 */
static inline u64 sb_notify_change(struct super_block *sb)
{
	u64 change = atomic64_read(&sb->s_notify_change);

	smp_rmb();	/* Pairs with the increment's full barrier */
	return change;
}

/**
 * notify_sb - Post a superblock notification to the superblock's watchers
 * @sb: The superblock
 * @subtype: enum superblock_notification_subtype
 * @info: NOTIFY_SUPERBLOCK_* flags
 *
 * Context: Any context but hard interrupt.  Does not sleep.
 */
static inline void notify_sb(struct super_block *sb,
			     enum superblock_notification_subtype subtype,
			     u32 info)
{
	u64 change = sb_notify_count(sb);

	if (unlikely(rcu_access_pointer(sb->s_watchers)))
		__notify_sb(sb, subtype, info, change);
}

/**
 * notify_sb_error - Count a filesystem error and post it to the watchers
 * @sb: The superblock
 * @error: The error, a positive or negative errno value
 *
 * Every error is counted, watched or not, and is a record of its own,
 * numbered by error_cookie: the superblock's count of errors.
 *
 * Context: Any context but hard interrupt.  Does not sleep.
 */
static inline void notify_sb_error(struct super_block *sb, int error)
{
	u32 cookie = atomic_inc_return(&sb->s_notify_errors);
	u64 change = sb_notify_count(sb);

	if (unlikely(rcu_access_pointer(sb->s_watchers)))
		__notify_sb_error(sb, error, cookie, change);
}

/**
 * notify_sb_quota - Post an exceeded quota to the superblock's watchers
 * @sb: The superblock
 * @qid: Whose quota
 * @warning: The QUOTA_NL_* warning, one of those that say a limit was
 *	exceeded
 *
 * Context: Process context, as quota warnings are flushed.
 */
static inline void notify_sb_quota(struct super_block *sb, struct kqid qid,
				   int warning)
{
	u64 change = sb_notify_count(sb);

	if (unlikely(rcu_access_pointer(sb->s_watchers)))
		__notify_sb_quota(sb, qid, warning, change);
}

/**
 * sb_notify_destroy - Remove the watches of a superblock that is going away
 * @sb: The superblock, whose last active reference is gone
 */
static inline void sb_notify_destroy(struct super_block *sb)
{
	if (unlikely(rcu_access_pointer(sb->s_watchers)))
		__sb_notify_destroy(sb);
}

#else /* CONFIG_SB_NOTIFICATIONS */

static inline void notify_sb(struct super_block *sb,
			     enum superblock_notification_subtype subtype,
			     u32 info)
{
}

static inline void notify_sb_error(struct super_block *sb, int error)
{
}

static inline void notify_sb_quota(struct super_block *sb, struct kqid qid,
				   int warning)
{
}

static inline void sb_notify_destroy(struct super_block *sb)
{
}

#endif /* CONFIG_SB_NOTIFICATIONS */

#endif /* _LINUX_SB_NOTIFY_H */
