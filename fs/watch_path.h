/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path resolution shared by mount_notify() and sb_notify().
 */
#ifndef _FS_WATCH_PATH_H
#define _FS_WATCH_PATH_H

#include <linux/fcntl.h>
#include <linux/namei.h>

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

#endif /* _FS_WATCH_PATH_H */
