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
 * Nothing is posted under mount_lock, which every path walk that crosses a
 * mount waits for while it is held for writing.  Under it the hooks only
 * note, in O(1) per mount and with no allocation, what happened to each
 * mount: topology changes in one queue, emptied by namespace_unlock()
 * while namespace_sem, downgraded to reading, keeps the topology as the
 * operation left it (as fanotify's mount events are sent since 6.15);
 * attribute changes in the mount itself, posted by the operation once it
 * dropped mount_lock.  Posting finds the watched ancestors of all the
 * operation's mounts in O(mounts + depth) by remembering, for each mount
 * it passes, the nearest watched mount above it.
 *
 * Watches pin nothing.  Each mount's watch list is created on the first
 * watch and freed by RCU; when the mount is unmounted, or freed while
 * detached, its watches get a removal notice, after the records of the
 * unmount, and go away.  A namespace counts its mounts that have a watch
 * list: a namespace that never had one pays one test per hook.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/watch_queue.h>
#include "mount.h"
#include "mount_notify.h"
#include "watch_path.h"

/* struct mount::mnt_notify_events */
#define MN_ATTACH	BIT(0)	/* Attached, with its parent */
#define MN_DETACH	BIT(1)	/* Detached from mnt_notify_from */
#define MN_EXPIRE	BIT(2)	/* ... because it expired */
#define MN_MOVE		BIT(3)	/* Moved from mnt_notify_from */
#define MN_KILL		BIT(4)	/* Its watches go once all is posted */

/* struct mount::mnt_notify_attr */
#define MN_ATTR_RO	BIT(0)	/* Read-only flag changed */
#define MN_ATTR_NOW_RO	BIT(1)	/* ... and it is now read-only */
#define MN_ATTR_OTHER	BIT(2)	/* Another flag, the propagation or idmap */

struct mount_notify_queue mount_notify_queue = {
	.changes_tail	= &mount_notify_queue.changes,
	.moves_tail	= &mount_notify_queue.moves,
};

/*
 * Serialises posting rounds, whose number marks which mounts' nearest
 * watched ancestor is known: mnt_notify_near is valid while mnt_notify_gen
 * equals mount_notify_gen.
 */
static DEFINE_MUTEX(mount_notify_post_lock);
static u64 mount_notify_gen;

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
 * mn_queue - Note a topology change of a mount
 * @mnt: The mount.
 * @events: MN_* bits.
 * @reparent: Queue it with the moves that come after the changes.
 *
 * A mount is queued once; later changes of the same operation add bits.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
static void mn_queue(struct mount *mnt, unsigned int events, bool reparent)
{
	struct mount_notify_queue *q = &mount_notify_queue;

	if (!mnt->mnt_notify_events) {
		mnt->mnt_notify_next = NULL;
		if (reparent) {
			*q->moves_tail = mnt;
			q->moves_tail = &mnt->mnt_notify_next;
		} else {
			*q->changes_tail = mnt;
			q->changes_tail = &mnt->mnt_notify_next;
		}
	}
	mnt->mnt_notify_events |= events;
}

/**
 * __notify_mount_attach - Note that a tree of mounts is being attached
 * @root: The root of the tree, not yet hooked to its parent.
 *
 * Walking the tree before it is attached leaves out the mounts that the
 * attach then puts below it (mounting beneath, or tucking under a
 * propagated copy): those are moves, noted by notify_mount_reparent().
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
void __notify_mount_attach(struct mount *root)
{
	struct mount *p;

	for (p = root; p; p = next_mnt(p, root))
		mn_queue(p, MN_ATTACH, false);
}

/**
 * __notify_mount_move - Note that a mount is about to change parent
 * @mnt: The mount, still under its old parent.
 * @reparent: Post it after the operation's other changes.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
void __notify_mount_move(struct mount *mnt, bool reparent)
{
	if (!mnt_has_parent(mnt))
		return;
	/* Moved twice in one operation: from where it was at first. */
	if (!(mnt->mnt_notify_events & MN_MOVE))
		mnt->mnt_notify_from = mnt->mnt_parent;
	mn_queue(mnt, MN_MOVE, reparent);
}

/**
 * __notify_mount_detach - Note that a mount is being unmounted
 * @mnt: The mount, still with its parent and namespace.
 * @expiry: It expired rather than being unmounted.
 *
 * A mount that was never in a namespace (a propagated copy rolled back)
 * was never announced and is not reported.  A mount with watches leaves
 * its namespace's count now and loses them once everything is posted.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
void __notify_mount_detach(struct mount *mnt, bool expiry)
{
	unsigned int events = 0;

	if (mnt->mnt_ns && mnt_has_parent(mnt) &&
	    mount_notify_ns_watched(mnt->mnt_ns)) {
		events = MN_DETACH | (expiry ? MN_EXPIRE : 0);
		/* A move of the same operation ends in this detach. */
		mnt->mnt_notify_events &= ~MN_MOVE;
		mnt->mnt_notify_from = mnt->mnt_parent;
	}
	if (mount_watchers(mnt)) {
		events |= MN_KILL;
		mnt->mnt_notify_ns = mnt->mnt_ns;
	}
	if (events)
		mn_queue(mnt, events, false);
}

/**
 * __notify_mount_attr - Note a change of a mount's flags or propagation
 * @mnt: The mount.
 * @old_flags: Its mnt_flags before the change.
 * @other: True if something besides the flags changed (slave, idmap).
 *
 * A change of the read-only flag gives READONLY, with IS_NOW_RO if the
 * mount is read-only in the end; a change of any other flag a user can
 * set, of the propagation or of the idmap, SETATTR.  Changes that meet
 * before they are posted make one record of each kind.
 *
 * Context: mount_lock held.
 */
void __notify_mount_attr(struct mount *mnt, unsigned int old_flags, bool other)
{
	unsigned int new_flags = mnt->mnt.mnt_flags;
	unsigned int changed = (old_flags ^ new_flags) &
			       (MNT_USER_SETTABLE_MASK | MNT_SHARED |
				MNT_UNBINDABLE);
	unsigned int bits = 0;
	int old, new;

	if (changed & MNT_READONLY)
		bits = MN_ATTR_RO | (new_flags & MNT_READONLY ?
				     MN_ATTR_NOW_RO : 0);
	if ((changed & ~MNT_READONLY) || other)
		bits |= MN_ATTR_OTHER;
	if (!bits)
		return;

	/* Posting takes the bits without mount_lock. */
	old = atomic_read(&mnt->mnt_notify_attr);
	do {
		new = old | bits;
		if (bits & MN_ATTR_RO)
			new = (new & ~MN_ATTR_NOW_RO) | (bits & MN_ATTR_NOW_RO);
	} while (!atomic_try_cmpxchg(&mnt->mnt_notify_attr, &old, new));
}

/**
 * mn_parent - The parent of a mount as the changes being posted saw it
 * @mnt: The mount.
 *
 * A mount detached by the operation being posted had the parent it was
 * detached from; every other one has the parent it has now.
 *
 * Context: Posting, namespace_sem held.
 * Return: The parent, or NULL for the root of a tree.
 */
static struct mount *mn_parent(struct mount *mnt)
{
	if (mnt->mnt_notify_events & MN_DETACH)
		return mnt->mnt_notify_from;
	return mnt_has_parent(mnt) ? mnt->mnt_parent : NULL;
}

/**
 * mn_nearest - The nearest watched mount at or above a mount
 * @mnt: The mount, or NULL.
 * @gen: The posting round.
 *
 * Remembers the answer in each mount it passes, so that a round walks
 * each mount's ancestry once however many of its mounts share it.
 *
 * Context: Posting, namespace_sem and mount_notify_post_lock held.
 * Return: The mount, or NULL if nothing above @mnt is watched.
 */
static struct mount *mn_nearest(struct mount *mnt, u64 gen)
{
	struct mount *p, *found = NULL;

	for (p = mnt; p; p = mn_parent(p)) {
		if (p->mnt_notify_gen == gen) {
			found = p->mnt_notify_near;
			break;
		}
		if (rcu_access_pointer(p->mnt_watchers)) {
			found = p;
			break;
		}
	}
	for (; mnt && mnt->mnt_notify_gen != gen; mnt = mn_parent(mnt)) {
		mnt->mnt_notify_near = found;
		mnt->mnt_notify_gen = gen;
		if (mnt == found)
			break;
	}
	return found;
}

/**
 * mn_post - Post a record to the watches on a mount and its ancestors
 * @trigger: The mount the change is seen on.
 * @aux: The mount the change is about.
 * @subtype: enum mount_notification_subtype.
 * @info: NOTIFY_MOUNT_* flags.
 * @gen: The posting round.
 *
 * Context: Posting, namespace_sem and mount_notify_post_lock held.
 */
static void mn_post(struct mount *trigger, struct mount *aux,
		    enum mount_notification_subtype subtype, u32 info, u64 gen)
{
	const struct cred *cred = current_cred();
	struct mount_notification n;
	struct watch_list *wlist;
	struct mount *w;

	memset(&n, 0, sizeof(n));
	n.watch.type = WATCH_TYPE_MOUNT_NOTIFY;
	n.watch.subtype = subtype;
	n.triggered_on = trigger->mnt_id_unique;
	n.auxiliary_mount = aux->mnt_id_unique;

	for (w = mn_nearest(trigger, gen); w;
	     w = mn_nearest(mn_parent(w), gen)) {
		n.watch.info = info | watch_sizeof(n);
		if (w != trigger)
			n.watch.info |= NOTIFY_MOUNT_IN_SUBTREE;
		rcu_read_lock();
		wlist = rcu_dereference(w->mnt_watchers);
		if (wlist)
			__post_watch_notification(wlist, &n.watch, cred,
						  w->mnt_id_unique);
		rcu_read_unlock();
	}
}

/**
 * mn_post_list - Post the records of the mounts in a queue
 * @m: The first mount of the queue.
 * @gen: The posting round.
 *
 * Context: Posting, namespace_sem and mount_notify_post_lock held.
 */
static void mn_post_list(struct mount *m, u64 gen)
{
	unsigned int ev;
	u32 info;

	for (; m; m = m->mnt_notify_next) {
		ev = m->mnt_notify_events;
		if (ev & MN_MOVE) {
			mn_post(m->mnt_notify_from, m, NOTIFY_MOUNT_MOVE_FROM,
				0, gen);
			if (mnt_has_parent(m))
				mn_post(m->mnt_parent, m, NOTIFY_MOUNT_MOVE_TO,
					0, gen);
		}
		if ((ev & MN_ATTACH) && mnt_has_parent(m)) {
			info = 0;
			if (m->mnt.mnt_sb->s_flags & SB_SUBMOUNT)
				info |= NOTIFY_MOUNT_IS_SUBMOUNT;
			mn_post(m->mnt_parent, m, NOTIFY_MOUNT_NEW_MOUNT, info,
				gen);
		}
		if (ev & MN_DETACH)
			mn_post(m->mnt_notify_from, m, ev & MN_EXPIRE ?
				NOTIFY_MOUNT_EXPIRY : NOTIFY_MOUNT_UNMOUNT,
				0, gen);
		cond_resched();
	}
}

/**
 * mn_kill_watches - Remove all the watches on an unmounted mount
 * @mnt: The mount
 *
 * Each watch gets a removal notice carrying the mount's unique ID; the
 * list itself is freed after an RCU grace period.  Only the pointer is
 * taken under mount_lock.
 */
static void mn_kill_watches(struct mount *mnt)
{
	struct watch_list *wlist;

	read_seqlock_excl(&mount_lock);
	wlist = mount_watchers(mnt);
	RCU_INIT_POINTER(mnt->mnt_watchers, NULL);
	if (mnt->mnt_notify_ns && wlist)
		mnt->mnt_notify_ns->mnt_notify_watched--;
	mnt->mnt_notify_ns = NULL;
	read_sequnlock_excl(&mount_lock);

	remove_watch_list(wlist, mnt->mnt_id_unique);
}

/**
 * mn_finish_list - Forget the changes of a queue once they are posted
 * @m: The first mount of the queue.
 *
 * The watches of unmounted mounts go now, after every record about them
 * and their subtrees.
 *
 * Context: Posting, namespace_sem and mount_notify_post_lock held.
 */
static void mn_finish_list(struct mount *m)
{
	struct mount *next;

	for (; m; m = next) {
		next = m->mnt_notify_next;
		if (m->mnt_notify_events & MN_KILL)
			mn_kill_watches(m);
		m->mnt_notify_next = NULL;
		m->mnt_notify_from = NULL;
		m->mnt_notify_events = 0;
	}
}

/**
 * __mount_notify_post - Post the topology changes noted so far
 *
 * Called by namespace_unlock().  Every mount in the queue is pinned until
 * it returns: detached ones by the list of mounts to put, the others by
 * being mounted.
 *
 * Context: namespace_sem held for reading by the task that made the
 * changes, so that no other topology change can come in.  Sleeps.
 */
void __mount_notify_post(void)
{
	struct mount_notify_queue *q = &mount_notify_queue;
	struct mount *changes, *moves;
	u64 gen;

	read_seqlock_excl(&mount_lock);
	changes = q->changes;
	moves = q->moves;
	q->changes = NULL;
	q->changes_tail = &q->changes;
	q->moves = NULL;
	q->moves_tail = &q->moves;
	read_sequnlock_excl(&mount_lock);

	mutex_lock(&mount_notify_post_lock);
	gen = ++mount_notify_gen;
	mn_post_list(changes, gen);
	mn_post_list(moves, gen);
	mn_finish_list(changes);
	mn_finish_list(moves);
	mutex_unlock(&mount_notify_post_lock);
}

/**
 * __notify_mount_attr_post - Post the attribute changes noted on mounts
 * @mnt: The mount the operation changed.
 * @recurse: And every mount below it.
 *
 * Context: namespace_sem held, mount_lock not held.  Sleeps.
 */
void __notify_mount_attr_post(struct mount *mnt, bool recurse)
{
	struct mount *m;
	unsigned int bits;
	u64 gen;

	mutex_lock(&mount_notify_post_lock);
	gen = ++mount_notify_gen;
	for (m = mnt; m; m = recurse ? next_mnt(m, mnt) : NULL) {
		bits = atomic_xchg(&m->mnt_notify_attr, 0);
		if (bits & MN_ATTR_RO)
			mn_post(m, m, NOTIFY_MOUNT_READONLY,
				bits & MN_ATTR_NOW_RO ?
				NOTIFY_MOUNT_IS_NOW_RO : 0, gen);
		if (bits & MN_ATTR_OTHER)
			mn_post(m, m, NOTIFY_MOUNT_SETATTR, 0, gen);
		cond_resched();
	}
	mutex_unlock(&mount_notify_post_lock);
}

/**
 * __mount_notify_ns_add - Move a watched mount's count to its new namespace
 * @mnt: The mount, which has a watch list.
 * @ns: The namespace it is being added to.
 *
 * Context: mount_lock held.
 */
void __mount_notify_ns_add(struct mount *mnt, struct mnt_namespace *ns)
{
	struct mnt_namespace *old = mnt->mnt_ns;

	if (old == ns)
		return;
	if (old && !IS_ERR(old))
		old->mnt_notify_watched--;
	ns->mnt_notify_watched++;
}

/**
 * __mount_notify_destroy - Drop the watch list of a mount being freed
 * @mnt: The mount, no longer referenced
 *
 * Watches on a mount that was never unmounted from a namespace end here.
 */
void __mount_notify_destroy(struct mount *mnt)
{
	mn_kill_watches(mnt);
}

/**
 * mount_watch_add - Add a watch on a mount and its subtree
 * @object: A path on the mount.
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the mount has none.
 *
 * Only the watch list pointer is taken under mount_lock; the watch is
 * linked under the list's own lock, which refuses a list already torn
 * down.
 *
 * Return: 0, -EBUSY if the queue already watches the mount, -ENOENT if the
 * mount is already unmounted or the queue closed, -EINVAL if it is not in
 * a mount namespace (a kernel-internal mount), or an LSM's error.
 */
static int mount_watch_add(void *object, struct watch *watch,
			   struct watch_list **spare)
{
	const struct path *path = object;
	struct mount *mnt = real_mount(path->mnt);
	struct watch_list *wlist = NULL;
	int ret;

	watch->id = mnt->mnt_id_unique;
	ret = security_watch_mount(watch, path);
	if (ret < 0)
		return ret;

	rcu_read_lock();
	read_seqlock_excl(&mount_lock);
	if (mnt->mnt.mnt_flags & MNT_UMOUNT) {
		/* Already unmounted: nothing will ever happen below it. */
		ret = -ENOENT;
	} else if (!mnt->mnt_ns || IS_ERR(mnt->mnt_ns)) {
		ret = -EINVAL;
	} else {
		wlist = mount_watchers(mnt);
		if (!wlist) {
			wlist = *spare;
			*spare = NULL;
			rcu_assign_pointer(mnt->mnt_watchers, wlist);
			mnt->mnt_ns->mnt_notify_watched++;
		}
	}
	read_sequnlock_excl(&mount_lock);
	if (wlist)
		ret = add_watch_to_object(watch, wlist);
	rcu_read_unlock();
	return ret;
}

/**
 * mount_watch_remove - Remove a queue's watch on a mount
 * @object: A path on the mount.
 * @wqueue: The queue whose watch goes.
 *
 * Return: 0, or -ENOENT or -EBADSLT if @wqueue does not watch the mount.
 */
static int mount_watch_remove(void *object, struct watch_queue *wqueue)
{
	const struct path *path = object;
	struct mount *mnt = real_mount(path->mnt);
	struct watch_list *wlist;
	int ret = -ENOENT;

	rcu_read_lock();
	wlist = rcu_dereference(mnt->mnt_watchers);
	if (wlist)
		ret = remove_watch_from_object(wlist, wqueue,
					       mnt->mnt_id_unique, false);
	rcu_read_unlock();
	return ret;
}

static const struct watch_object_ops mount_watch_ops = {
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
 * Return: 0, or -EINVAL (bad flag or ID, @watch_fd not a queue, or a
 * kernel-internal mount), -EBADF, -ENOENT (no such path, or no watch to
 * remove), -EBUSY (already watched by this queue), -EAGAIN (too many
 * watches), -ENOMEM, -EACCES and the other errors of path lookup.
 */
SYSCALL_DEFINE5(mount_notify, int, dfd, const char __user *, filename,
		unsigned int, at_flags, int, watch_fd, int, watch_id)
{
	return watch_path_syscall(dfd, filename, at_flags, watch_fd, watch_id,
				  &mount_watch_ops);
}
