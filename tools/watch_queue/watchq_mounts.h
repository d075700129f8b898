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
 * @order: Where it was in its table before sorting (mnt_table_sort()).
 */
struct mnt_info {
	uint64_t id, parent, ns_id, sb_id;
	char point[MNT_STR];
	char source[MNT_STR];
	char fstype[64];
	char opts[64];
	bool gone;
	size_t order;
};

/* By ID, then by the order the entries were added in. */
static inline int mnt_info_cmp_order(const void *a, const void *b)
{
	const struct mnt_info *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The source of a mountinfo @line, into @buf ("?" if it has none). */
static inline void mnt_line_source(char *line, char *buf, size_t size)
{
	char *p, *sep;

	snprintf(buf, size, "?");
	sep = strstr(line, " - ");
	if (!sep)
		return;
	p = strchr(sep + 3, ' ');	/* skip the fs type */
	if (!p)
		return;
	p++;
	sep = strchr(p, ' ');
	if (sep)
		*sep = '\0';
	snprintf(buf, size, "%s", p);
}

/* The mount's source, from the mountinfo line of its old ID. */
static inline void mnt_source(unsigned int old_id, char *buf, size_t size)
{
	char line[4096];
	FILE *f;

	snprintf(buf, size, "?");
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if ((unsigned int)strtoul(line, NULL, 10) != old_id)
			continue;
		mnt_line_source(line, buf, size);
		break;
	}
	fclose(f);
}

/**
 * struct mnt_srcs - The sources of all mounts, from one read of mountinfo
 * @s: By old mount ID, sorted.
 * @nr: How many.
 *
 * A snapshot of N mounts reads mountinfo once, not once per mount.
 */
struct mnt_srcs {
	struct mnt_src {
		unsigned int old_id;
		char source[MNT_STR];
	} *s;
	size_t nr;
};

static inline int mnt_src_cmp(const void *a, const void *b)
{
	const struct mnt_src *x = a, *y = b;

	return x->old_id < y->old_id ? -1 : x->old_id > y->old_id;
}

/* Read every mount's source; an empty map if mountinfo can't be read. */
static inline void mnt_srcs_read(struct mnt_srcs *m)
{
	char line[4096];
	size_t cap = 0;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (m->nr == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct mnt_src *n = realloc(m->s, ncap * sizeof(*n));

			if (!n)
				break;
			m->s = n;
			cap = ncap;
		}
		m->s[m->nr].old_id = strtoul(line, NULL, 10);
		mnt_line_source(line, m->s[m->nr].source,
				sizeof(m->s[m->nr].source));
		m->nr++;
	}
	fclose(f);
	qsort(m->s, m->nr, sizeof(*m->s), mnt_src_cmp);
}

static inline void mnt_srcs_free(struct mnt_srcs *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
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
 * mnt_stat_srcs - Describe a mount that exists now
 * @id: Its unique ID.
 * @ns_id: Its namespace's ID, 0 for the caller's.
 * @mi: Filled in.
 * @srcs: The sources of mnt_srcs_read(), or NULL to read mountinfo.
 *
 * Return: 0, or -errno of statmount() (-ENOENT: the mount is gone).
 */
static inline int mnt_stat_srcs(uint64_t id, uint64_t ns_id,
				struct mnt_info *mi,
				const struct mnt_srcs *srcs)
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
	if (srcs) {
		struct mnt_src key = { .old_id = u.sm.mnt_id_old };
		const struct mnt_src *src = srcs->nr ?
			bsearch(&key, srcs->s, srcs->nr, sizeof(*srcs->s),
				mnt_src_cmp) : NULL;

		snprintf(mi->source, sizeof(mi->source), "%s",
			 src ? src->source : "?");
	} else {
		mnt_source(u.sm.mnt_id_old, mi->source, sizeof(mi->source));
	}
	return 0;
}

/* mnt_stat_srcs(), reading mountinfo for the source. */
static inline int mnt_stat(uint64_t id, uint64_t ns_id, struct mnt_info *mi)
{
	return mnt_stat_srcs(id, ns_id, mi, NULL);
}

/**
 * mnt_ns_change - The change counter of a mount's namespace
 * @id: The mount's unique ID.
 * @ns_id: Its namespace's ID, 0 for the caller's.
 *
 * Return: statmount()'s mnt_ns_change, or 0 if the mount is gone or the
 * kernel has no counter (before STATMOUNT_MNT_NS_CHANGE): a counter is
 * never 0 once anything changed, and 0 makes no record look old.
 */
static inline uint64_t mnt_ns_change(uint64_t id, uint64_t ns_id)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER1,
		.mnt_id = id,
		.param = STATMOUNT_MNT_NS_CHANGE,
		.mnt_ns_id = ns_id,
	};
	struct statmount sm;

	if (syscall(__NR_statmount, &req, &sm, sizeof(sm), 0) < 0 ||
	    !(sm.mask & STATMOUNT_MNT_NS_CHANGE))
		return 0;
	return sm.mnt_ns_change;
}

/**
 * mnt_rec_change - The change counter a mount record carries
 * @n: The record, of WATCH_TYPE_MOUNT_NOTIFY.
 * @len: Its length.
 *
 * Return: Its mnt_ns_change, or 0 for a record of an older kernel.
 */
static inline uint64_t mnt_rec_change(const struct watch_notification *n,
				      size_t len)
{
	const struct mount_attr_notification *a = (const void *)n;
	const struct mount_topology_notification *t = (const void *)n;

	if (n->subtype == NOTIFY_MOUNT_ATTR)
		return len >= MOUNT_ATTR_NOTIFICATION_SIZE_VER1 ?
		       a->mnt_ns_change : 0;
	return len >= MOUNT_NOTIFICATION_SIZE_VER1 ? t->mnt_ns_change : 0;
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
 * @m: The mounts: the first @sorted by ID, then those added since.
 * @nr: How many.
 * @cap: Room in @m.
 * @sorted: How many of @m are sorted.
 *
 * A lookup is a binary search of the sorted part and a walk of the rest,
 * which mnt_put() keeps short: a snapshot of N mounts costs O(N log N).
 */
struct mnt_table {
	struct mnt_info *m;
	size_t nr, cap, sorted;
};

#define MNT_TABLE_UNSORTED	32	/* Most mounts outside the sorted part */

static inline int mnt_info_cmp(const void *a, const void *b)
{
	const struct mnt_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static inline struct mnt_info *mnt_find(struct mnt_table *t, uint64_t id)
{
	struct mnt_info key = { .id = id }, *mi;
	size_t i;

	/* The latest entry of an ID wins: look at the newest part first. */
	for (i = t->nr; i > t->sorted; i--)
		if (t->m[i - 1].id == id)
			return &t->m[i - 1];
	mi = t->sorted ? bsearch(&key, t->m, t->sorted, sizeof(*t->m),
				 mnt_info_cmp) : NULL;
	return mi;
}

/* Sort the whole table; of two entries of one ID, keep the later. */
static inline void mnt_table_sort(struct mnt_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++)
		t->m[i].order = i;
	qsort(t->m, t->nr, sizeof(*t->m), mnt_info_cmp_order);
	for (i = 0; i < t->nr; i++) {
		if (n && t->m[n - 1].id == t->m[i].id)
			n--;
		t->m[n++] = t->m[i];
	}
	t->nr = n;
	t->sorted = n;
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
		t->sorted = 0;
		mnt_table_sort(t);
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
	if (t->nr - t->sorted > MNT_TABLE_UNSORTED)
		mnt_table_sort(t);
	return true;
}

/* Append @mi without looking for it: mnt_table_sort() merges duplicates. */
static inline bool mnt_append(struct mnt_table *t, const struct mnt_info *mi)
{
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
 * mountinfo is read once for the sources, and the table sorted once:
 * O(N log N) for N mounts.
 *
 * Return: 0, or -errno.
 */
static inline int mnt_snapshot(struct mnt_table *t, uint64_t root,
			       uint64_t ns_id, bool recursive)
{
	struct mnt_srcs srcs;
	struct mnt_info mi;
	uint64_t *ids = NULL;
	long nr = 0, i;
	int ret = 0;

	mnt_srcs_read(&srcs);
	if (root != LSMT_ROOT && !mnt_stat_srcs(root, ns_id, &mi, &srcs) &&
	    !mnt_append(t, &mi)) {
		ret = -ENOMEM;
		goto out;
	}
	if (root != LSMT_ROOT && !recursive)
		goto out;
	nr = mnt_list(root, ns_id, &ids);
	if (nr < 0) {
		ret = nr;
		goto out;
	}
	for (i = 0; i < nr; i++)
		if (!mnt_stat_srcs(ids[i], ns_id, &mi, &srcs) &&
		    !mnt_append(t, &mi)) {
			ret = -ENOMEM;
			break;
		}
	free(ids);
out:
	mnt_table_sort(t);
	mnt_srcs_free(&srcs);
	return ret;
}

#endif /* _WATCHQ_MOUNTS_H */
