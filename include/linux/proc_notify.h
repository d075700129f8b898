/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process event notifications: watch the tasks of a pid namespace.
 *
 * See Documentation/userspace-api/proc_notify.rst
 */
#ifndef _LINUX_PROC_NOTIFY_H
#define _LINUX_PROC_NOTIFY_H

#include <linux/jump_label_ratelimit.h>
#include <linux/types.h>
#include <uapi/linux/watch_queue.h>

struct cred;
struct pid_namespace;
struct task_struct;

#ifdef CONFIG_PROC_NOTIFICATIONS

extern struct static_key_false_deferred proc_notify_watched;

void __proc_notify_fork(struct task_struct *task, u64 clone_flags);
void __proc_notify_event(struct task_struct *task, u32 subtype);
void __proc_notify_exit(struct task_struct *task);
void __proc_notify_creds(struct task_struct *task, const struct cred *old,
			 const struct cred *new);
void __proc_notify_ptrace(struct task_struct *task, u32 subtype, bool seized);
void __proc_notify_coredump(struct task_struct *task, int signr);
bool proc_notify_pid_ns_watched(struct pid_namespace *ns);
void proc_notify_pid_ns_free(struct pid_namespace *ns);

/**
 * proc_notify_watching - Whether a process event watch may exist
 *
 * A static branch: off, it costs the hooks nothing more.  It goes off at
 * most once a second, some time after the last watch is removed.
 *
 * Return: false if nothing is watched.
 */
static inline bool proc_notify_watching(void)
{
	return static_branch_unlikely(&proc_notify_watched.key);
}

/**
 * proc_notify_fork - Report a new task
 * @task: The new task, not yet woken up.
 * @clone_flags: The flags it was cloned with.
 */
static inline void proc_notify_fork(struct task_struct *task, u64 clone_flags)
{
	if (proc_notify_watching())
		__proc_notify_fork(task, clone_flags);
}

/**
 * proc_notify_exec - Report that the current task exec()ed a program
 * @task: The current task.
 */
static inline void proc_notify_exec(struct task_struct *task)
{
	if (proc_notify_watching())
		__proc_notify_event(task, NOTIFY_PROC_EXEC);
}

/**
 * proc_notify_setsid - Report that a process made a new session
 * @task: Its leader.
 */
static inline void proc_notify_setsid(struct task_struct *task)
{
	if (proc_notify_watching())
		__proc_notify_event(task, NOTIFY_PROC_SETSID);
}

/**
 * proc_notify_comm - Report that a task's comm was set
 * @task: The task, current or a thread of its process.
 */
static inline void proc_notify_comm(struct task_struct *task)
{
	if (proc_notify_watching())
		__proc_notify_event(task, NOTIFY_PROC_COMM);
}

/**
 * proc_notify_exit - Report that the current task exits
 * @task: The current task, before exit_notify().
 *
 * Context: Process context, no lock held.
 */
static inline void proc_notify_exit(struct task_struct *task)
{
	if (proc_notify_watching())
		__proc_notify_exit(task);
}

/**
 * proc_notify_creds - Report a change of a task's real or effective IDs
 * @task: The task whose credentials were just committed.
 * @old: Its credentials before.
 * @new: Its credentials now.
 */
static inline void proc_notify_creds(struct task_struct *task,
				     const struct cred *old,
				     const struct cred *new)
{
	if (proc_notify_watching())
		__proc_notify_creds(task, old, new);
}

/**
 * proc_notify_ptrace - Report that the current task attached or detached
 * @task: The tracee.
 * @subtype: NOTIFY_PROC_PTRACE_ATTACH or NOTIFY_PROC_PTRACE_DETACH.
 * @seized: Attached by PTRACE_SEIZE.
 */
static inline void proc_notify_ptrace(struct task_struct *task, u32 subtype,
				      bool seized)
{
	if (proc_notify_watching())
		__proc_notify_ptrace(task, subtype, seized);
}

/**
 * proc_notify_coredump - Report a fatal signal that dumps core
 * @task: The current task.
 * @signr: The signal.
 */
static inline void proc_notify_coredump(struct task_struct *task, int signr)
{
	if (proc_notify_watching())
		__proc_notify_coredump(task, signr);
}

#else

static inline bool proc_notify_watching(void)
{
	return false;
}

static inline void proc_notify_fork(struct task_struct *task, u64 clone_flags) {}
static inline void proc_notify_exec(struct task_struct *task) {}
static inline void proc_notify_setsid(struct task_struct *task) {}
static inline void proc_notify_comm(struct task_struct *task) {}
static inline void proc_notify_exit(struct task_struct *task) {}
static inline void proc_notify_creds(struct task_struct *task,
				     const struct cred *old,
				     const struct cred *new) {}
static inline void proc_notify_ptrace(struct task_struct *task, u32 subtype,
				      bool seized) {}
static inline void proc_notify_coredump(struct task_struct *task, int signr) {}

static inline bool proc_notify_pid_ns_watched(struct pid_namespace *ns)
{
	return false;
}

static inline void proc_notify_pid_ns_free(struct pid_namespace *ns) {}

#endif /* CONFIG_PROC_NOTIFICATIONS */

#endif /* _LINUX_PROC_NOTIFY_H */
