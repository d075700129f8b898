/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mount topology notifications: the hooks fs/namespace.c calls.
 *
 * Every hook runs with mount_lock held for writing, which also keeps the
 * mnt_parent chain that notifications walk stable.  Include "mount.h"
 * first: it has no include guard.
 */
#ifndef _FS_MOUNT_NOTIFY_H
#define _FS_MOUNT_NOTIFY_H

#include <linux/atomic.h>
#include <linux/watch_queue.h>

#ifdef CONFIG_MOUNT_NOTIFICATIONS

extern atomic_t mount_notify_nr_watches;

void __notify_mount(struct mount *trigger, struct mount *aux,
		    enum mount_notification_subtype subtype, u32 info);
void __notify_mount_tree(struct mount *top);
void __notify_mount_attr(struct mount *mnt, unsigned int old_flags,
			 bool other);
void __notify_umount_list(struct list_head *list, bool expiry);
void __mount_notify_destroy(struct mount *mnt);

/**
 * mount_notify_wanted - Tell whether any mount watch exists at all
 *
 * A change must be reported to watches on all the ancestors of the mount
 * it happens on, so no single pointer on the mount can say that nobody
 * listens.  A count of all mount watches in the system can, in one test.
 *
 * Return: true if at least one mount watch exists.
 */
static inline bool mount_notify_wanted(void)
{
	return unlikely(atomic_read(&mount_notify_nr_watches) != 0);
}

/**
 * notify_mount - Post a mount notification to the watchers of a subtree
 * @trigger: Mount the change is seen on; it and its ancestors are told
 * @aux: Mount that was added, removed, moved or changed
 * @subtype: enum mount_notification_subtype
 * @info: NOTIFY_MOUNT_* flags
 *
 * Context: mount_lock held for writing.
 */
static inline void notify_mount(struct mount *trigger, struct mount *aux,
				enum mount_notification_subtype subtype,
				u32 info)
{
	if (mount_notify_wanted())
		__notify_mount(trigger, aux, subtype, info);
}

/**
 * notify_mount_tree - Post NEW_MOUNT for each mount of a freshly attached tree
 * @top: Root of the tree that was just committed
 *
 * Context: mount_lock held for writing.
 */
static inline void notify_mount_tree(struct mount *top)
{
	if (mount_notify_wanted())
		__notify_mount_tree(top);
}

/**
 * notify_mount_attr - Post READONLY or SETATTR for a mount whose flags changed
 * @mnt: The mount
 * @old_flags: Its mnt_flags before the change
 * @other: True if something besides the flags changed (propagation, idmap)
 *
 * Context: mount_lock held for writing.
 */
static inline void notify_mount_attr(struct mount *mnt, unsigned int old_flags,
				     bool other)
{
	if (mount_notify_wanted())
		__notify_mount_attr(mnt, old_flags, other);
}

/**
 * notify_umount_list - Post UNMOUNT or EXPIRY for mounts being unmounted
 * @list: The mounts, linked through mnt_list, still with their parents
 * @expiry: True if they expired rather than being unmounted
 *
 * Each mount's own watches get a removal notice and are freed.
 *
 * Context: mount_lock held for writing.
 */
static inline void notify_umount_list(struct list_head *list, bool expiry)
{
	if (mount_notify_wanted())
		__notify_umount_list(list, expiry);
}

/**
 * mount_notify_destroy - Drop the watches of a mount that is being freed
 * @mnt: The mount
 *
 * Context: Process context, last reference gone, mount_lock not held.
 */
static inline void mount_notify_destroy(struct mount *mnt)
{
	if (unlikely(rcu_access_pointer(mnt->mnt_watchers)))
		__mount_notify_destroy(mnt);
}

#else /* CONFIG_MOUNT_NOTIFICATIONS */

static inline void notify_mount(struct mount *trigger, struct mount *aux,
				enum mount_notification_subtype subtype,
				u32 info)
{
}

static inline void notify_mount_tree(struct mount *top)
{
}

static inline void notify_mount_attr(struct mount *mnt, unsigned int old_flags,
				     bool other)
{
}

static inline void notify_umount_list(struct list_head *list, bool expiry)
{
}

static inline void mount_notify_destroy(struct mount *mnt)
{
}

#endif /* CONFIG_MOUNT_NOTIFICATIONS */

#endif /* _FS_MOUNT_NOTIFY_H */
