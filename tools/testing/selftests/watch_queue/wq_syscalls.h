/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system calls the watch_queue selftests make that glibc 2.36 has no
 * wrapper for, in one place (as pidfd/pidfd.h does for its tests): each
 * takes the system call's arguments in its order and returns what
 * syscall() returns, -1 with errno set on failure.
 */
#ifndef _WQ_SYSCALLS_H
#define _WQ_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/types.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open	434
#endif
#ifndef __NR_clone3
#define __NR_clone3	435
#endif

struct mount_attr;
struct mnt_id_req;
struct statmount;
struct statx;

static inline long wq_keyctl(int cmd, unsigned long a2, unsigned long a3,
			     unsigned long a4, unsigned long a5)
{
	return syscall(__NR_keyctl, cmd, a2, a3, a4, a5);
}

static inline int32_t wq_add_key(const char *type, const char *desc,
				 const void *payload, size_t plen,
				 int32_t ring)
{
	return syscall(__NR_add_key, type, desc, payload, plen, ring);
}

static inline long wq_request_key(const char *type, const char *desc,
				  const char *callout, int32_t dest)
{
	return syscall(__NR_request_key, type, desc, callout, dest);
}

static inline long wq_statx(int dfd, const char *path, unsigned int flags,
			    unsigned int mask, struct statx *stx)
{
	return syscall(__NR_statx, dfd, path, flags, mask, stx);
}

static inline long wq_statmount(const struct mnt_id_req *req,
				struct statmount *sm, size_t size,
				unsigned int flags)
{
	return syscall(__NR_statmount, req, sm, size, flags);
}

static inline long wq_listmount(const struct mnt_id_req *req, __u64 *ids,
				size_t nr, unsigned int flags)
{
	return syscall(__NR_listmount, req, ids, nr, flags);
}

static inline long wq_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

static inline long wq_move_mount(int from_dfd, const char *from, int to_dfd,
				 const char *to, unsigned int flags)
{
	return syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline long wq_mount_setattr(int dfd, const char *path,
				    unsigned int flags,
				    struct mount_attr *attr, size_t size)
{
	return syscall(__NR_mount_setattr, dfd, path, flags, attr, size);
}

static inline long wq_fsopen(const char *fsname, unsigned int flags)
{
	return syscall(__NR_fsopen, fsname, flags);
}

static inline long wq_fsconfig(int fsfd, unsigned int cmd, const char *key,
			       const void *value, int aux)
{
	return syscall(__NR_fsconfig, fsfd, cmd, key, value, aux);
}

static inline long wq_fsmount(int fsfd, unsigned int flags,
			      unsigned int attr_flags)
{
	return syscall(__NR_fsmount, fsfd, flags, attr_flags);
}

static inline long wq_fspick(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_fspick, dfd, path, flags);
}

static inline long wq_pivot_root(const char *new_root, const char *put_old)
{
	return syscall(__NR_pivot_root, new_root, put_old);
}

static inline int wq_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

/* clone3()'s argument, spelt out to avoid <linux/sched.h> vs <sched.h>. */
struct wq_clone_args {
	__u64 flags, pidfd, child_tid, parent_tid, exit_signal;
	__u64 stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static inline long wq_clone3(struct wq_clone_args *args, size_t size)
{
	return syscall(__NR_clone3, args, size);
}

#endif /* _WQ_SYSCALLS_H */
