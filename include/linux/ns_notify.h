/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Namespace notifications: watch the namespaces a user namespace owns.
 *
 * See Documentation/userspace-api/ns_notify.rst
 */
#ifndef _LINUX_NS_NOTIFY_H
#define _LINUX_NS_NOTIFY_H

#include <linux/jump_label_ratelimit.h>
#include <linux/proc_ns.h>
#include <linux/types.h>
#include <uapi/linux/watch_queue.h>

struct cred;
struct mnt_namespace;
struct ns_common;
struct nsproxy;
struct task_struct;
struct user_namespace;

/**
 * struct ns_notify_snap - A task's namespaces before it changes them
 * @nsproxy: A reference on the task's namespaces, or NULL if nothing was
 *	watched when the snapshot was taken.
 * @cred: A reference on the task's credentials, for its user namespace.
 */
struct ns_notify_snap {
	struct nsproxy		*nsproxy;
	const struct cred	*cred;
};

#ifdef CONFIG_NS_NOTIFICATIONS

extern struct static_key_false_deferred ns_notify_watched;

void __ns_notify_clone(struct task_struct *child);
void __ns_notify_snap(struct ns_notify_snap *snap);
void __ns_notify_changed(struct ns_notify_snap *snap, u32 subtype, u32 reason);
void __ns_notify_destroy(struct ns_common *ns);
void ns_notify_user_ns_free(struct user_namespace *ns);
struct ns_common *mnt_ns_common(struct mnt_namespace *mnt_ns);

/**
 * ns_notify_watching - Whether a namespace watch may exist
 *
 * A static branch: off, it costs the hooks nothing more.  It goes off at
 * most once a second, some time after the last watch is removed.
 *
 * Return: false if nothing is watched.
 */
static inline bool ns_notify_watching(void)
{
	return static_branch_unlikely(&ns_notify_watched.key);
}

/**
 * ns_notify_clone - Report the namespaces a new task was created with
 * @child: The new task, not yet woken up.
 *
 * Called by the parent once clone() can no longer fail.
 */
static inline void ns_notify_clone(struct task_struct *child)
{
	if (ns_notify_watching())
		__ns_notify_clone(child);
}

/**
 * ns_notify_snap - Remember the current task's namespaces
 * @snap: Where to remember them.
 *
 * Called before unshare() or setns() commits; ns_notify_changed() reports
 * the difference and must follow.
 */
static inline void ns_notify_snap(struct ns_notify_snap *snap)
{
	snap->nsproxy = NULL;
	snap->cred = NULL;
	if (ns_notify_watching())
		__ns_notify_snap(snap);
}

/**
 * ns_notify_changed - Report how the current task's namespaces changed
 * @snap: The snapshot of ns_notify_snap(), released here.
 * @subtype: NOTIFY_NS_CREATE or NOTIFY_NS_SETNS.
 * @reason: enum ns_notification_reason.
 */
static inline void ns_notify_changed(struct ns_notify_snap *snap,
				     u32 subtype, u32 reason)
{
	if (unlikely(snap->nsproxy))
		__ns_notify_changed(snap, subtype, reason);
}

/**
 * ns_notify_destroy - Report that a namespace is being freed
 * @ns: The namespace, whose owner must still be referenced.
 *
 * Free paths call ns_notify_free_inum(), which frees the inode number
 * once this has reported it.
 *
 * Context: Process context, or softirq context with interrupts enabled.
 */
static inline void ns_notify_destroy(struct ns_common *ns)
{
	if (ns_notify_watching())
		__ns_notify_destroy(ns);
}

#else

static inline bool ns_notify_watching(void)
{
	return false;
}

static inline void ns_notify_clone(struct task_struct *child) {}
static inline void ns_notify_snap(struct ns_notify_snap *snap) {}
static inline void ns_notify_changed(struct ns_notify_snap *snap,
				     u32 subtype, u32 reason) {}
static inline void ns_notify_destroy(struct ns_common *ns) {}
static inline void ns_notify_user_ns_free(struct user_namespace *ns) {}

#endif /* CONFIG_NS_NOTIFICATIONS */

/**
 * ns_notify_free_inum - Report a namespace's destruction, then free its number
 * @ns: The namespace, whose owner must still be referenced.
 *
 * Every namespace type's free path calls this instead of ns_free_inum().
 * The inode number is what identifies the namespace in the records, and
 * proc_alloc_inum() hands out the lowest free one, so the next namespace
 * made, of any type, tends to get the number just freed.  The DESTROY must
 * therefore be posted while the number is still taken: a CREATE carrying
 * the number can then only follow it, and a monitor keyed on inode numbers
 * never takes the new namespace for the dead one.  Error paths that free
 * the number of a namespace never reported created use ns_free_inum().
 *
 * Context: Process context, or softirq context with interrupts enabled.
 */
static inline void ns_notify_free_inum(struct ns_common *ns)
{
	ns_notify_destroy(ns);
	ns_free_inum(ns);
}

#endif /* _LINUX_NS_NOTIFY_H */
