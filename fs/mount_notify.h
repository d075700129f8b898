/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mount topology notifications: the hooks fs/namespace.c calls.
 *
 * A change is only noted under mount_lock, in O(1) per mount and without
 * allocating; the records are posted once the lock is dropped (see
 * fs/mount_notify.c).  Whether a mount namespace has a watched mount is one
 * count in the namespace, so a namespace nobody watches pays one unlikely()
 * test per hook.  Include "mount.h" first: it has no include guard.
 */
#ifndef _FS_MOUNT_NOTIFY_H
#define _FS_MOUNT_NOTIFY_H

#include <linux/err.h>
#include <linux/rcupdate.h>
#include <linux/watch_queue.h>

struct path;

#ifdef CONFIG_MOUNT_NOTIFICATIONS

/**
 * struct mount_notify_queue - Changes noted under mount_lock, not yet posted
 * @changes: Mounts attached, detached or moved, in the order they were.
 * @changes_tail: Where the next one goes.
 * @moves: Mounts that an operation put under another parent on the way
 *	(mnt_change_mountpoint()); posted after @changes.
 * @moves_tail: Where the next one goes.
 *
 * Topology changes need namespace_sem held for writing, and the queue is
 * emptied before it is released, so one queue serves the whole system.
 */
struct mount_notify_queue {
	struct mount	*changes;
	struct mount	**changes_tail;
	struct mount	*moves;
	struct mount	**moves_tail;
};

extern struct mount_notify_queue mount_notify_queue;

void __notify_mount_attach(struct mount *root, u64 change);
void __notify_mount_move(struct mount *mnt, bool reparent, u64 change);
void __notify_mount_detach(struct mount *mnt, bool expiry, u64 change);
void __notify_mount_attr(struct mount *mnt, u64 change);
void __notify_mount_attr_post(struct mount *mnt, bool recurse);
void __mount_notify_post(void);
void __mount_notify_ns_add(struct mount *mnt, struct mnt_namespace *ns);
void __mount_notify_destroy(struct mount *mnt);
void __mount_notify_ns_destroy(struct mnt_namespace *ns);

/**
 * mount_notify_ns_watched - Tell whether a mount namespace has watches
 * @ns: The namespace, or NULL.
 *
 * Context: mount_lock held.
 * Return: true if a mount of @ns has a watch list.
 */
static inline bool mount_notify_ns_watched(struct mnt_namespace *ns)
{
	return unlikely(ns && ns->mnt_notify_watched);
}

/**
 * mount_notify_count - Count a change of a mount namespace
 * @ns: The namespace, NULL, or MNT_NS_INTERNAL.
 *
 * Every change that a mount record reports counts, whether anything
 * watches the namespace or not: a monitor that sets its watch later reads
 * the counter with statmount() and compares the records' with it.
 *
 * Context: mount_lock held (and namespace_sem for writing for a topology
 * change), which serialises the namespace's changes.
 * Return: The namespace's counter after the change, 0 for no namespace.
 */
static inline u64 mount_notify_count(struct mnt_namespace *ns)
{
	if (!ns || IS_ERR(ns))
		return 0;
	return ++ns->mnt_notify_change;
}

/**
 * mount_notify_ns_change - Read a mount namespace's change counter
 * @ns: The namespace.
 *
 * Read under mount_lock, which every change holds while it counts, so
 * that what the caller reads of the mounts afterwards includes every
 * change counted up to the value returned.
 *
 * Context: Any process context; takes mount_lock.
 * Return: The counter.
 */
static inline u64 mount_notify_ns_change(struct mnt_namespace *ns)
{
	u64 change;

	read_seqlock_excl(&mount_lock);
	change = ns->mnt_notify_change;
	read_sequnlock_excl(&mount_lock);
	return change;
}

/**
 * mount_notify_wanted - Tell whether changes to a mount are watched
 * @mnt: The mount, pinned by the caller.
 *
 * For the attribute changes, which decide before taking their locks
 * whether they will have anything to post.
 *
 * Context: Any, no lock needed.
 * Return: true if @mnt's namespace has watches.
 */
static inline bool mount_notify_wanted(struct mount *mnt)
{
	struct mnt_namespace *ns;
	bool ret;

	rcu_read_lock();
	ns = READ_ONCE(mnt->mnt_ns);
	ret = ns && !IS_ERR(ns) && READ_ONCE(ns->mnt_notify_watched);
	rcu_read_unlock();
	return unlikely(ret);
}

/**
 * notify_mount_attach - Note that a tree of mounts is being attached
 * @root: The root of the new tree, before it is hooked to its parent.
 * @dest: The namespace it goes into.
 *
 * Each mount of the tree gets an ATTACH record, on its parent.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
static inline void notify_mount_attach(struct mount *root,
				       struct mnt_namespace *dest)
{
	u64 change = mount_notify_count(dest);

	if (mount_notify_ns_watched(dest) || mount_notify_ns_watched(root->mnt_ns))
		__notify_mount_attach(root, change);
}

/**
 * notify_mount_move - Note that a mount is about to be moved
 * @mnt: The mount, still under its old parent.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
static inline void notify_mount_move(struct mount *mnt)
{
	u64 change;

	if (!mnt_has_parent(mnt))
		return;
	change = mount_notify_count(mnt->mnt_ns);
	if (mount_notify_ns_watched(mnt->mnt_ns))
		__notify_mount_move(mnt, false, change);
}

/**
 * notify_mount_reparent - Note that a mount is about to get another parent
 * @mnt: The mount, still under its old parent.
 *
 * A move that an attach or an unmount makes on the way: posted after the
 * operation's own records.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
static inline void notify_mount_reparent(struct mount *mnt)
{
	u64 change;

	if (!mnt_has_parent(mnt))
		return;
	change = mount_notify_count(mnt->mnt_ns);
	if (mount_notify_ns_watched(mnt->mnt_ns))
		__notify_mount_move(mnt, true, change);
}

/**
 * notify_mount_detach - Note that a mount is being unmounted
 * @mnt: The mount, still with its parent and namespace.
 * @expiry: True if it expired rather than being unmounted.
 *
 * The watches above it get DETACH or EXPIRY; the mount's own watches get
 * a removal notice after every record of the operation.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
static inline void notify_mount_detach(struct mount *mnt, bool expiry)
{
	u64 change = 0;

	/* What __notify_mount_detach() reports: a mount in a namespace. */
	if (mnt_has_parent(mnt))
		change = mount_notify_count(mnt->mnt_ns);
	if (mount_notify_ns_watched(mnt->mnt_ns) ||
	    unlikely(rcu_access_pointer(mnt->mnt_watchers)))
		__notify_mount_detach(mnt, expiry, change);
}

/**
 * notify_mount_attr - Note a change of a mount's flags or propagation
 * @mnt: The mount.
 * @old_flags: Its mnt_flags before the change.
 * @other: True if something besides the flags changed (slave, idmap).
 * @notify: What mount_notify_wanted() said before the operation took its
 *	locks: the notify_mount_attr_post() that must follow is sure to.
 *
 * A change of any flag a user can set, of the propagation or of the idmap
 * counts, always; it is noted for an ATTR record only if @notify.
 *
 * Context: mount_lock held.
 */
static inline void notify_mount_attr(struct mount *mnt, unsigned int old_flags,
				     bool other, bool notify)
{
	unsigned int changed = (old_flags ^ mnt->mnt.mnt_flags) &
			       (MNT_USER_SETTABLE_MASK | MNT_SHARED |
				MNT_UNBINDABLE);
	u64 change;

	if (!changed && !other)
		return;
	change = mount_notify_count(mnt->mnt_ns);
	if (notify)
		__notify_mount_attr(mnt, change);
}

/**
 * notify_mount_attr_post - Post the attribute changes noted on mounts
 * @mnt: The mount changed.
 * @recurse: And those below it.
 *
 * Context: namespace_sem held, mount_lock not held.  Sleeps.
 */
static inline void notify_mount_attr_post(struct mount *mnt, bool recurse)
{
	__notify_mount_attr_post(mnt, recurse);
}

/**
 * mount_notify_pending - Tell whether topology changes wait to be posted
 *
 * Context: namespace_sem held for writing.
 * Return: true if mount_notify_post() has something to do.
 */
static inline bool mount_notify_pending(void)
{
	return unlikely(mount_notify_queue.changes || mount_notify_queue.moves);
}

/**
 * mount_notify_post - Post the topology changes noted so far
 *
 * Context: namespace_sem held for reading, by the task that made the
 * changes: the topology stays as they left it.  Sleeps.
 */
static inline void mount_notify_post(void)
{
	__mount_notify_post();
}

/**
 * notify_mount_ns_add - Account for a watched mount changing namespace
 * @mnt: The mount, about to be added to @ns.
 * @ns: Its new namespace.
 *
 * A detached tree may carry watches from its anonymous namespace into
 * the one it is attached to.
 *
 * Context: mount_lock held.
 */
static inline void notify_mount_ns_add(struct mount *mnt,
				       struct mnt_namespace *ns)
{
	if (unlikely(rcu_access_pointer(mnt->mnt_watchers)))
		__mount_notify_ns_add(mnt, ns);
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

/**
 * mount_notify_ns_destroy - Drop the watches of a namespace being freed
 * @ns: The mount namespace, emptied.
 *
 * Context: Process context, mount_lock not held.
 */
static inline void mount_notify_ns_destroy(struct mnt_namespace *ns)
{
	if (unlikely(rcu_access_pointer(ns->mnt_ns_watchers)))
		__mount_notify_ns_destroy(ns);
}

#else /* CONFIG_MOUNT_NOTIFICATIONS */

static inline bool mount_notify_wanted(struct mount *mnt)
{
	return false;
}

static inline void notify_mount_attach(struct mount *root,
				       struct mnt_namespace *dest)
{
}

static inline void notify_mount_move(struct mount *mnt)
{
}

static inline void notify_mount_reparent(struct mount *mnt)
{
}

static inline void notify_mount_detach(struct mount *mnt, bool expiry)
{
}

static inline void notify_mount_attr(struct mount *mnt, unsigned int old_flags,
				     bool other, bool notify)
{
}

static inline void notify_mount_attr_post(struct mount *mnt, bool recurse)
{
}

static inline bool mount_notify_pending(void)
{
	return false;
}

static inline void mount_notify_post(void)
{
}

static inline void notify_mount_ns_add(struct mount *mnt,
				       struct mnt_namespace *ns)
{
}

static inline void mount_notify_destroy(struct mount *mnt)
{
}

static inline void mount_notify_ns_destroy(struct mnt_namespace *ns)
{
}

#endif /* CONFIG_MOUNT_NOTIFICATIONS */

/* Mounts and superblocks watched as statmount() shows them (fs/namespace.c) */
int mnt_watch_may(const struct path *path);
int mnt_watch_find(u64 mnt_id, u64 mnt_ns_id, struct path *path);

/* What statmount() reports in mnt_attr and mnt_propagation (fs/namespace.c) */
u64 mnt_attr_flags(struct mount *m);
u64 mnt_propagation_flags(struct mount *m);

#endif /* _FS_MOUNT_NOTIFY_H */
