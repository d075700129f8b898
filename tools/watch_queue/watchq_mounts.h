/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watchq_mounts.h - what watchq(1) knows of mounts: statmount() and
 * listmount() of one mount or a tree, and the table of the mounts it has
 * seen, which names mounts that are gone and which --resync diffs against.
 */
#ifndef _WATCHQ_MOUNTS_H
#define _WATCHQ_MOUNTS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include <linux/stat.h>

#include "watchq_names.h"

#define MNT_STR		256	/* Longest string kept of a mount */
#define MNT_LIST_MAX	65536	/* Most mounts listed in one snapshot */

/**
 * struct mnt_info - A mount, as statmount() and mountinfo describe it
 * @id: Its unique mount ID.
 * @parent: Its parent's.
 * @ns_id: Its mount namespace's ID.
 * @sb_id: Its superblock's ID (statmount()'s sb_id).
 * @point: Where it is mounted, as the caller's root sees it.
 * @source: Its source ("/dev/vda", "tmpfs"), from /proc/self/mountinfo:
 *	6.12's statmount() has no source field.
 * @fstype: Its filesystem type.
 * @opts: "ro" or "rw" and the other mount attributes, for diffs.
 * @gone: Detached: kept to name it in the records that follow (several
 *	watches may report one detach), not part of the tree any more.
 */
struct mnt_info {
	uint64_t id, parent, ns_id, sb_id;
	char point[MNT_STR];
	char source[MNT_STR];
	char fstype[64];
	char opts[64];
	bool gone;
};

/* The mount's source, from the mountinfo line of its old ID. */
static inline void mnt_source(unsigned int old_id, char *buf, size_t size)
{
	char line[4096], *p, *sep;
	FILE *f;
	int i;

	snprintf(buf, size, "?");
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if ((unsigned int)strtoul(line, NULL, 10) != old_id)
			continue;
		sep = strstr(line, " - ");
		if (!sep)
			break;
		p = sep + 3;
		for (i = 0; i < 1 && p; i++) {	/* skip the fs type */
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (p) {
			sep = strchr(p, ' ');
			if (sep)
				*sep = '\0';
			snprintf(buf, size, "%s", p);
		}
		break;
	}
	fclose(f);
}

/* The attribute names of MOUNT_ATTR_* bits, comma-separated. */
static inline void mnt_attr_names(uint64_t attr, char *buf, size_t size)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ MOUNT_ATTR_RDONLY, "ro" },
		{ MOUNT_ATTR_NOSUID, "nosuid" },
		{ MOUNT_ATTR_NODEV, "nodev" },
		{ MOUNT_ATTR_NOEXEC, "noexec" },
		{ MOUNT_ATTR_NOATIME, "noatime" },
		{ MOUNT_ATTR_STRICTATIME, "strictatime" },
		{ MOUNT_ATTR_NODIRATIME, "nodiratime" },
		{ MOUNT_ATTR_IDMAP, "idmapped" },
		{ MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow" },
	};
	size_t o = 0, i;

	snprintf(buf, size, "%s", attr & MOUNT_ATTR_RDONLY ? "ro" : "rw");
	o = strlen(buf);
	for (i = 1; i < WATCHQ_ARRAY_SIZE(names); i++)
		if ((attr & names[i].bit) && o + 1 < size)
			o += snprintf(buf + o, size - o, ",%s", names[i].name);
}

/**
 * mnt_stat - Describe a mount that exists now
 * @id: Its unique ID.
 * @ns_id: Its namespace's ID, 0 for the caller's.
 * @mi: Filled in.
 *
 * Return: 0, or -errno of statmount() (-ENOENT: the mount is gone).
 */
static inline int mnt_stat(uint64_t id, uint64_t ns_id, struct mnt_info *mi)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER1,
		.mnt_id = id,
		.param = STATMOUNT_MNT_BASIC | STATMOUNT_MNT_POINT |
			 STATMOUNT_FS_TYPE | STATMOUNT_MNT_NS_ID |
			 STATMOUNT_SB_ID,
		.mnt_ns_id = ns_id,
	};
	static union {
		struct statmount sm;
		char buf[16384];
	} u;

	memset(mi, 0, sizeof(*mi));
	if (syscall(__NR_statmount, &req, &u.sm, sizeof(u), 0) < 0)
		return -errno;
	mi->id = id;
	mi->parent = u.sm.mnt_parent_id;
	mi->ns_id = u.sm.mnt_ns_id;
	mi->sb_id = (u.sm.mask & STATMOUNT_SB_ID) ? u.sm.sb_id : 0;
	snprintf(mi->point, sizeof(mi->point), "%s",
		 (u.sm.mask & STATMOUNT_MNT_POINT) ? u.sm.str + u.sm.mnt_point : "?");
	snprintf(mi->fstype, sizeof(mi->fstype), "%s",
		 (u.sm.mask & STATMOUNT_FS_TYPE) ? u.sm.str + u.sm.fs_type : "?");
	mnt_attr_names(u.sm.mnt_attr, mi->opts, sizeof(mi->opts));
	mnt_source(u.sm.mnt_id_old, mi->source, sizeof(mi->source));
	return 0;
}

/**
 * mnt_sb_id - The superblock ID of a mount, and nothing else
 * @id: Its unique ID, in the caller's namespace.
 *
 * Return: statmount()'s sb_id, or 0 if the mount is gone.
 */
static inline uint64_t mnt_sb_id(uint64_t id)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = id,
		.param = STATMOUNT_SB_ID,
	};
	struct statmount sm;

	if (syscall(__NR_statmount, &req, &sm, sizeof(sm), 0) < 0 ||
	    !(sm.mask & STATMOUNT_SB_ID))
		return 0;
	return sm.sb_id;
}

/**
 * mnt_list - The IDs of the mounts below a mount, or of a whole namespace
 * @root: A mount ID, or LSMT_ROOT.
 * @ns_id: The namespace, 0 for the caller's.
 * @ids: Set to a malloc()ed array.
 *
 * Return: How many, or -errno of listmount().
 */
static inline long mnt_list(uint64_t root, uint64_t ns_id, uint64_t **ids)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER1,
		.mnt_id = root,
		.mnt_ns_id = ns_id,
	};
	size_t cap = 1024, nr = 0;
	long ret;

	*ids = NULL;
	for (;;) {
		uint64_t *n = realloc(*ids, cap * sizeof(**ids));

		if (!n) {
			free(*ids);
			*ids = NULL;
			return -ENOMEM;
		}
		*ids = n;
		ret = syscall(__NR_listmount, &req, *ids + nr, cap - nr, 0);
		if (ret < 0) {
			ret = -errno;
			free(*ids);
			*ids = NULL;
			return ret;
		}
		nr += ret;
		if ((size_t)ret < cap - (nr - ret) || nr >= MNT_LIST_MAX)
			return nr;
		req.param = (*ids)[nr - 1];
		cap *= 2;
	}
}

/**
 * struct mnt_table - The mounts watchq knows of
 * @m: The mounts, unordered.
 * @nr: How many.
 * @cap: Room in @m.
 */
struct mnt_table {
	struct mnt_info *m;
	size_t nr, cap;
};

static inline struct mnt_info *mnt_find(struct mnt_table *t, uint64_t id)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->m[i].id == id)
			return &t->m[i];
	return NULL;
}

/* Add or replace @mi in @t; false if out of memory. */
static inline bool mnt_put(struct mnt_table *t, const struct mnt_info *mi)
{
	struct mnt_info *old = mnt_find(t, mi->id);

	if (old) {
		*old = *mi;
		return true;
	}
	if (t->nr == t->cap) {
		size_t i, n = 0;

		/* Forget the mounts that are gone before growing. */
		for (i = 0; i < t->nr; i++)
			if (!t->m[i].gone)
				t->m[n++] = t->m[i];
		t->nr = n;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct mnt_info *n = realloc(t->m, cap * sizeof(*n));

		if (!n)
			return false;
		t->m = n;
		t->cap = cap;
	}
	t->m[t->nr++] = *mi;
	return true;
}

/* Mark @id gone: named "(gone, was ...)" still, but out of the tree. */
static inline void mnt_del(struct mnt_table *t, uint64_t id)
{
	struct mnt_info *mi = mnt_find(t, id);

	if (mi)
		mi->gone = true;
}

static inline void mnt_table_free(struct mnt_table *t)
{
	free(t->m);
	memset(t, 0, sizeof(*t));
}

/**
 * mnt_snapshot - Add a watched tree's mounts, as they are now, to a table
 * @t: The table.
 * @root: The watched mount, or LSMT_ROOT for a whole namespace.
 * @ns_id: Its namespace, 0 for the caller's.
 * @recursive: Also every mount below @root.
 *
 * Mounts that go between listmount() and statmount() are left out.
 *
 * Return: 0, or -errno.
 */
static inline int mnt_snapshot(struct mnt_table *t, uint64_t root,
			       uint64_t ns_id, bool recursive)
{
	struct mnt_info mi;
	uint64_t *ids;
	long nr, i;

	if (root != LSMT_ROOT && !mnt_stat(root, ns_id, &mi) &&
	    !mnt_put(t, &mi))
		return -ENOMEM;
	if (root != LSMT_ROOT && !recursive)
		return 0;
	nr = mnt_list(root, ns_id, &ids);
	if (nr < 0)
		return nr;
	for (i = 0; i < nr; i++)
		if (!mnt_stat(ids[i], ns_id, &mi) && !mnt_put(t, &mi)) {
			free(ids);
			return -ENOMEM;
		}
	free(ids);
	return 0;
}

#endif /* _WATCHQ_MOUNTS_H */
