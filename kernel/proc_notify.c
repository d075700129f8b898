// SPDX-License-Identifier: GPL-2.0
/*
 * Process event notifications.
 *
 * A watch on a pid namespace reports the fork, exec, exit, setsid, uid and
 * gid changes, comm changes, ptrace attaches and detaches and core dumps of
 * every task in it and in its descendants: the events of the proc
 * connector, with each pid translated into the pid namespace of the
 * queue's opener and each uid and gid into its user namespace.  The
 * watches live on the watched pid namespace and do not pin it: when it is
 * freed, they are removed and their queues told so.
 *
 * See Documentation/userspace-api/proc_notify.rst
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/init.h>
#include <linux/jump_label_ratelimit.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/proc_notify.h>
#include <linux/proc_ns.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/watch_queue.h>

/* The record's size is part of the ABI: new fields go at the end. */
static_assert(sizeof(struct proc_notification) == PROC_NOTIFICATION_SIZE_VER0);

/*
 * On while any process event watch exists: the hooks' only cost.  Any user
 * may add and remove a watch on a pid namespace of its own, and each
 * switch patches every hook in the kernel text and interrupts every CPU.
 * So the last removal turns it off only a second later, from a delayed
 * work, and a watch added meanwhile keeps it on: it switches at most twice
 * a second whatever users do.  Until it is off, the hooks find nothing to
 * post to.
 */
DEFINE_STATIC_KEY_DEFERRED_FALSE(proc_notify_watched, HZ);

/* Serialises setting up and tearing down pid namespaces' watch lists. */
static DEFINE_MUTEX(proc_notify_lock);

/**
 * struct proc_notify_subject - What a record names, for each queue
 * @pid: The task's pid.
 * @tgid: Its thread group's.
 * @ppid: Its parent's pid.
 * @ptgid: Its parent's thread group's.
 * @other: FORK: the creator; PTRACE_*: the tracer; or NULL.
 * @other_tgid: The thread group of @other, or NULL.
 * @uid: The task's real uid.
 * @euid: Its effective uid.
 * @gid: Its real gid.
 * @egid: Its effective gid.
 * @old_uid: UID: the real uid before.
 * @old_euid: UID: the effective uid before.
 * @old_gid: GID: the real gid before.
 * @old_egid: GID: the effective gid before.
 *
 * The struct pids are read once, under the RCU read lock that the whole
 * post holds, so that the fix-up never dereferences a task.
 */
struct proc_notify_subject {
	struct pid	*pid;
	struct pid	*tgid;
	struct pid	*ppid;
	struct pid	*ptgid;
	struct pid	*other;
	struct pid	*other_tgid;
	kuid_t		uid;
	kuid_t		euid;
	kgid_t		gid;
	kgid_t		egid;
	kuid_t		old_uid;
	kuid_t		old_euid;
	kgid_t		old_gid;
	kgid_t		old_egid;
};

/**
 * proc_notify_fixup - Translate a record's IDs for one queue
 * @wqueue: The queue the record is about to be posted to.
 * @n: The record, a struct proc_notification.
 * @data: The struct proc_notify_subject of the record.
 *
 * Process IDs are reported in the pid namespace of the queue's opener, 0
 * where not visible there; user and group IDs in the opener's user
 * namespace, the overflow ID where unmapped, as stat(2) does.
 */
static void proc_notify_fixup(const struct watch_queue *wqueue,
			      struct watch_notification *n, void *data)
{
	struct proc_notification *pn = container_of(n, struct proc_notification, watch);
	struct proc_notify_subject *s = data;
	struct user_namespace *user_ns = wqueue->user_ns;
	struct pid_namespace *pid_ns = wqueue->pid_ns;

	pn->pid = pid_nr_ns(s->pid, pid_ns);
	pn->tgid = pid_nr_ns(s->tgid, pid_ns);
	pn->ppid = pid_nr_ns(s->ppid, pid_ns);
	pn->ptgid = pid_nr_ns(s->ptgid, pid_ns);
	pn->uid = from_kuid_munged(user_ns, s->uid);
	pn->euid = from_kuid_munged(user_ns, s->euid);
	pn->gid = from_kgid_munged(user_ns, s->gid);
	pn->egid = from_kgid_munged(user_ns, s->egid);

	switch (n->subtype) {
	case NOTIFY_PROC_FORK:
		pn->arg = pid_nr_ns(s->other, pid_ns);
		break;
	case NOTIFY_PROC_PTRACE_ATTACH:
	case NOTIFY_PROC_PTRACE_DETACH:
		pn->arg = pid_nr_ns(s->other, pid_ns);
		pn->arg64 = pid_nr_ns(s->other_tgid, pid_ns);
		break;
	case NOTIFY_PROC_UID:
		pn->arg = from_kuid_munged(user_ns, s->old_uid);
		pn->arg64 = from_kuid_munged(user_ns, s->old_euid);
		break;
	case NOTIFY_PROC_GID:
		pn->arg = from_kgid_munged(user_ns, s->old_gid);
		pn->arg64 = from_kgid_munged(user_ns, s->old_egid);
		break;
	}
}

/**
 * proc_notify_build - Fill in a record about a task
 * @n: The record.
 * @s: Where to keep what the fix-up translates for each queue.
 * @task: The task.
 * @subtype: enum proc_notification_subtype.
 *
 * Context: Under rcu_read_lock(), held until the record is posted.
 * Return: The pid namespace the task lives in, or NULL if it has none any
 * more (it was reaped).
 */
static struct pid_namespace *proc_notify_build(struct proc_notification *n,
					       struct proc_notify_subject *s,
					       struct task_struct *task,
					       u32 subtype)
{
	struct task_struct *parent;
	const struct cred *cred;
	struct pid_namespace *ns;

	memset(s, 0, sizeof(*s));
	s->pid = task_pid(task);
	ns = ns_of_pid(s->pid);
	if (!ns)
		return NULL;
	s->tgid = task_tgid(task);
	parent = rcu_dereference(task->real_parent);
	s->ppid = task_pid(parent);
	s->ptgid = task_tgid(parent);

	cred = __task_cred(task);
	s->uid = cred->uid;
	s->euid = cred->euid;
	s->gid = cred->gid;
	s->egid = cred->egid;

	memset(n, 0, sizeof(*n));
	n->watch.type = WATCH_TYPE_PROC_NOTIFY;
	n->watch.subtype = subtype;
	n->watch.info = watch_sizeof(*n);
	if (!thread_group_leader(task)) {
		n->watch.info |= NOTIFY_PROC_INFO_THREAD;
		n->flags |= NOTIFY_PROC_THREAD;
	}
	n->pidns_id = ns->ns.ns_id;
	__get_task_comm(n->comm, sizeof(n->comm), task);
	return ns;
}

/**
 * proc_notify_deliver - Post a record to those watching a task's pid namespaces
 * @ns: The pid namespace the task lives in.
 * @n: The record.
 * @s: What the fix-up translates.
 *
 * The record goes to the watches on @ns and on each of its ancestors, at
 * most MAX_PID_NS_LEVEL + 1 lists, each walked under RCU.
 *
 * Context: Under rcu_read_lock(), which pins @ns and the struct pids of @s.
 * Does not sleep; must not be called with interrupts disabled (the queue
 * locks are taken with spin_lock_bh()).
 */
static void proc_notify_deliver(struct pid_namespace *ns,
				struct proc_notification *n,
				struct proc_notify_subject *s)
{
	struct watch_list *wlist;

	for (; ns; ns = ns->parent) {
		wlist = rcu_dereference(ns->proc_watchers);
		if (wlist)
			__post_watch_notification_fixup(wlist, &n->watch,
							current_cred(),
							ns->ns.ns_id,
							proc_notify_fixup, s);
	}
}

/**
 * __proc_notify_event - Post a record that carries nothing per subtype
 * @task: The task.
 * @subtype: NOTIFY_PROC_EXEC, NOTIFY_PROC_SETSID or NOTIFY_PROC_COMM.
 */
void __proc_notify_event(struct task_struct *task, u32 subtype)
{
	struct proc_notify_subject s;
	struct proc_notification n;
	struct pid_namespace *ns;

	rcu_read_lock();
	ns = proc_notify_build(&n, &s, task, subtype);
	if (ns)
		proc_notify_deliver(ns, &n, &s);
	rcu_read_unlock();
}

/**
 * __proc_notify_fork - Report a new task
 * @task: The new task, not yet woken up: its pids and creds are stable.
 * @clone_flags: The flags it was cloned with, without the exit signal.
 *
 * The record's clone flags have the exit signal in CSIGNAL, as clone()
 * takes them (clone3() refuses flags there).
 */
void __proc_notify_fork(struct task_struct *task, u64 clone_flags)
{
	struct proc_notify_subject s;
	struct proc_notification n;
	struct pid_namespace *ns;

	rcu_read_lock();
	ns = proc_notify_build(&n, &s, task, NOTIFY_PROC_FORK);
	if (ns) {
		s.other = task_pid(current);
		n.arg64 = clone_flags;
		if (task->exit_signal > 0)
			n.arg64 |= task->exit_signal & CSIGNAL;
		proc_notify_deliver(ns, &n, &s);
	}
	rcu_read_unlock();
}

/**
 * __proc_notify_exit - Report that the current task exits
 * @task: The current task, before exit_notify(): not yet a zombie, so its
 *	pids are all still attached.
 *
 * The wait status is the task's exit code, set by do_exit().
 */
void __proc_notify_exit(struct task_struct *task)
{
	struct proc_notify_subject s;
	struct proc_notification n;
	struct pid_namespace *ns;
	int code = task->exit_code;

	rcu_read_lock();
	ns = proc_notify_build(&n, &s, task, NOTIFY_PROC_EXIT);
	if (ns) {
		n.arg = code;
		n.arg64 = (u64)(s64)task->exit_signal;
		if (code & 0x7f)
			n.flags |= NOTIFY_PROC_SIGNALED;
		if (code & 0x80)
			n.flags |= NOTIFY_PROC_COREDUMPED;
		proc_notify_deliver(ns, &n, &s);
	}
	rcu_read_unlock();
}

/**
 * __proc_notify_creds - Report a change of a task's real or effective IDs
 * @task: The task whose credentials were just committed.
 * @old: Its credentials before.
 * @new: Its credentials now.
 *
 * One UID record if the real or effective uid changed, one GID record if
 * the real or effective gid changed; saved and filesystem IDs alone post
 * nothing.
 */
void __proc_notify_creds(struct task_struct *task, const struct cred *old,
			 const struct cred *new)
{
	struct proc_notify_subject s;
	struct proc_notification n;
	struct pid_namespace *ns;

	if (!uid_eq(old->uid, new->uid) || !uid_eq(old->euid, new->euid)) {
		rcu_read_lock();
		ns = proc_notify_build(&n, &s, task, NOTIFY_PROC_UID);
		if (ns) {
			s.old_uid = old->uid;
			s.old_euid = old->euid;
			proc_notify_deliver(ns, &n, &s);
		}
		rcu_read_unlock();
	}
	if (!gid_eq(old->gid, new->gid) || !gid_eq(old->egid, new->egid)) {
		rcu_read_lock();
		ns = proc_notify_build(&n, &s, task, NOTIFY_PROC_GID);
		if (ns) {
			s.old_gid = old->gid;
			s.old_egid = old->egid;
			proc_notify_deliver(ns, &n, &s);
		}
		rcu_read_unlock();
	}
}

/**
 * __proc_notify_ptrace - Report that the current task attached or detached
 * @task: The tracee.
 * @subtype: NOTIFY_PROC_PTRACE_ATTACH or NOTIFY_PROC_PTRACE_DETACH.
 * @seized: Attached by PTRACE_SEIZE.
 */
void __proc_notify_ptrace(struct task_struct *task, u32 subtype, bool seized)
{
	struct proc_notify_subject s;
	struct proc_notification n;
	struct pid_namespace *ns;

	rcu_read_lock();
	ns = proc_notify_build(&n, &s, task, subtype);
	if (ns) {
		s.other = task_pid(current);
		s.other_tgid = task_tgid(current);
		if (seized)
			n.flags |= NOTIFY_PROC_SEIZED;
		proc_notify_deliver(ns, &n, &s);
	}
	rcu_read_unlock();
}

/**
 * __proc_notify_coredump - Report a fatal signal that dumps core
 * @task: The current task.
 * @signr: The signal.
 */
void __proc_notify_coredump(struct task_struct *task, int signr)
{
	struct proc_notify_subject s;
	struct proc_notification n;
	struct pid_namespace *ns;

	rcu_read_lock();
	ns = proc_notify_build(&n, &s, task, NOTIFY_PROC_COREDUMP);
	if (ns) {
		n.arg = signr;
		proc_notify_deliver(ns, &n, &s);
	}
	rcu_read_unlock();
}

/**
 * proc_notify_release_watch - Account for a watch leaving a watch list
 * @watch: The watch.
 *
 * Called without locks held, in process context.
 */
static void proc_notify_release_watch(struct watch *watch)
{
	static_branch_slow_dec_deferred(&proc_notify_watched);
}

/**
 * proc_notify_pid_ns_watched - Whether a dead pid namespace has watches
 * @ns: The pid namespace, whose last reference is gone.
 *
 * Nothing can add a watch to @ns any more: that needs a reference.
 *
 * Return: true if proc_notify_pid_ns_free() has watches to remove, which
 * must then be called in process context.
 */
bool proc_notify_pid_ns_watched(struct pid_namespace *ns)
{
	return rcu_access_pointer(ns->proc_watchers);
}

/**
 * proc_notify_pid_ns_free - Remove the watches on a dying pid namespace
 * @ns: The pid namespace, about to be freed.
 *
 * Each watch gets a removal notice, whose ID is the namespace's ns_id.
 * Nothing can be posting through @ns any more: a poster's task lives in
 * @ns or a descendant, and each of those holds a reference on it.
 *
 * Context: Process context if proc_notify_pid_ns_watched(); else any.
 */
void proc_notify_pid_ns_free(struct pid_namespace *ns)
{
	struct watch_list *wlist;

	if (!rcu_access_pointer(ns->proc_watchers))
		return;

	mutex_lock(&proc_notify_lock);
	wlist = rcu_replace_pointer(ns->proc_watchers, NULL,
				    lockdep_is_held(&proc_notify_lock));
	mutex_unlock(&proc_notify_lock);

	remove_watch_list(wlist, ns->ns.ns_id);
}

/**
 * proc_notify_add - Add a watch on a pid namespace
 * @object: The watched pid namespace, pinned by the caller.
 * @watch: The watch, for watch_queue_set_watch().
 * @spare: A watch list to use if the namespace has none.
 *
 * Return: 0, -EBUSY if the queue already watches the namespace, or -ENOENT
 * if the queue was closed.
 */
static int proc_notify_add(void *object, struct watch *watch,
			   struct watch_list **spare)
{
	struct pid_namespace *pid_ns = object;
	struct watch_list *wlist;
	int ret;

	watch->id = pid_ns->ns.ns_id;

	/* Turn posting on before the watch can see anything. */
	static_branch_deferred_inc(&proc_notify_watched);

	mutex_lock(&proc_notify_lock);
	wlist = rcu_dereference_protected(pid_ns->proc_watchers,
					  lockdep_is_held(&proc_notify_lock));
	if (!wlist) {
		wlist = *spare;
		*spare = NULL;
		rcu_assign_pointer(pid_ns->proc_watchers, wlist);
	}
	ret = add_watch_to_object(watch, wlist);
	mutex_unlock(&proc_notify_lock);

	if (ret < 0)
		static_branch_slow_dec_deferred(&proc_notify_watched);
	return ret;
}

static const struct watch_object_ops proc_notify_watch_ops = {
	.add		= proc_notify_add,
	.release_watch	= proc_notify_release_watch,
};

/**
 * proc_notify_pid_ns_of - The pid namespace an nsfs file or a pidfd names
 * @fd: An nsfs file of a pid namespace (/proc/PID/ns/pid or
 *	pid_for_children), or a pidfd.
 *
 * A pidfd names the pid namespace the process lives in.
 *
 * Return: The pid namespace, referenced; ERR_PTR(-EBADF) if @fd is not
 * open, ERR_PTR(-EINVAL) if it is neither a pid namespace's file nor a
 * pidfd, ERR_PTR(-ESRCH) if the process is gone.
 */
static struct pid_namespace *proc_notify_pid_ns_of(int fd)
{
	struct ns_common *ns;
	struct pid *pid;

	CLASS(fd, f)(fd);

	if (fd_empty(f))
		return ERR_PTR(-EBADF);
	if (proc_ns_file(fd_file(f))) {
		ns = get_proc_ns(file_inode(fd_file(f)));
		if (ns->ops->type != CLONE_NEWPID)
			return ERR_PTR(-EINVAL);
		return get_pid_ns(container_of(ns, struct pid_namespace, ns));
	}
	pid = pidfd_pid(fd_file(f));
	if (IS_ERR(pid))
		return ERR_PTR(-EINVAL);
	if (!pid_has_task(pid, PIDTYPE_PID))
		return ERR_PTR(-ESRCH);
	return get_pid_ns(ns_of_pid(pid));
}

/**
 * proc_notify_watch - Set the watch that IOC_WATCH_QUEUE_WATCH asks for
 * @wqueue: The queue.
 * @w: The request; its common fields are checked.
 *
 * The object is a pid namespace, named by an nsfs file or by a pidfd
 * (WATCH_OBJECT_FD).  The caller needs CAP_SYS_ADMIN in the user
 * namespace that owns it: what it takes to mount a proc of that pid
 * namespace and read its tasks there.  The watch covers every task of
 * the namespace and of its descendants.
 *
 * Return: 0, -EINVAL, -EBADF, -ESRCH, -EPERM, -EBUSY, -EEXIST, -EAGAIN,
 * -ENOMEM, or an LSM's error.
 */
static long proc_notify_watch(struct watch_queue *wqueue,
			      const struct watch_queue_watch *w)
{
	struct pid_namespace *pid_ns;
	long ret;

	if (w->object != WATCH_OBJECT_FD || w->at_flags)
		return -EINVAL;
	pid_ns = proc_notify_pid_ns_of(w->fd);
	if (IS_ERR(pid_ns))
		return PTR_ERR(pid_ns);

	ret = -EPERM;
	if (!ns_capable(pid_ns->user_ns, CAP_SYS_ADMIN))
		goto out;
	ret = security_watch_proc(pid_ns);
	if (ret < 0)
		goto out;
	ret = watch_queue_set_watch(wqueue, w, pid_ns, &proc_notify_watch_ops);
out:
	put_pid_ns(pid_ns);
	return ret;
}

static const struct watch_source proc_notify_source = {
	.type		= WATCH_TYPE_PROC_NOTIFY,
	.record_size	= sizeof(struct proc_notification),
	.subtypes	= { GENMASK(NOTIFY_PROC_COREDUMP, NOTIFY_PROC_FORK) },
	.watch		= proc_notify_watch,
};

/**
 * proc_notify_init - Register the process event records and their watches
 *
 * Return: 0.
 */
static int __init proc_notify_init(void)
{
	watch_source_register(&proc_notify_source);
	return 0;
}
subsys_initcall(proc_notify_init);
