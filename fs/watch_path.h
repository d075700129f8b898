/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path resolution shared by mount_notify() and sb_notify().
 */
#ifndef _FS_WATCH_PATH_H
#define _FS_WATCH_PATH_H

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/watch_queue.h>

#define WATCH_PATH_AT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)

/**
 * watch_user_path - Resolve the object named by a watch system call
 * @dfd: Directory file descriptor, or AT_FDCWD
 * @filename: User pointer to the path
 * @at_flags: AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT and AT_EMPTY_PATH only
 * @path: Where to put the result; the caller must path_put() it
 *
 * The AT_* flags are translated one by one into lookup flags; nothing the
 * caller passes reaches the path walk unchecked.  The usual permission
 * checks of the walk apply, so only what the caller can resolve can be
 * watched.
 *
 * Return: 0 on success, -EINVAL for an unknown flag, or the walk's error.
 */
static inline int watch_user_path(int dfd, const char __user *filename,
				  unsigned int at_flags, struct path *path)
{
	unsigned int lookup_flags = LOOKUP_FOLLOW | LOOKUP_AUTOMOUNT;

	if (at_flags & ~WATCH_PATH_AT_FLAGS)
		return -EINVAL;
	if (at_flags & AT_SYMLINK_NOFOLLOW)
		lookup_flags &= ~LOOKUP_FOLLOW;
	if (at_flags & AT_NO_AUTOMOUNT)
		lookup_flags &= ~LOOKUP_AUTOMOUNT;
	if (at_flags & AT_EMPTY_PATH)
		lookup_flags |= LOOKUP_EMPTY;
	return user_path_at(dfd, filename, lookup_flags, path);
}

/**
 * watch_path_syscall - Add or remove a watch on the object a path names
 * @dfd: Directory file descriptor, or AT_FDCWD
 * @filename: User pointer to the path
 * @at_flags: AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT and AT_EMPTY_PATH only
 * @watch_fd: A /dev/watch_queue fd or a notification pipe
 * @watch_id: 0..255 to add a watch with that ID, -1 to remove one
 * @ops: How the source attaches watches; its object is the struct path
 *
 * The body of mount_notify() and sb_notify(): the path, then the core's
 * watch_queue_set_watch_fd().
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOENT, -EBUSY, -EAGAIN, -ENOMEM, or a
 * lookup error.
 */
static inline long watch_path_syscall(int dfd, const char __user *filename,
				      unsigned int at_flags, int watch_fd,
				      int watch_id,
				      const struct watch_object_ops *ops)
{
	struct path path;
	long ret;

	if (watch_id < -1 || watch_id > 0xff)
		return -EINVAL;

	ret = watch_user_path(dfd, filename, at_flags, &path);
	if (ret)
		return ret;
	ret = watch_queue_set_watch_fd(watch_fd, watch_id, &path, ops);
	path_put(&path);
	return ret;
}

#endif /* _FS_WATCH_PATH_H */
