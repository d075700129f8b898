// SPDX-License-Identifier: GPL-2.0
/*
 * Mount topology change notifications: the watches IOC_WATCH_QUEUE_WATCH
 * sets on a mount or on a mount namespace, and the records they get.
 *
 * A change is posted to the watches on the mount it is seen on (the
 * "trigger": the parent of a mount being attached, detached or moved, or
 * the mount whose attributes changed); to the watches with AT_RECURSIVE on
 * each of its ancestors, with NOTIFY_MOUNT_IN_SUBTREE set; and to the
 * watches on its mount namespace.  A watch without AT_RECURSIVE refuses
 * the records with NOTIFY_MOUNT_IN_SUBTREE (struct watch::info_reject).
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
 * Each namespace counts the changes its records report, whether watched or
 * not (mount_notify_count(), one increment under mount_lock, which the
 * change holds), and every record carries the count after its change:
 * statmount() reads it under the same lock, so a monitor can tell which
 * records a snapshot of the namespace already includes.
 *
 * Watches pin nothing.  Each mount's watch list is created on the first
 * watch and freed by RCU; when the mount is unmounted, or freed while
 * detached, its watches get a removal notice, after the records of the
 * unmount, and go away.  A namespace's list goes when the namespace is
 * freed.  A namespace counts its mounts that have a watch list, and its
 * own list: a namespace that never had one pays one test per hook.
 *
 * See Documentation/userspace-api/mount_notify.rst
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/mnt_namespace.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/watch_queue.h>
#include "mount.h"
#include "mount_notify.h"
#include "watch_path.h"

/* The change counter ends the records, after their first version. */
static_assert(sizeof(struct mount_topology_notification) ==
	      MOUNT_NOTIFICATION_SIZE_VER1);
static_assert(sizeof(struct mount_attr_notification) ==
	      MOUNT_ATTR_NOTIFICATION_SIZE_VER1);

/* struct mount::mnt_notify_events */
#define MN_ATTACH	BIT(0)	/* Attached, with its parent */
#define MN_DETACH	BIT(1)	/* Detached from mnt_notify_from */
#define MN_EXPIRE	BIT(2)	/* ... because it expired */
#define MN_MOVE		BIT(3)	/* Moved from mnt_notify_from */
#define MN_KILL		BIT(4)	/* Its watches go once all is posted */

/* struct mount::mnt_notify_attr */
#define MN_ATTR_CHANGED	BIT(0)	/* A flag, the propagation or the idmap */

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
 * @change: Its namespace's change counter after the change.
 *
 * A mount is queued once; later changes of the same operation add bits,
 * and its records carry the counter after the last of them: no snapshot
 * can see the mount between two changes of one operation.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
static void mn_queue(struct mount *mnt, unsigned int events, bool reparent,
		     u64 change)
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
	mnt->mnt_notify_change = change;
}

/**
 * __notify_mount_attach - Note that a tree of mounts is being attached
 * @root: The root of the tree, not yet hooked to its parent.
 * @change: The change counter of the namespace it goes into, after the attach.
 *
 * Walking the tree before it is attached leaves out the mounts that the
 * attach then puts below it (mounting beneath, or tucking under a
 * propagated copy): those are moves, noted by notify_mount_reparent().
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
void __notify_mount_attach(struct mount *root, u64 change)
{
	struct mount *p;

	for (p = root; p; p = next_mnt(p, root))
		mn_queue(p, MN_ATTACH, false, change);
}

/**
 * __notify_mount_move - Note that a mount is about to change parent
 * @mnt: The mount, still under its old parent.
 * @reparent: Post it after the operation's other changes.
 * @change: Its namespace's change counter after the move.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
void __notify_mount_move(struct mount *mnt, bool reparent, u64 change)
{
	if (!mnt_has_parent(mnt))
		return;
	/* Moved twice in one operation: from where it was at first. */
	if (!(mnt->mnt_notify_events & MN_MOVE))
		mnt->mnt_notify_from = mnt->mnt_parent;
	mn_queue(mnt, MN_MOVE, reparent, change);
}

/**
 * __notify_mount_detach - Note that a mount is being unmounted
 * @mnt: The mount, still with its parent and namespace.
 * @expiry: It expired rather than being unmounted.
 * @change: Its namespace's change counter after the detach.
 *
 * A mount that was never in a namespace (a propagated copy rolled back)
 * was never announced and is not reported.  A mount with watches leaves
 * its namespace's count now and loses them once everything is posted.
 *
 * Context: namespace_sem held for writing, mount_lock held.
 */
void __notify_mount_detach(struct mount *mnt, bool expiry, u64 change)
{
	unsigned int events = 0;

	if (mnt->mnt_ns && mnt_has_parent(mnt) &&
	    mount_notify_ns_watched(mnt->mnt_ns)) {
		events = MN_DETACH | (expiry ? MN_EXPIRE : 0);
		/* A move of the same operation ends in this detach. */
		mnt->mnt_notify_events &= ~MN_MOVE;
		mnt->mnt_notify_from = mnt->mnt_parent;
		mnt->mnt_notify_from_ns = mnt->mnt_ns;
	}
	if (mount_watchers(mnt)) {
		events |= MN_KILL;
		mnt->mnt_notify_ns = mnt->mnt_ns;
	}
	if (events)
		mn_queue(mnt, events, false, change);
}

/**
 * __notify_mount_attr - Note a change of a mount's flags or propagation
 * @mnt: The mount.
 * @change: Its namespace's change counter after the change.
 *
 * The change is an ATTR record, posted by notify_mount_attr_post().
 * Changes that meet before they are posted make one record, with the
 * attributes and the counter of the last.
 *
 * Context: mount_lock held.
 */
void __notify_mount_attr(struct mount *mnt, u64 change)
{
	WRITE_ONCE(mnt->mnt_notify_attr_change, change);
	/*
	 * Posting takes the bits without mount_lock, then reads the counter
	 * (atomic_xchg() orders the two): whoever takes this bit sees this
	 * counter or a later one.
	 */
	smp_mb__before_atomic();
	atomic_or(MN_ATTR_CHANGED, &mnt->mnt_notify_attr);
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
 * mn_ns_id - The ID of a mount namespace, as statmount() reports it
 * @ns: The namespace, NULL, or MNT_NS_INTERNAL.
 *
 * Return: Its ID, or 0 for none (a detached tree's namespace has none).
 */
static u64 mn_ns_id(struct mnt_namespace *ns)
{
	return ns && !IS_ERR(ns) ? ns->seq : 0;
}

/**
 * mn_post - Post a record to the watches a change reaches
 * @trigger: The mount the change is seen on: the parent for a topology
 *	change, the mount itself for an attribute change.
 * @mnt: The mount the change is about.
 * @ns: The namespace of the change, or NULL.
 * @subtype: enum mount_notification_subtype.
 * @info: NOTIFY_MOUNT_* flags.
 * @change: The namespace's change counter after the change.
 * @gen: The posting round.
 *
 * The watches on @trigger get the record, those on its ancestors get it
 * with NOTIFY_MOUNT_IN_SUBTREE (which only AT_RECURSIVE ones take), and
 * those on @ns get it without.
 *
 * Context: Posting, namespace_sem and mount_notify_post_lock held.
 */
static void mn_post(struct mount *trigger, struct mount *mnt,
		    struct mnt_namespace *ns,
		    enum mount_notification_subtype subtype, u32 info,
		    u64 change, u64 gen)
{
	const struct cred *cred = current_cred();
	union {
		struct mount_notification m;
		struct mount_topology_notification t;
		struct mount_attr_notification a;
	} n;
	struct watch_list *wlist;
	struct mount *w;
	u32 len;

	memset(&n, 0, sizeof(n));
	n.m.watch.type = WATCH_TYPE_MOUNT_NOTIFY;
	n.m.watch.subtype = subtype;
	n.m.mnt_id = mnt->mnt_id_unique;
	n.m.mnt_ns_id = mn_ns_id(ns);
	if (subtype == NOTIFY_MOUNT_ATTR) {
		n.m.mnt_parent_id = mnt_has_parent(mnt) ?
			mnt->mnt_parent->mnt_id_unique : mnt->mnt_id_unique;
		n.a.mnt_attr = mnt_attr_flags(mnt);
		n.a.mnt_propagation = mnt_propagation_flags(mnt);
		n.a.mnt_ns_change = change;
		len = sizeof(n.a);
	} else {
		n.m.mnt_parent_id = trigger->mnt_id_unique;
		n.t.mnt_ns_change = change;
		len = sizeof(n.t);
	}

	for (w = mn_nearest(trigger, gen); w;
	     w = mn_nearest(mn_parent(w), gen)) {
		n.m.watch.info = info | len;
		if (w != trigger)
			n.m.watch.info |= NOTIFY_MOUNT_IN_SUBTREE;
		rcu_read_lock();
		wlist = rcu_dereference(w->mnt_watchers);
		if (wlist)
			__post_watch_notification(wlist, &n.m.watch, cred,
						  w->mnt_id_unique);
		rcu_read_unlock();
	}
	if (ns && !IS_ERR(ns)) {
		n.m.watch.info = info | len;
		rcu_read_lock();
		wlist = rcu_dereference(ns->mnt_ns_watchers);
		if (wlist)
			__post_watch_notification(wlist, &n.m.watch, cred,
						  ns->seq);
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
	u64 change;
	u32 info;

	for (; m; m = m->mnt_notify_next) {
		ev = m->mnt_notify_events;
		change = m->mnt_notify_change;
		if (ev & MN_MOVE) {
			mn_post(m->mnt_notify_from, m, m->mnt_ns,
				NOTIFY_MOUNT_MOVE_FROM, 0, change, gen);
			if (mnt_has_parent(m))
				mn_post(m->mnt_parent, m, m->mnt_ns,
					NOTIFY_MOUNT_MOVE_TO, 0, change, gen);
		}
		if ((ev & MN_ATTACH) && mnt_has_parent(m)) {
			info = 0;
			if (m->mnt.mnt_sb->s_flags & SB_SUBMOUNT)
				info |= NOTIFY_MOUNT_IS_SUBMOUNT;
			mn_post(m->mnt_parent, m, m->mnt_ns,
				NOTIFY_MOUNT_ATTACH, info, change, gen);
		}
		if (ev & MN_DETACH)
			mn_post(m->mnt_notify_from, m, m->mnt_notify_from_ns,
				ev & MN_EXPIRE ? NOTIFY_MOUNT_EXPIRY :
				NOTIFY_MOUNT_DETACH, 0, change, gen);
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
		m->mnt_notify_from_ns = NULL;
		m->mnt_notify_events = 0;
		m->mnt_notify_change = 0;
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
		if (bits & MN_ATTR_CHANGED)
			mn_post(m, m, READ_ONCE(m->mnt_ns), NOTIFY_MOUNT_ATTR,
				0, READ_ONCE(m->mnt_notify_attr_change), gen);
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
 * __mount_notify_ns_destroy - Drop the watch list of a namespace being freed
 * @ns: The mount namespace, emptied.
 *
 * Each watch gets a removal notice carrying the namespace's ID.
 */
void __mount_notify_ns_destroy(struct mnt_namespace *ns)
{
	struct watch_list *wlist;

	read_seqlock_excl(&mount_lock);
	wlist = rcu_dereference_protected(ns->mnt_ns_watchers,
					  lockdep_is_held(&mount_lock.lock));
	RCU_INIT_POINTER(ns->mnt_ns_watchers, NULL);
	read_sequnlock_excl(&mount_lock);

	remove_watch_list(wlist, ns->seq);
}

/**
 * struct mount_watch_object - What a mount watch is set on
 * @path: A path on the mount, or the root of @ns.
 * @ns: The mount namespace, for a watch on a whole namespace, or NULL.
 * @recursive: Whether the watch covers the mounts below (AT_RECURSIVE).
 */
struct mount_watch_object {
	struct path		path;
	struct mnt_namespace	*ns;
	bool			recursive;
};

/**
 * mount_watch_add_ns - Add a watch on a whole mount namespace
 * @obj: The namespace, referenced by mount_watch_ns_fd().
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the namespace has none.
 *
 * Return: 0, -EBUSY if the queue already watches the namespace, -ENOENT
 * if the queue was closed, or an LSM's error.
 */
static int mount_watch_add_ns(struct mount_watch_object *obj,
			      struct watch *watch, struct watch_list **spare)
{
	struct mnt_namespace *ns = obj->ns;
	struct watch_list *wlist;
	int ret;

	watch->id = ns->seq;
	ret = security_watch_mount(watch, &obj->path);
	if (ret < 0)
		return ret;

	rcu_read_lock();
	read_seqlock_excl(&mount_lock);
	wlist = rcu_dereference_protected(ns->mnt_ns_watchers,
					  lockdep_is_held(&mount_lock.lock));
	if (!wlist) {
		wlist = *spare;
		*spare = NULL;
		rcu_assign_pointer(ns->mnt_ns_watchers, wlist);
		ns->mnt_notify_watched++;
	}
	read_sequnlock_excl(&mount_lock);
	ret = add_watch_to_object(watch, wlist);
	rcu_read_unlock();
	return ret;
}

/**
 * mount_watch_add - Add a watch on a mount, or on a mount namespace
 * @object: A struct mount_watch_object.
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
	struct mount_watch_object *obj = object;
	struct mount *mnt = real_mount(obj->path.mnt);
	struct watch_list *wlist = NULL;
	int ret;

	if (obj->ns)
		return mount_watch_add_ns(obj, watch, spare);

	watch->id = mnt->mnt_id_unique;
	if (!obj->recursive)
		watch->info_reject = NOTIFY_MOUNT_IN_SUBTREE;
	ret = security_watch_mount(watch, &obj->path);
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

static const struct watch_object_ops mount_watch_ops = {
	.add	= mount_watch_add,
};

/**
 * mount_watch_ns_fd - Take the mount namespace an nsfs file names
 * @obj: Filled in: the namespace and the path of its root, referenced.
 * @fd: The nsfs file descriptor.
 *
 * Watching a whole namespace needs CAP_SYS_ADMIN over its owner: the watch
 * reports mounts that the caller may not be able to reach (covered ones,
 * those outside its root), which listmount() and statmount() show only to
 * such a caller.
 *
 * Return: 0, -EBADF, -EINVAL if @fd is not a mount namespace's, or -EPERM.
 * On success the caller drops @obj->ns with put_mnt_ns().
 */
static int mount_watch_ns_fd(struct mount_watch_object *obj, int fd)
{
	CLASS(fd, f)(fd);
	struct mnt_namespace *ns;
	struct ns_common *nsc;

	if (fd_empty(f))
		return -EBADF;
	if (!proc_ns_file(fd_file(f)))
		return -EINVAL;
	nsc = get_proc_ns(file_inode(fd_file(f)));
	if (nsc->ops->type != CLONE_NEWNS)
		return -EINVAL;
	/*
	 * The nsfs file keeps the namespace only while we hold it: take a
	 * reference of our own for the watch's setting up, which sleeps, so
	 * that a close() of the file meanwhile can't free the namespace
	 * under us, nor tear its watch list down before ours is in.
	 */
	ns = to_mnt_ns(nsc);
	if (!ns_capable(ns->user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	get_mnt_ns(ns);
	obj->ns = ns;
	obj->path.mnt = mntget(&ns->root->mnt);
	obj->path.dentry = dget(ns->root->mnt.mnt_root);
	return 0;
}

/**
 * mount_source_watch - Set the mount watch that IOC_WATCH_QUEUE_WATCH asks for
 * @wqueue: The queue.
 * @w: The request; its common fields are checked.
 *
 * The object is a mount, named by a path (AT_SYMLINK_NOFOLLOW,
 * AT_NO_AUTOMOUNT, AT_EMPTY_PATH) or by its unique mount ID and the
 * mnt_ns_id of its namespace, with AT_RECURSIVE for its subtree; or a
 * whole mount namespace, named by an nsfs file.  A mount is watched by
 * whoever statmount() shows it to (mnt_watch_may()).
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOENT, -EPERM, -EBUSY, -EEXIST, -EAGAIN,
 * -ENOMEM, -EACCES and the other errors of path lookup.
 */
static long mount_source_watch(struct watch_queue *wqueue,
			       const struct watch_queue_watch *w)
{
	struct mount_watch_object obj = {};
	long ret;

	switch (w->object) {
	case WATCH_OBJECT_PATH:
		ret = watch_user_path(w, AT_RECURSIVE, &obj.path);
		if (ret)
			return ret;
		ret = mnt_watch_may(&obj.path);
		break;
	case WATCH_OBJECT_ID:
		if (w->at_flags & ~AT_RECURSIVE)
			return -EINVAL;
		ret = mnt_watch_find(w->object_id, w->ns_id, &obj.path);
		if (ret)
			return ret;
		break;
	case WATCH_OBJECT_FD:
		ret = mount_watch_ns_fd(&obj, w->fd);
		if (ret)
			return ret;
		break;
	default:
		return -EINVAL;
	}
	obj.recursive = w->at_flags & AT_RECURSIVE;
	if (!ret)
		ret = watch_queue_set_watch(wqueue, w, &obj, &mount_watch_ops);
	path_put(&obj.path);
	/* If ours was the last reference, the teardown removes the watch. */
	if (obj.ns)
		put_mnt_ns(obj.ns);
	return ret;
}

static const struct watch_source mount_watch_source = {
	.type		= WATCH_TYPE_MOUNT_NOTIFY,
	.record_size	= sizeof(struct mount_attr_notification),
	.subtypes	= { GENMASK(NOTIFY_MOUNT_MOVE_TO, NOTIFY_MOUNT_ATTACH) },
	.watch		= mount_source_watch,
};

/**
 * mount_notify_init - Register the mount records and their watches
 *
 * Return: 0.
 */
static int __init mount_notify_init(void)
{
	watch_source_register(&mount_watch_source);
	return 0;
}
fs_initcall(mount_notify_init);
