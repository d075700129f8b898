// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock notifications: sb_notify().
 *
 * A watch on a superblock reports read-only transitions, filesystem errors
 * and exceeded quotas.  The superblock's watch list is created on the first
 * watch and lives until the last active reference to the superblock goes,
 * when the watches get a removal notice.  A watch pins nothing: the mount
 * used to name the superblock can be unmounted.
 *
 * sb_id is (sequence << 32) | st_dev: the sequence number, handed out when
 * the superblock is first watched, keeps two superblocks that had the same
 * device number apart; the low half is what stat(2) reports in st_dev.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/sb_notify.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/syscalls.h>
#include <linux/watch_queue.h>
#include "watch_path.h"

/* Serialises creating, adding to and tearing down superblock watch lists. */
static DEFINE_SPINLOCK(sb_watch_lock);
static u32 sb_notify_last_seq;

/**
 * sb_notify_id - Compute the sb_id of a superblock
 * @sb: The superblock
 *
 * Return: (sequence << 32) | st_dev.
 */
static u64 sb_notify_id(const struct super_block *sb)
{
	return (u64)READ_ONCE(sb->s_notify_seq) << 32 |
	       new_encode_dev(sb->s_dev);
}

/**
 * sb_watchers - Get a superblock's watch list
 * @sb: The superblock
 *
 * Context: sb_watch_lock held.
 * Return: The watch list, or NULL if the superblock was never watched.
 */
static struct watch_list *sb_watchers(struct super_block *sb)
{
	return rcu_dereference_protected(sb->s_watchers,
					 lockdep_is_held(&sb_watch_lock));
}

/**
 * sb_post - Post a record to the watchers of a superblock
 * @sb: The superblock
 * @n: The record
 * @sb_id: The superblock's ID, which its watches carry
 */
static void sb_post(struct super_block *sb, struct watch_notification *n,
		    u64 sb_id)
{
	struct watch_list *wlist;

	rcu_read_lock();
	wlist = rcu_dereference(sb->s_watchers);
	if (wlist)
		__post_watch_notification(wlist, n, current_cred(), sb_id);
	rcu_read_unlock();
}

/**
 * __notify_sb - Post a superblock notification
 * @sb: The superblock
 * @subtype: enum superblock_notification_type
 * @info: NOTIFY_SUPERBLOCK_* flags
 */
void __notify_sb(struct super_block *sb,
		 enum superblock_notification_type subtype, u32 info)
{
	struct superblock_notification n;

	memset(&n, 0, sizeof(n));
	n.watch.type = WATCH_TYPE_SB_NOTIFY;
	n.watch.subtype = subtype;
	n.watch.info = info | watch_sizeof(n);
	n.sb_id = sb_notify_id(sb);
	sb_post(sb, &n.watch, n.sb_id);
}

/**
 * __notify_sb_error - Post a filesystem error notification
 * @sb: The superblock
 * @error: The error, a positive or negative errno value
 *
 * Unlike fanotify's FS_ERROR, errors are not merged: each one is a record
 * of its own, with error_cookie counting the errors reported while the
 * superblock had watchers, so a consumer can tell how many it missed.
 */
void __notify_sb_error(struct super_block *sb, int error)
{
	struct superblock_error_notification n;

	memset(&n, 0, sizeof(n));
	n.s.watch.type = WATCH_TYPE_SB_NOTIFY;
	n.s.watch.subtype = NOTIFY_SUPERBLOCK_ERROR;
	n.s.watch.info = watch_sizeof(n);
	n.s.sb_id = sb_notify_id(sb);
	n.error_number = error < 0 ? -error : error;
	n.error_cookie = atomic_inc_return(&sb->s_notify_errors);
	sb_post(sb, &n.s.watch, n.s.sb_id);
}

/**
 * __sb_notify_destroy - Remove the watches of a dying superblock
 * @sb: The superblock, whose last active reference is gone
 *
 * Each watch gets a removal notice carrying the sb_id.
 */
void __sb_notify_destroy(struct super_block *sb)
{
	struct watch_list *wlist;

	spin_lock(&sb_watch_lock);
	wlist = sb_watchers(sb);
	RCU_INIT_POINTER(sb->s_watchers, NULL);
	spin_unlock(&sb_watch_lock);

	remove_watch_list(wlist, sb_notify_id(sb));
}

/**
 * sb_watch_add - Add a watch on a superblock
 * @object: A path on the filesystem.
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the superblock has none.
 *
 * Only the list pointer and the sequence number are handled under
 * sb_watch_lock; the watch is linked under the list's own lock, which
 * refuses a list already torn down.
 *
 * Return: 0, -EBUSY if the queue already watches the superblock, -ENOENT
 * if the queue is closed or the superblock going, or an LSM's error.
 */
static int sb_watch_add(void *object, struct watch *watch,
			struct watch_list **spare)
{
	const struct path *path = object;
	struct super_block *sb = path->dentry->d_sb;
	struct watch_list *wlist;
	int ret;

	ret = security_watch_sb(watch, path);
	if (ret < 0)
		return ret;

	rcu_read_lock();
	spin_lock(&sb_watch_lock);
	if (!sb->s_notify_seq) {
		if (!++sb_notify_last_seq)
			sb_notify_last_seq = 1;
		WRITE_ONCE(sb->s_notify_seq, sb_notify_last_seq);
	}
	watch->id = sb_notify_id(sb);
	wlist = sb_watchers(sb);
	if (!wlist) {
		wlist = *spare;
		*spare = NULL;
		rcu_assign_pointer(sb->s_watchers, wlist);
	}
	spin_unlock(&sb_watch_lock);
	ret = add_watch_to_object(watch, wlist);
	rcu_read_unlock();
	return ret;
}

/**
 * sb_watch_remove - Remove a queue's watch on a superblock
 * @object: A path on the filesystem.
 * @wqueue: The queue whose watch goes.
 *
 * Return: 0, or -ENOENT or -EBADSLT if @wqueue does not watch the
 * superblock.
 */
static int sb_watch_remove(void *object, struct watch_queue *wqueue)
{
	const struct path *path = object;
	struct super_block *sb = path->dentry->d_sb;
	struct watch_list *wlist;
	int ret = -ENOENT;

	rcu_read_lock();
	wlist = rcu_dereference(sb->s_watchers);
	if (wlist)
		ret = remove_watch_from_object(wlist, wqueue, sb_notify_id(sb),
					       false);
	rcu_read_unlock();
	return ret;
}

static const struct watch_object_ops sb_watch_ops = {
	.add	= sb_watch_add,
	.remove	= sb_watch_remove,
};

/**
 * sys_sb_notify - Watch a superblock for events
 * @dfd: Directory file descriptor, or AT_FDCWD
 * @filename: Path to any object on the filesystem
 * @at_flags: AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH
 * @watch_fd: A /dev/watch_queue fd or a notification pipe
 * @watch_id: 0..255 to add a watch with that ID, -1 to remove this queue's
 *	watch on the superblock
 *
 * Return: 0, or -EINVAL (bad flag or ID, or @watch_fd not a queue),
 * -EBADF, -ENOENT (no such path, or no watch to remove), -EBUSY (already
 * watched by this queue), -EAGAIN (too many watches), -ENOMEM, -EACCES and
 * the other errors of path lookup.
 */
SYSCALL_DEFINE5(sb_notify, int, dfd, const char __user *, filename,
		unsigned int, at_flags, int, watch_fd, int, watch_id)
{
	return watch_path_syscall(dfd, filename, at_flags, watch_fd, watch_id,
				  &sb_watch_ops);
}
