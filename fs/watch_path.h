/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path resolution for the watches that IOC_WATCH_QUEUE_WATCH sets on mounts
 * and superblocks.
 */
#ifndef _FS_WATCH_PATH_H
#define _FS_WATCH_PATH_H

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/kernel.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/watch_queue.h>

#define WATCH_PATH_AT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)

/**
 * watch_user_path - Resolve the path that a watch request names
 * @w: The request, WATCH_OBJECT_PATH: its fd, pathname and at_flags.
 * @extra: AT_* flags that the source takes besides the lookup flags
 *	(AT_RECURSIVE for mounts); they do not reach the lookup.
 * @path: Where to put the result; the caller must path_put() it.
 *
 * The AT_* flags are translated one by one into lookup flags; nothing the
 * caller passes reaches the path walk unchecked.  The usual permission
 * checks of the walk apply, so only what the caller can resolve can be
 * watched.
 *
 * Return: 0 on success, -EINVAL for an unknown flag, or the walk's error.
 */
static inline int watch_user_path(const struct watch_queue_watch *w,
				  unsigned int extra, struct path *path)
{
	unsigned int lookup_flags = LOOKUP_FOLLOW | LOOKUP_AUTOMOUNT;
	unsigned int at_flags = w->at_flags;

	if (at_flags & ~(WATCH_PATH_AT_FLAGS | extra))
		return -EINVAL;
	if (at_flags & AT_SYMLINK_NOFOLLOW)
		lookup_flags &= ~LOOKUP_FOLLOW;
	if (at_flags & AT_NO_AUTOMOUNT)
		lookup_flags &= ~LOOKUP_AUTOMOUNT;
	if (at_flags & AT_EMPTY_PATH)
		lookup_flags |= LOOKUP_EMPTY;
	return user_path_at(w->fd, u64_to_user_ptr(w->pathname), lookup_flags,
			    path);
}

#endif /* _FS_WATCH_PATH_H */
