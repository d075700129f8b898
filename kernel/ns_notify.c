// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace notifications.
 *
 * A watch on a user namespace reports the namespaces of every type that it
 * and its descendants own: each one clone(), clone3() or unshare() creates,
 * each one a task enters by setns() and each one freed.  The watches live on
 * the watched user namespace and do not pin it: when it is freed, they are
 * removed and their queues told so.
 *
 * See Documentation/userspace-api/ns_notify.rst
 */

#include <linux/audit.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/init.h>
#include <linux/ipc_namespace.h>
#include <linux/jump_label_ratelimit.h>
#include <linux/mutex.h>
#include <linux/ns_notify.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/time_namespace.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/watch_queue.h>
#include <net/net_namespace.h>

/* The IDs and the subject end the record, after its first version. */
static_assert(sizeof(struct ns_notification) == NS_NOTIFICATION_SIZE_VER1);

/*
 * On while any namespace watch exists: the posting paths' only cost.  Any
 * user may add and remove a watch on a user namespace of its own, and each
 * switch patches every hook in the kernel text and interrupts every CPU.
 * So the last removal turns it off only a second later, from a delayed
 * work, and a watch added meanwhile keeps it on: it switches at most twice
 * a second whatever users do.  Until it is off, the hooks find nothing to
 * post to.
 */
DEFINE_STATIC_KEY_DEFERRED_FALSE(ns_notify_watched, HZ);

/* Serialises setting up and tearing down user namespaces' watch lists. */
static DEFINE_MUTEX(ns_notify_lock);

/**
 * struct ns_notify_subject - The task a record is about, for each queue
 * @task: The task.
 * @uid: Its real uid.
 * @euid: Its effective uid.
 * @loginuid: Its audit login uid, INVALID_UID if unset or without audit.
 */
struct ns_notify_subject {
	struct task_struct	*task;
	kuid_t			uid;
	kuid_t			euid;
	kuid_t			loginuid;
};

/**
 * ns_notify_fixup - Translate the causing task's IDs for one queue
 * @wqueue: The queue the record is about to be posted to.
 * @n: The record, a struct ns_notification.
 * @data: The struct ns_notify_subject of the task that caused the event.
 *
 * Process IDs are reported in the pid namespace of the queue's opener, and
 * as 0 if the task is not visible there.  User IDs are reported in the
 * opener's user namespace, as the overflow uid if unmapped there, as
 * stat(2) does; the login uid as /proc/PID/loginuid shows it to the opener,
 * (u32)-1 if unset or unmapped.
 */
static void ns_notify_fixup(const struct watch_queue *wqueue,
			    struct watch_notification *n, void *data)
{
	struct ns_notification *nn = container_of(n, struct ns_notification, watch);
	struct ns_notify_subject *subj = data;

	nn->pid = task_pid_nr_ns(subj->task, wqueue->pid_ns);
	nn->tgid = task_tgid_nr_ns(subj->task, wqueue->pid_ns);
	nn->uid = from_kuid_munged(wqueue->user_ns, subj->uid);
	nn->euid = from_kuid_munged(wqueue->user_ns, subj->euid);
	nn->loginuid = from_kuid(wqueue->user_ns, subj->loginuid);
}

/**
 * ns_notify_build - Fill in a record about a namespace
 * @n: The record.
 * @ns: The namespace.
 * @subtype: enum ns_notification_subtype.
 * @reason: enum ns_notification_reason.
 * @old: The namespace the task left, or NULL.
 *
 * The subject's fields say "nobody" until ns_notify_subject() fills them.
 *
 * Return: The namespace's owner, or NULL if there is nothing to report.
 */
static struct user_namespace *ns_notify_build(struct ns_notification *n,
					      struct ns_common *ns, u32 subtype,
					      u32 reason, struct ns_common *old)
{
	struct user_namespace *owner;

	if (!ns->ops)
		return NULL;
	owner = ns->ops->owner(ns);
	if (!owner)
		return NULL;

	memset(n, 0, sizeof(*n));
	n->watch.type = WATCH_TYPE_NS_NOTIFY;
	n->watch.subtype = subtype;
	n->watch.info = watch_sizeof(*n);
	n->ns_type = ns->ops->type;
	n->reason = reason;
	n->ns_inum = ns->inum;
	n->old_inum = old ? old->inum : 0;
	n->owner_inum = owner->ns.inum;
	n->ns_id = ns->ns_id;
	n->old_id = old ? old->ns_id : 0;
	n->owner_id = owner->ns.ns_id;
	n->uid = (u32)-1;
	n->euid = (u32)-1;
	n->loginuid = (u32)-1;
	n->sessionid = (u32)-1;
	return owner;
}

/**
 * ns_notify_subject - Take down who caused an event
 * @n: The record, whose session ID is filled in.
 * @subj: Where to take the task's IDs, translated later for each queue.
 * @task: The task: current, or a new task not yet running.
 *
 * Without CONFIG_AUDIT, the login uid is unset and the session ID is
 * AUDIT_SID_UNSET, (u32)-1, as audit reports for a task that has none.
 */
static void ns_notify_subject(struct ns_notification *n,
			      struct ns_notify_subject *subj,
			      struct task_struct *task)
{
	const struct cred *cred;

	subj->task = task;
	rcu_read_lock();
	cred = __task_cred(task);
	subj->uid = cred->uid;
	subj->euid = cred->euid;
	rcu_read_unlock();
	subj->loginuid = audit_get_loginuid(task);
	n->sessionid = audit_get_sessionid(task);
}

/**
 * ns_notify_deliver - Post a record to those watching a user namespace
 * @owner: The owner of the namespace the record is about.
 * @n: The record.
 * @subj: The task that caused the event, or NULL.
 * @cred: The credentials of the task that caused the event, or NULL.
 *
 * The record goes to the watches on @owner and on every ancestor of it.
 * The caller must hold a reference on @owner, which pins the ancestors.
 * Does not sleep; must not be called with interrupts disabled.
 */
static void ns_notify_deliver(struct user_namespace *owner,
			      struct ns_notification *n,
			      struct ns_notify_subject *subj,
			      const struct cred *cred)
{
	struct user_namespace *u;
	struct watch_list *wlist;

	rcu_read_lock();
	for (u = owner; u; u = u->parent) {
		wlist = rcu_dereference(u->ns_watchers);
		if (wlist)
			__post_watch_notification_fixup(wlist, &n->watch, cred,
							u->ns.inum,
							subj ? ns_notify_fixup : NULL,
							subj);
	}
	rcu_read_unlock();
}

/**
 * ns_notify_post - Post a record about a namespace to those watching it
 * @ns: The namespace.
 * @subtype: enum ns_notification_subtype.
 * @reason: enum ns_notification_reason.
 * @old: The namespace the task left, or NULL.
 * @task: The task that caused the event.
 * @cred: The credentials of the task that caused the event.
 *
 * The caller must hold a reference on the namespace's owner.
 */
static void ns_notify_post(struct ns_common *ns, u32 subtype, u32 reason,
			   struct ns_common *old, struct task_struct *task,
			   const struct cred *cred)
{
	struct ns_notify_subject subj;
	struct user_namespace *owner;
	struct ns_notification n;

	owner = ns_notify_build(&n, ns, subtype, reason, old);
	if (!owner)
		return;
	ns_notify_subject(&n, &subj, task);
	ns_notify_deliver(owner, &n, &subj, cred);
}

/**
 * ns_notify_pair - Post a record if a task's namespace of one type changed
 * @old: The namespace the task had, or NULL.
 * @new: The namespace the task has now, or NULL.
 * @subtype: enum ns_notification_subtype.
 * @reason: enum ns_notification_reason.
 * @task: The task.
 */
static void ns_notify_pair(struct ns_common *old, struct ns_common *new,
			   u32 subtype, u32 reason, struct task_struct *task)
{
	if (old == new || !new)
		return;
	ns_notify_post(new, subtype, reason, old, task, current_cred());
}

/**
 * ns_notify_diff - Post a record for each namespace that differs
 * @old: The task's namespaces before.
 * @old_user: The task's user namespace before.
 * @new: The task's namespaces after.
 * @new_user: The task's user namespace after.
 * @subtype: enum ns_notification_subtype.
 * @reason: enum ns_notification_reason.
 * @task: The task.
 *
 * The user namespace comes first, as it owns any other new namespace.  The
 * pid and time namespaces compared are those for the task's children.
 */
static void ns_notify_diff(struct nsproxy *old, struct user_namespace *old_user,
			   struct nsproxy *new, struct user_namespace *new_user,
			   u32 subtype, u32 reason, struct task_struct *task)
{
	ns_notify_pair(&old_user->ns, &new_user->ns, subtype, reason, task);
	if (!old || !new)
		return;
	if (old->mnt_ns != new->mnt_ns)
		ns_notify_pair(mnt_ns_common(old->mnt_ns),
			       mnt_ns_common(new->mnt_ns), subtype, reason, task);
	ns_notify_pair(&old->uts_ns->ns, &new->uts_ns->ns, subtype, reason, task);
	ns_notify_pair(&old->ipc_ns->ns, &new->ipc_ns->ns, subtype, reason, task);
	ns_notify_pair(&old->pid_ns_for_children->ns,
		       &new->pid_ns_for_children->ns, subtype, reason, task);
	ns_notify_pair(&old->net_ns->ns, &new->net_ns->ns, subtype, reason, task);
#ifdef CONFIG_CGROUPS
	ns_notify_pair(&old->cgroup_ns->ns, &new->cgroup_ns->ns,
		       subtype, reason, task);
#endif
	ns_notify_pair(&old->time_ns_for_children->ns,
		       &new->time_ns_for_children->ns, subtype, reason, task);
}

/**
 * __ns_notify_clone - Report the namespaces a new task was created with
 * @child: The new task, not yet woken up.
 *
 * Each namespace the child has and its parent, the current task, has not
 * was created by this clone().
 */
void __ns_notify_clone(struct task_struct *child)
{
	struct user_namespace *child_user;

	rcu_read_lock();
	child_user = task_cred_xxx(child, user_ns);
	rcu_read_unlock();

	/* The child is not running yet: its nsproxy and creds are stable. */
	ns_notify_diff(current->nsproxy, current_user_ns(),
		       child->nsproxy, child_user,
		       NOTIFY_NS_CREATE, NOTIFY_NS_REASON_CLONE, child);
}

/**
 * __ns_notify_snap - Take references on the current task's namespaces
 * @snap: Where to keep them.
 */
void __ns_notify_snap(struct ns_notify_snap *snap)
{
	struct nsproxy *nsproxy = current->nsproxy;

	get_nsproxy(nsproxy);
	snap->nsproxy = nsproxy;
	snap->cred = get_current_cred();
}

/**
 * __ns_notify_changed - Report how the current task's namespaces changed
 * @snap: The namespaces before the change, released here.
 * @subtype: NOTIFY_NS_CREATE or NOTIFY_NS_SETNS.
 * @reason: enum ns_notification_reason.
 *
 * Called once the change has been committed, so that a failed unshare() or
 * setns() reports nothing.  Releasing the snapshot may free the namespaces
 * the task left, whose DESTROY records then follow.
 */
void __ns_notify_changed(struct ns_notify_snap *snap, u32 subtype, u32 reason)
{
	ns_notify_diff(snap->nsproxy, snap->cred->user_ns,
		       current->nsproxy, current_user_ns(),
		       subtype, reason, current);
	put_nsproxy(snap->nsproxy);
	put_cred(snap->cred);
	snap->nsproxy = NULL;
	snap->cred = NULL;
}

/**
 * __ns_notify_destroy - Report that a namespace is being freed
 * @ns: The namespace; its owner must still be referenced.
 *
 * No task is reported, as no subject: the last reference may be dropped by
 * the kernel itself, from a workqueue or an RCU callback.
 *
 * Context: Process or softirq context, never with interrupts disabled: the
 * queue locks are taken with spin_lock_bh().  The work is one post per
 * watch from the owner up, so the free paths call this in process context.
 * A pid namespace, whose last reference can go with interrupts disabled and
 * which is freed from an RCU callback, reports from a work item while
 * anything is watched.
 */
void __ns_notify_destroy(struct ns_common *ns)
{
	struct user_namespace *owner;
	struct ns_notification n;

	owner = ns_notify_build(&n, ns, NOTIFY_NS_DESTROY,
				NOTIFY_NS_REASON_RELEASE, NULL);
	if (owner)
		ns_notify_deliver(owner, &n, NULL, NULL);
}

/**
 * ns_notify_release_watch - Account for a watch leaving a watch list
 * @watch: The watch.
 *
 * Called without locks held, in process context.
 */
static void ns_notify_release_watch(struct watch *watch)
{
	static_branch_slow_dec_deferred(&ns_notify_watched);
}

/**
 * ns_notify_user_ns_free - Remove the watches on a dying user namespace
 * @ns: The user namespace, about to be freed.
 *
 * Each watch gets a removal notice.  Nothing can be posting through @ns any
 * more: a poster holds a reference on a namespace @ns or a descendant owns.
 */
void ns_notify_user_ns_free(struct user_namespace *ns)
{
	struct watch_list *wlist;

	if (!rcu_access_pointer(ns->ns_watchers))
		return;

	mutex_lock(&ns_notify_lock);
	wlist = rcu_replace_pointer(ns->ns_watchers, NULL,
				    lockdep_is_held(&ns_notify_lock));
	mutex_unlock(&ns_notify_lock);

	remove_watch_list(wlist, ns->ns.inum);
}

/**
 * ns_notify_add - Add a watch on a user namespace
 * @object: The watched user namespace, pinned by the caller.
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the namespace has none.
 *
 * Return: 0, -EBUSY if the queue already watches the namespace, or -ENOENT
 * if the queue was closed or the namespace is going.
 */
static int ns_notify_add(void *object, struct watch *watch,
			 struct watch_list **spare)
{
	struct user_namespace *user_ns = object;
	struct watch_list *wlist;
	int ret;

	watch->id = user_ns->ns.inum;

	/* Turn posting on before the watch can see anything. */
	static_branch_deferred_inc(&ns_notify_watched);

	mutex_lock(&ns_notify_lock);
	wlist = rcu_dereference_protected(user_ns->ns_watchers,
					  lockdep_is_held(&ns_notify_lock));
	if (!wlist) {
		wlist = *spare;
		*spare = NULL;
		rcu_assign_pointer(user_ns->ns_watchers, wlist);
	}
	ret = add_watch_to_object(watch, wlist);
	mutex_unlock(&ns_notify_lock);

	if (ret < 0)
		static_branch_slow_dec_deferred(&ns_notify_watched);
	return ret;
}

static const struct watch_object_ops ns_notify_watch_ops = {
	.add		= ns_notify_add,
	.release_watch	= ns_notify_release_watch,
};

/**
 * ns_notify_user_ns_of - The user namespace an nsfs file or a pidfd names
 * @fd: An nsfs file of a user namespace, or a pidfd.
 *
 * A pidfd names the user namespace of the process, as setns() on it with
 * CLONE_NEWUSER would enter.
 *
 * Return: The user namespace, referenced; ERR_PTR(-EBADF) if @fd is not
 * open, ERR_PTR(-EINVAL) if it is neither a user namespace's file nor a
 * pidfd, ERR_PTR(-ESRCH) if the process is gone.
 */
static struct user_namespace *ns_notify_user_ns_of(int fd)
{
	struct user_namespace *user_ns;
	struct task_struct *task;
	struct ns_common *ns;
	struct pid *pid;

	CLASS(fd, f)(fd);

	if (fd_empty(f))
		return ERR_PTR(-EBADF);
	if (proc_ns_file(fd_file(f))) {
		ns = get_proc_ns(file_inode(fd_file(f)));
		if (ns->ops->type != CLONE_NEWUSER)
			return ERR_PTR(-EINVAL);
		return get_user_ns(container_of(ns, struct user_namespace, ns));
	}
	pid = pidfd_pid(fd_file(f));
	if (IS_ERR(pid))
		return ERR_PTR(-EINVAL);
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return ERR_PTR(-ESRCH);
	rcu_read_lock();
	user_ns = get_user_ns(__task_cred(task)->user_ns);
	rcu_read_unlock();
	put_task_struct(task);
	return user_ns;
}

/**
 * ns_notify_watch - Set the watch that IOC_WATCH_QUEUE_WATCH asks for
 * @wqueue: The queue.
 * @w: The request; its common fields are checked.
 *
 * The object is a user namespace, named by an nsfs file or by a pidfd
 * (WATCH_OBJECT_FD).  The caller needs CAP_SYS_ADMIN in it.  The watch
 * covers the namespaces of every type whose owning user namespace is that
 * one or any of its descendants.
 *
 * Return: 0, -EINVAL, -EBADF, -ESRCH, -EPERM, -EBUSY, -EEXIST, -EAGAIN,
 * -ENOMEM, or an LSM's error.
 */
static long ns_notify_watch(struct watch_queue *wqueue,
			    const struct watch_queue_watch *w)
{
	struct user_namespace *user_ns;
	long ret;

	if (w->object != WATCH_OBJECT_FD)
		return -EINVAL;
	user_ns = ns_notify_user_ns_of(w->fd);
	if (IS_ERR(user_ns))
		return PTR_ERR(user_ns);

	ret = -EPERM;
	if (!ns_capable(user_ns, CAP_SYS_ADMIN))
		goto out;
	ret = security_watch_ns(user_ns);
	if (ret < 0)
		goto out;
	ret = watch_queue_set_watch(wqueue, w, user_ns, &ns_notify_watch_ops);
out:
	put_user_ns(user_ns);
	return ret;
}

static const struct watch_source ns_notify_source = {
	.type		= WATCH_TYPE_NS_NOTIFY,
	.record_size	= sizeof(struct ns_notification),
	.subtypes	= { GENMASK(NOTIFY_NS_DESTROY, NOTIFY_NS_CREATE) },
	.watch		= ns_notify_watch,
};

/**
 * ns_notify_init - Register the namespace records and their watches
 *
 * Return: 0.
 */
static int __init ns_notify_init(void)
{
	watch_source_register(&ns_notify_source);
	return 0;
}
subsys_initcall(ns_notify_init);
