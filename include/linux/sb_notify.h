/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Superblock notifications: the hooks that filesystems and the VFS call.
 *
 * A superblock nobody watches costs one unlikely() pointer test.
 */
#ifndef _LINUX_SB_NOTIFY_H
#define _LINUX_SB_NOTIFY_H

#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <uapi/linux/watch_queue.h>

#ifdef CONFIG_SB_NOTIFICATIONS

void __notify_sb(struct super_block *sb,
		 enum superblock_notification_type subtype, u32 info);
void __notify_sb_error(struct super_block *sb, int error);
void __sb_notify_destroy(struct super_block *sb);

/**
 * notify_sb - Post a superblock notification to the superblock's watchers
 * @sb: The superblock
 * @subtype: enum superblock_notification_type
 * @info: NOTIFY_SUPERBLOCK_* flags
 *
 * Context: Any context but hard interrupt.  Does not sleep.
 */
static inline void notify_sb(struct super_block *sb,
			     enum superblock_notification_type subtype,
			     u32 info)
{
	if (unlikely(rcu_access_pointer(sb->s_watchers)))
		__notify_sb(sb, subtype, info);
}

/**
 * notify_sb_error - Post a filesystem error to the superblock's watchers
 * @sb: The superblock
 * @error: The error, a positive or negative errno value
 *
 * Every error is a record of its own, numbered by error_cookie.
 *
 * Context: Any context but hard interrupt.  Does not sleep.
 */
static inline void notify_sb_error(struct super_block *sb, int error)
{
	if (unlikely(rcu_access_pointer(sb->s_watchers)))
		__notify_sb_error(sb, error);
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
			     enum superblock_notification_type subtype,
			     u32 info)
{
}

static inline void notify_sb_error(struct super_block *sb, int error)
{
}

static inline void sb_notify_destroy(struct super_block *sb)
{
}

#endif /* CONFIG_SB_NOTIFICATIONS */

#endif /* _LINUX_SB_NOTIFY_H */
