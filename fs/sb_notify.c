// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock notifications: the watches IOC_WATCH_QUEUE_WATCH sets on a
 * superblock, and the records they get.
 *
 * A watch on a superblock reports reconfigurations and read-only
 * transitions, filesystem errors and exceeded quotas.  The superblock's
 * watch list is created on the first watch and lives until the last active
 * reference to the superblock goes, when the watches get a removal notice.
 * A watch pins nothing: the mount used to name the superblock can be
 * unmounted.
 *
 * Each superblock counts the changes its records report, watched or not
 * (sb_notify_count()); every record carries the count after its change
 * and statmount() reports it, so that a monitor can tell which records a
 * snapshot already includes.
 *
 * Watching a superblock needs CAP_SYS_ADMIN over its user namespace, as a
 * filesystem mark of fanotify does: the records tell of every user's
 * quotas and of the filesystem's errors, which no unprivileged user learns
 * otherwise.
 *
 * See Documentation/userspace-api/mount_notify.rst
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kdev_t.h>
#include <linux/quota.h>
#include <linux/sb_notify.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/watch_queue.h>
#include "mount.h"
#include "mount_notify.h"
#include "watch_path.h"

/* The change counter ends the records, after their first version. */
static_assert(sizeof(struct superblock_state_notification) ==
	      SUPERBLOCK_NOTIFICATION_SIZE_VER1);
static_assert(sizeof(struct superblock_error_notification) ==
	      SUPERBLOCK_ERROR_NOTIFICATION_SIZE_VER1);
static_assert(sizeof(struct superblock_quota_notification) ==
	      SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER1);

/* Serialises creating, adding to and tearing down superblock watch lists. */
static DEFINE_SPINLOCK(sb_watch_lock);

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
 * sb_build - Fill in the common part of a superblock record
 * @n: The record.
 * @sb: The superblock.
 * @subtype: enum superblock_notification_subtype.
 * @info: NOTIFY_SUPERBLOCK_* flags.
 * @len: The length of the record.
 */
static void sb_build(struct superblock_notification *n, struct super_block *sb,
		     enum superblock_notification_subtype subtype, u32 info,
		     size_t len)
{
	n->watch.type = WATCH_TYPE_SB_NOTIFY;
	n->watch.subtype = subtype;
	n->watch.info = info | len;
	n->sb_id = sb->s_unique_id;
	n->sb_dev_major = MAJOR(sb->s_dev);
	n->sb_dev_minor = MINOR(sb->s_dev);
}

/**
 * sb_post - Post a record to the watchers of a superblock
 * @sb: The superblock
 * @n: The record
 */
static void sb_post(struct super_block *sb, struct superblock_notification *n)
{
	struct watch_list *wlist;

	rcu_read_lock();
	wlist = rcu_dereference(sb->s_watchers);
	if (wlist)
		__post_watch_notification(wlist, &n->watch, current_cred(),
					  sb->s_unique_id);
	rcu_read_unlock();
}

/**
 * __notify_sb - Post a superblock notification
 * @sb: The superblock
 * @subtype: enum superblock_notification_subtype
 * @info: NOTIFY_SUPERBLOCK_* flags
 * @change: The superblock's change counter after the change
 */
void __notify_sb(struct super_block *sb,
		 enum superblock_notification_subtype subtype, u32 info,
		 u64 change)
{
	struct superblock_state_notification n;

	memset(&n, 0, sizeof(n));
	sb_build(&n.s, sb, subtype, info, sizeof(n));
	n.sb_change = change;
	sb_post(sb, &n.s);
}

/**
 * __notify_sb_error - Post a filesystem error notification
 * @sb: The superblock
 * @error: The error, a positive or negative errno value
 * @cookie: The superblock's count of errors, this one included
 * @change: The superblock's change counter after the error
 *
 * Unlike fanotify's FS_ERROR, errors are not merged: each one is a record
 * of its own, and a consumer tells from the cookies how many it missed.
 */
void __notify_sb_error(struct super_block *sb, int error, u32 cookie,
		       u64 change)
{
	struct superblock_error_notification n;

	memset(&n, 0, sizeof(n));
	sb_build(&n.s, sb, NOTIFY_SUPERBLOCK_ERROR, 0, sizeof(n));
	n.error_number = error < 0 ? -error : error;
	n.error_cookie = cookie;
	n.sb_change = change;
	sb_post(sb, &n.s);
}

/**
 * __notify_sb_quota - Post an exceeded quota
 * @sb: The superblock
 * @qid: Whose quota
 * @warning: The QUOTA_NL_* warning
 * @change: The superblock's change counter after the warning
 *
 * What quota netlink reports, but for the ID, which is seen from the
 * superblock's user namespace: the watcher has CAP_SYS_ADMIN over it.
 */
void __notify_sb_quota(struct super_block *sb, struct kqid qid, int warning,
		       u64 change)
{
	struct superblock_quota_notification n;

	memset(&n, 0, sizeof(n));
	sb_build(&n.s, sb, NOTIFY_SUPERBLOCK_EDQUOT, 0, sizeof(n));
	n.quota_type = qid.type;
	n.warning = warning;
	n.quota_id = from_kqid_munged(sb->s_user_ns, qid);
	n.sb_change = change;
	sb_post(sb, &n.s);
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

	remove_watch_list(wlist, sb->s_unique_id);
}

/**
 * sb_watch_add - Add a watch on a superblock
 * @object: A path on the filesystem.
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the superblock has none.
 *
 * Only the list pointer is handled under sb_watch_lock; the watch is
 * linked under the list's own lock, which refuses a list already torn
 * down.
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

	watch->id = sb->s_unique_id;
	ret = security_watch_sb(watch, path);
	if (ret < 0)
		return ret;

	rcu_read_lock();
	spin_lock(&sb_watch_lock);
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

static const struct watch_object_ops sb_watch_ops = {
	.add	= sb_watch_add,
};

/**
 * sb_source_watch - Set the superblock watch IOC_WATCH_QUEUE_WATCH asks for
 * @wqueue: The queue.
 * @w: The request; its common fields are checked.
 *
 * The superblock is named by a path on it (AT_SYMLINK_NOFOLLOW,
 * AT_NO_AUTOMOUNT, AT_EMPTY_PATH), or by the unique ID of a mount of it
 * and the mnt_ns_id of that mount's namespace.  The caller needs
 * CAP_SYS_ADMIN over the superblock's user namespace.
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOENT, -EPERM, -EBUSY, -EEXIST, -EAGAIN,
 * -ENOMEM, -EACCES and the other errors of path lookup.
 */
static long sb_source_watch(struct watch_queue *wqueue,
			    const struct watch_queue_watch *w)
{
	struct path path;
	long ret;

	switch (w->object) {
	case WATCH_OBJECT_PATH:
		ret = watch_user_path(w, 0, &path);
		break;
	case WATCH_OBJECT_ID:
		if (w->at_flags)
			return -EINVAL;
		ret = mnt_watch_find(w->object_id, w->ns_id, &path);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;

	if (ns_capable(path.dentry->d_sb->s_user_ns, CAP_SYS_ADMIN))
		ret = watch_queue_set_watch(wqueue, w, &path, &sb_watch_ops);
	else
		ret = -EPERM;
	path_put(&path);
	return ret;
}

static const struct watch_source sb_watch_source = {
	.type		= WATCH_TYPE_SB_NOTIFY,
	.record_size	= sizeof(struct superblock_quota_notification),
	.subtypes	= { GENMASK(NOTIFY_SUPERBLOCK_RECONFIGURE,
				    NOTIFY_SUPERBLOCK_READONLY) },
	.watch		= sb_source_watch,
};

/**
 * sb_notify_init - Register the superblock records and their watches
 *
 * Return: 0.
 */
static int __init sb_notify_init(void)
{
	watch_source_register(&sb_watch_source);
	return 0;
}
fs_initcall(sb_notify_init);
