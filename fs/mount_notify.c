// SPDX-License-Identifier: GPL-2.0
/*
 * Mount topology change notifications: mount_notify().
 *
 * A watch on a mount covers that mount and every mount below it in its
 * tree.  A change is posted to the watches on the mount it is seen on
 * (the "trigger": the parent of a mount being attached, detached or moved,
 * or the mount whose attributes changed) and on each of its ancestors, with
 * NOTIFY_MOUNT_IN_SUBTREE set for the ancestors.
 *
 * Watches pin nothing.  Each mount's watch list is created on the first
 * watch, protected by mount_lock and freed by RCU; when the mount is
 * unmounted, or freed while detached, its watches get a removal notice and
 * go away.  Posting happens under mount_lock, where the parent chain is
 * stable, and never sleeps.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/watch_queue.h>
#include "mount.h"
#include "mount_notify.h"
#include "watch_path.h"

atomic_t mount_notify_nr_watches = ATOMIC_INIT(0);

/**
 * mount_watchers - Get a mount's watch list
 * @mnt: The mount
 *
 * Context: mount_lock held.
 * Return: The watch list, or NULL if the mount was never watched.
 */
static struct watch_list *mount_watchers(struct mount *mnt)
{
	return rcu_dereference_protected(mnt->mnt_watchers,
					 lockdep_is_held(&mount_lock.lock));
}

/**
 * __notify_mount - Post a mount notification to the watchers of a subtree
 * @trigger: Mount the change is seen on; it and its ancestors are told
 * @aux: Mount that was added, removed, moved or changed
 * @subtype: enum mount_notification_subtype
 * @info: NOTIFY_MOUNT_* flags
 *
 * Context: mount_lock held for writing.  Does not sleep.
 */
void __notify_mount(struct mount *trigger, struct mount *aux,
		    enum mount_notification_subtype subtype, u32 info)
{
	const struct cred *cred = current_cred();
	struct mount_notification n;
	struct watch_list *wlist;
	struct mount *m = trigger;

	memset(&n, 0, sizeof(n));
	n.watch.type = WATCH_TYPE_MOUNT_NOTIFY;
	n.watch.subtype = subtype;
	n.triggered_on = trigger->mnt_id_unique;
	n.auxiliary_mount = aux->mnt_id_unique;

	for (;;) {
		wlist = mount_watchers(m);
		if (wlist) {
			n.watch.info = info | watch_sizeof(n);
			if (m != trigger)
				n.watch.info |= NOTIFY_MOUNT_IN_SUBTREE;
			__post_watch_notification(wlist, &n.watch, cred,
						  m->mnt_id_unique);
		}
		if (!mnt_has_parent(m))
			break;
		m = m->mnt_parent;
	}
}

/**
 * __notify_mount_tree - Post NEW_MOUNT for each mount of an attached tree
 * @top: Root of the tree that was just committed to its parent
 *
 * Context: mount_lock held for writing.
 */
void __notify_mount_tree(struct mount *top)
{
	struct mount *p;
	u32 info;

	for (p = top; p; p = next_mnt(p, top)) {
		if (!mnt_has_parent(p))
			continue;
		info = 0;
		if (p->mnt.mnt_sb->s_flags & SB_SUBMOUNT)
			info |= NOTIFY_MOUNT_IS_SUBMOUNT;
		__notify_mount(p->mnt_parent, p, NOTIFY_MOUNT_NEW_MOUNT, info);
	}
}

/**
 * __notify_mount_attr - Post READONLY and/or SETATTR for a changed mount
 * @mnt: The mount
 * @old_flags: Its mnt_flags before the change
 * @other: True if something besides the flags changed
 *
 * A change of the read-only flag gives READONLY, with IS_NOW_RO if the
 * mount became read-only; a change of any other flag a user can set, or
 * of propagation or idmapping, gives SETATTR.
 *
 * Context: mount_lock held for writing.
 */
void __notify_mount_attr(struct mount *mnt, unsigned int old_flags, bool other)
{
	unsigned int new_flags = mnt->mnt.mnt_flags;
	unsigned int changed = (old_flags ^ new_flags) &
			       (MNT_USER_SETTABLE_MASK | MNT_SHARED |
				MNT_UNBINDABLE);

	if (changed & MNT_READONLY)
		__notify_mount(mnt, mnt, NOTIFY_MOUNT_READONLY,
			       new_flags & MNT_READONLY ?
			       NOTIFY_MOUNT_IS_NOW_RO : 0);
	if ((changed & ~MNT_READONLY) || other)
		__notify_mount(mnt, mnt, NOTIFY_MOUNT_SETATTR, 0);
}

/**
 * mount_watch_list_kill - Remove all the watches on a mount
 * @mnt: The mount
 *
 * Each watch gets a removal notice carrying the mount's unique ID; the
 * list itself is freed after an RCU grace period.
 *
 * Context: mount_lock held for writing.
 */
static void mount_watch_list_kill(struct mount *mnt)
{
	struct watch_list *wlist = mount_watchers(mnt);

	if (wlist) {
		RCU_INIT_POINTER(mnt->mnt_watchers, NULL);
		remove_watch_list(wlist, mnt->mnt_id_unique);
	}
}

/**
 * __notify_umount_list - Post UNMOUNT or EXPIRY for mounts being unmounted
 * @list: The mounts, linked through mnt_list, still with their parents
 * @expiry: True if they expired rather than being unmounted
 *
 * Every notification is posted before any watch is removed, so a watch on
 * a mount of the tree sees its descendants go before its own removal
 * notice.  Mounts that never were in a namespace (propagation copies that
 * are being rolled back) were never announced and are not reported.
 *
 * Context: mount_lock held for writing.
 */
void __notify_umount_list(struct list_head *list, bool expiry)
{
	struct mount *p;

	list_for_each_entry(p, list, mnt_list) {
		if (p->mnt_ns && mnt_has_parent(p))
			__notify_mount(p->mnt_parent, p,
				       expiry ? NOTIFY_MOUNT_EXPIRY :
						NOTIFY_MOUNT_UNMOUNT, 0);
	}
	list_for_each_entry(p, list, mnt_list)
		mount_watch_list_kill(p);
}

/**
 * __mount_notify_destroy - Drop the watch list of a mount being freed
 * @mnt: The mount, no longer referenced
 *
 * Watches set on a mount after it was detached end here.
 */
void __mount_notify_destroy(struct mount *mnt)
{
	write_seqlock(&mount_lock);
	mount_watch_list_kill(mnt);
	write_sequnlock(&mount_lock);
}

/**
 * mount_watch_release - Account for a mount watch going away
 * @watch: The watch, unlinked from its mount
 */
static void mount_watch_release(struct watch *watch)
{
	atomic_dec(&mount_notify_nr_watches);
}

/**
 * mount_watch_add - Add a watch on a mount and its subtree
 * @path: A path on the mount
 * @wqueue: The queue to post to
 * @watch_id: The ID to put in WATCH_INFO_ID
 *
 * Return: 0, -ENOMEM, -EBUSY if @wqueue already watches the mount, -ENOENT
 * if the mount is already unmounted, or an LSM's or the queue's error.
 */
static int mount_watch_add(const struct path *path, struct watch_queue *wqueue,
			   int watch_id)
{
	struct mount *mnt = real_mount(path->mnt);
	struct watch_list *wlist;
	struct watch *watch;
	int ret = -ENOMEM;

	wlist = kzalloc(sizeof(*wlist), GFP_KERNEL);
	if (!wlist)
		return -ENOMEM;
	init_watch_list(wlist, mount_watch_release);

	watch = kzalloc(sizeof(*watch), GFP_KERNEL);
	if (!watch)
		goto out;
	init_watch(watch, wqueue);
	watch->id = mnt->mnt_id_unique;
	watch->info_id = (u32)watch_id << WATCH_INFO_ID__SHIFT;

	ret = security_watch_mount(watch, path);
	if (ret < 0)
		goto out;

	write_seqlock(&mount_lock);
	if (mnt->mnt.mnt_flags & MNT_UMOUNT) {
		/* Already unmounted: nothing will ever happen below it. */
		ret = -ENOENT;
	} else {
		if (!mount_watchers(mnt)) {
			rcu_assign_pointer(mnt->mnt_watchers, wlist);
			wlist = NULL;
		}
		ret = add_watch_to_object(watch, mount_watchers(mnt));
		if (ret == 0) {
			atomic_inc(&mount_notify_nr_watches);
			watch = NULL;
		}
	}
	write_sequnlock(&mount_lock);
out:
	kfree(watch);
	kfree(wlist);
	return ret;
}

/**
 * mount_watch_remove - Remove a queue's watch on a mount
 * @path: A path on the mount
 * @wqueue: The queue whose watch goes
 *
 * Return: 0, or -ENOENT or -EBADSLT if @wqueue does not watch the mount.
 */
static int mount_watch_remove(const struct path *path,
			      struct watch_queue *wqueue)
{
	struct mount *mnt = real_mount(path->mnt);
	struct watch_list *wlist;
	int ret = -ENOENT;

	write_seqlock(&mount_lock);
	wlist = mount_watchers(mnt);
	if (wlist)
		ret = remove_watch_from_object(wlist, wqueue,
					       mnt->mnt_id_unique, false);
	write_sequnlock(&mount_lock);
	return ret;
}

static const struct watch_path_ops mount_watch_ops = {
	.add	= mount_watch_add,
	.remove	= mount_watch_remove,
};

/**
 * sys_mount_notify - Watch a mount and the mounts below it for changes
 * @dfd: Directory file descriptor, or AT_FDCWD
 * @filename: Path naming the mount (any path on it)
 * @at_flags: AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH
 * @watch_fd: A /dev/watch_queue fd or a notification pipe
 * @watch_id: 0..255 to add a watch with that ID, -1 to remove this queue's
 *	watch on the mount
 *
 * Return: 0, or -EINVAL (bad flag or ID, or @watch_fd not a queue),
 * -EBADF, -ENOENT (no such path, or no watch to remove), -EBUSY (already
 * watched by this queue), -EACCES and the other errors of path lookup.
 */
SYSCALL_DEFINE5(mount_notify, int, dfd, const char __user *, filename,
		unsigned int, at_flags, int, watch_fd, int, watch_id)
{
	return watch_path_syscall(dfd, filename, at_flags, watch_fd, watch_id,
				  &mount_watch_ops);
}
