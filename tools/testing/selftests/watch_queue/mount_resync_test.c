// SPDX-License-Identifier: GPL-2.0
/*
 * The change counters of mount namespaces and superblocks, and the resync
 * they make possible, through /dev/watch_queue and notification pipes.
 *
 * Every mount and superblock record carries the counter of its namespace or
 * superblock after its change, and statmount() reports both counters
 * (STATMOUNT_MNT_NS_CHANGE, STATMOUNT_SB_CHANGE): the tests compare the two
 * after single changes, check that the counters count with no watch, are
 * monotonic and per namespace and per superblock, and that a user reads only
 * the counters of what statmount() already shows it, and of those only the
 * superblock's if it may watch the superblock and the namespace's if its
 * root shows the whole namespace or it has CAP_SYS_ADMIN over it.
 *
 * Then a monitor, as Documentation/userspace-api/mount_notify.rst says to
 * write one, keeps a table of the mounts below a watched mount: it reads
 * the counter C0, takes a listmount()/statmount() snapshot, reads C1, and
 * applies only the records whose counter is above C0; after a loss it does
 * it again for the watched subtree.  A storm of mounts overflows a one-page
 * ring (a pipe of 64 notes), alone and under concurrent churn on the two
 * vCPUs of the guest; in the end the monitor's table must equal a fresh
 * snapshot, with no mount missing and none twice.
 *
 * Each test works in a tmpfs mounted on a fresh directory under /tmp and
 * made private, and unmounts it in the end.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_records.h"

/* The counters end the records, after the fields of the first version. */
static_assert(offsetof(struct mount_topology_notification, mnt_ns_change) ==
	      MOUNT_NOTIFICATION_SIZE_VER0, "mount VER0");
static_assert(sizeof(struct mount_topology_notification) ==
	      MOUNT_NOTIFICATION_SIZE_VER1, "mount VER1");
static_assert(offsetof(struct mount_attr_notification, mnt_ns_change) ==
	      MOUNT_ATTR_NOTIFICATION_SIZE_VER0, "attr VER0");
static_assert(sizeof(struct mount_attr_notification) ==
	      MOUNT_ATTR_NOTIFICATION_SIZE_VER1, "attr VER1");
static_assert(offsetof(struct superblock_state_notification, sb_change) ==
	      SUPERBLOCK_NOTIFICATION_SIZE_VER0, "sb VER0");
static_assert(sizeof(struct superblock_state_notification) ==
	      SUPERBLOCK_NOTIFICATION_SIZE_VER1, "sb VER1");
static_assert(offsetof(struct superblock_error_notification, sb_change) ==
	      SUPERBLOCK_ERROR_NOTIFICATION_SIZE_VER0, "error VER0");
static_assert(sizeof(struct superblock_error_notification) ==
	      SUPERBLOCK_ERROR_NOTIFICATION_SIZE_VER1, "error VER1");
static_assert(offsetof(struct superblock_quota_notification, sb_change) ==
	      SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER0, "quota VER0");
static_assert(sizeof(struct superblock_quota_notification) ==
	      SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER1, "quota VER1");
/* Where the watch_queue patch set's statmount() fields are. */
static_assert(offsetof(struct statmount, sb_id) ==
	      offsetof(struct statmount, sb_change) + 8, "sb_change");
static_assert(offsetof(struct statmount, sb_change) ==
	      offsetof(struct statmount, mnt_ns_change) + 8, "mnt_ns_change");
static_assert(sizeof(struct statmount) == 512, "struct statmount");

#define REC		AT_RECURSIVE
#define STORM		150	/* Mounts of a storm: overflows either queue */
#define STORM_UMOUNT	50	/* Of which unmounted again */
#define CHURN_MS	2000	/* How long the churn threads run */
#define QUIET_MS	300	/* No record for so long: the monitor caught up */

/**
 * struct sm_counters - The counters statmount() reports for a mount
 * @ns: Its mount namespace's (mnt_ns_change).
 * @sb: Its superblock's (sb_change).
 */
struct sm_counters {
	__u64 ns, sb;
};

/*
 * statmount() the counters of the mount @mnt_id of the namespace @ns_id
 * (0: the caller's) into @c; 0, or -1 with errno (EOPNOTSUPP if a bit is
 * missing from the mask).
 */
static int sm_counters_id(__u64 mnt_id, __u64 ns_id, struct sm_counters *c)
{
	struct mnt_id_req req = {
		.size = sizeof(req),
		.mnt_id = mnt_id,
		.param = STATMOUNT_MNT_NS_CHANGE | STATMOUNT_SB_CHANGE,
		.mnt_ns_id = ns_id,
	};
	struct statmount sm;

	memset(&sm, 0, sizeof(sm));
	if (wq_statmount(&req, &sm, sizeof(sm), 0))
		return -1;
	if ((sm.mask & (STATMOUNT_MNT_NS_CHANGE | STATMOUNT_SB_CHANGE)) !=
	    (STATMOUNT_MNT_NS_CHANGE | STATMOUNT_SB_CHANGE)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	c->ns = sm.mnt_ns_change;
	c->sb = sm.sb_change;
	return 0;
}

/*
 * Which of the two counters statmount() refuses to give for the mount
 * @mnt_id of the namespace @ns_id (0: the caller's), asking for both with
 * STATMOUNT_MNT_BASIC: the bits missing from its mask, or ~0 on failure.
 */
static __u64 sm_mask_id(__u64 mnt_id, __u64 ns_id)
{
	const __u64 want = STATMOUNT_MNT_NS_CHANGE | STATMOUNT_SB_CHANGE;
	struct mnt_id_req req = {
		.size = sizeof(req),
		.mnt_id = mnt_id,
		.param = want | STATMOUNT_MNT_BASIC,
		.mnt_ns_id = ns_id,
	};
	struct statmount sm;

	memset(&sm, 0, sizeof(sm));
	if (wq_statmount(&req, &sm, sizeof(sm), 0) ||
	    !(sm.mask & STATMOUNT_MNT_BASIC) || sm.mnt_id != mnt_id)
		return ~0ULL;
	/* A counter refused reads 0. */
	if ((!(sm.mask & STATMOUNT_MNT_NS_CHANGE) && sm.mnt_ns_change) ||
	    (!(sm.mask & STATMOUNT_SB_CHANGE) && sm.sb_change))
		return ~0ULL;
	return want & ~sm.mask;
}

/* The counters of the mount @path is on, in the caller's namespace. */
static int sm_counters(const char *path, struct sm_counters *c)
{
	__u64 id = wq_mount_id(AT_FDCWD, path, 0);

	return id ? sm_counters_id(id, 0, c) : -1;
}

/* The mount namespace's counter of the mount @path is on; 0 on failure. */
static __u64 ns_change(const char *path)
{
	struct sm_counters c;

	return sm_counters(path, &c) ? 0 : c.ns;
}

/* The counter a mount record carries, or 0 if it is too short for one. */
static __u64 rec_ns_change(const void *buf, size_t len)
{
	const struct mount_attr_notification *a = buf;
	const struct mount_topology_notification *t = buf;
	const struct watch_notification *n = buf;

	if (wq_subtype(n) == NOTIFY_MOUNT_ATTR)
		return len >= MOUNT_ATTR_NOTIFICATION_SIZE_VER1 ?
		       a->mnt_ns_change : 0;
	return len >= MOUNT_NOTIFICATION_SIZE_VER1 ? t->mnt_ns_change : 0;
}

/* The counter a superblock record carries, or 0. */
static __u64 rec_sb_change(const void *buf, size_t len)
{
	const struct superblock_state_notification *s = buf;
	const struct superblock_error_notification *e = buf;
	const struct superblock_quota_notification *qn = buf;
	const struct watch_notification *n = buf;

	switch (wq_subtype(n)) {
	case NOTIFY_SUPERBLOCK_ERROR:
		return len >= SUPERBLOCK_ERROR_NOTIFICATION_SIZE_VER1 ?
		       e->sb_change : 0;
	case NOTIFY_SUPERBLOCK_EDQUOT:
		return len >= SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER1 ?
		       qn->sb_change : 0;
	}
	return len >= SUPERBLOCK_NOTIFICATION_SIZE_VER1 ? s->sb_change : 0;
}

/* A mount of a table: its unique ID and its parent's. */
struct mrec {
	__u64 id, parent;
};

/* A table of mounts, unordered until sorted. */
struct mtab {
	struct mrec *e;
	size_t nr, cap;
};

static struct mrec *mtab_find(struct mtab *t, __u64 id)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->e[i].id == id)
			return &t->e[i];
	return NULL;
}

/* Add @id under @parent, or move it there; -1 if out of memory. */
static int mtab_put(struct mtab *t, __u64 id, __u64 parent)
{
	struct mrec *e = mtab_find(t, id);

	if (e) {
		e->parent = parent;
		return 0;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct mrec *n = realloc(t->e, cap * sizeof(*n));

		if (!n)
			return -1;
		t->e = n;
		t->cap = cap;
	}
	t->e[t->nr].id = id;
	t->e[t->nr].parent = parent;
	t->nr++;
	return 0;
}

static void mtab_del(struct mtab *t, __u64 id)
{
	struct mrec *e = mtab_find(t, id);

	if (e)
		*e = t->e[--t->nr];
}

static int mrec_cmp(const void *a, const void *b)
{
	const struct mrec *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Fill @t with the mounts below @root as they are now: listmount() of the
 * subtree, then statmount() of each for its parent; a mount gone between
 * the two is left out.  0, or -1 with errno.
 */
static int mtab_snapshot(struct mtab *t, __u64 root)
{
	struct mnt_id_req req = { .size = sizeof(req), .mnt_id = root };
	__u64 ids[256];
	long nr, i;

	t->nr = 0;
	for (;;) {
		nr = wq_listmount(&req, ids, ARRAY_SIZE(ids), 0);
		if (nr < 0)
			return -1;
		for (i = 0; i < nr; i++) {
			struct mnt_id_req sreq = {
				.size = sizeof(sreq),
				.mnt_id = ids[i],
				.param = STATMOUNT_MNT_BASIC,
			};
			struct statmount sm;

			if (wq_statmount(&sreq, &sm, sizeof(sm), 0)) {
				if (errno == ENOENT)
					continue;
				return -1;
			}
			if (mtab_put(t, ids[i], sm.mnt_parent_id))
				return -1;
		}
		if (nr < (long)ARRAY_SIZE(ids))
			return 0;
		req.param = ids[nr - 1];
	}
}

/**
 * struct monitor - A table of the mounts below a watched mount, kept by
 *	the records and resynchronised after a loss
 * @q: The queue of the watch (on @root, AT_RECURSIVE).
 * @root: The watched mount.
 * @root_path: A path on it, for statmount().
 * @t: The mounts below @root.
 * @c0: The counter before the last snapshot: records up to it are in it.
 * @c1: The counter after it: records above it are not.
 * @lost_seen: The ring's count of lost records when last resynchronised.
 * @resyncs: Snapshots taken, the first included.
 * @skipped: Records ignored as the last snapshot included them.
 * @applied: Records applied to the table.
 * @maybe: Of those, records the snapshot may have included already.
 * @last: The counter of the last record applied.
 * @bad: Why the monitor failed, or NULL.
 */
struct monitor {
	struct wq_queue *q;
	__u64 root;
	const char *root_path;
	struct mtab t;
	__u64 c0, c1;
	__u64 lost_seen;
	int resyncs, skipped, applied, maybe;
	__u64 last;
	const char *bad;
};

/* Steps 2 to 4: C0, a snapshot of the watched subtree, C1. */
static int mon_resync(struct monitor *m)
{
	m->c0 = ns_change(m->root_path);
	if (!m->c0 && errno) {
		m->bad = "statmount(STATMOUNT_MNT_NS_CHANGE) before the snapshot";
		return -1;
	}
	if (mtab_snapshot(&m->t, m->root)) {
		m->bad = "listmount()/statmount() snapshot";
		return -1;
	}
	m->c1 = ns_change(m->root_path);
	if (m->c1 < m->c0) {
		m->bad = "the counter went back across a snapshot";
		return -1;
	}
	m->resyncs++;
	return 0;
}

/*
 * Step 5 for one record: apply it if its counter is above C0.  Returns 1
 * if the record says records were lost (a resync is due), 0 otherwise, -1
 * if the record is wrong.
 */
static int mon_apply(struct monitor *m, const void *buf, size_t len)
{
	const struct mount_notification *r = buf;
	const struct watch_notification *n = buf;
	__u64 change;

	if (wq_type(n) == WATCH_TYPE_META)
		return wq_subtype(n) == WATCH_META_LOSS_NOTIFICATION;
	if (wq_type(n) != WATCH_TYPE_MOUNT_NOTIFY) {
		m->bad = "a record of another type";
		return -1;
	}
	change = rec_ns_change(buf, len);
	if (!change) {
		m->bad = "a mount record without its change counter";
		return -1;
	}
	if (change <= m->c0) {
		m->skipped++;
		return 0;
	}
	if (change <= m->c1)
		m->maybe++;
	/*
	 * Topology records come in counter order across operations, and
	 * within the tests' (none tucks a mount under a propagated copy).
	 */
	if (wq_subtype(n) != NOTIFY_MOUNT_ATTR && change < m->last) {
		m->bad = "topology records out of counter order";
		return -1;
	}
	m->last = change;
	m->applied++;
	switch (wq_subtype(n)) {
	case NOTIFY_MOUNT_ATTACH:
	case NOTIFY_MOUNT_MOVE_TO:
		return mtab_put(&m->t, r->mnt_id, r->mnt_parent_id) ? -1 : 0;
	case NOTIFY_MOUNT_DETACH:
	case NOTIFY_MOUNT_EXPIRY:
	case NOTIFY_MOUNT_MOVE_FROM:
		mtab_del(&m->t, r->mnt_id);
		return 0;
	}
	return 0;
}

/*
 * Read and apply records until none came for @quiet_ms, resynchronising
 * on every loss: a loss record, or (on the device) a loss the ring's
 * header counts before the kernel could post its record.  -1 on failure.
 */
static int mon_run(struct monitor *m, int quiet_ms)
{
	unsigned char buf[WQ_REC_MAX];
	ssize_t len;
	int ret;

	for (;;) {
		if (!m->q->use_pipe && watchq_lost(&m->q->q) > m->lost_seen) {
			m->lost_seen = watchq_lost(&m->q->q);
			if (mon_resync(m))
				return -1;
		}
		len = wq_queue_next(m->q, buf, sizeof(buf), quiet_ms);
		if (len < 0) {
			m->bad = "reading the queue";
			return -1;
		}
		if (len == 0) {
			if (!m->q->use_pipe &&
			    watchq_lost(&m->q->q) > m->lost_seen)
				continue;
			return 0;
		}
		ret = mon_apply(m, buf, len);
		if (ret < 0)
			return -1;
		/* On the device, the header said so already, or will. */
		if (ret > 0 && m->q->use_pipe && mon_resync(m))
			return -1;
	}
}

/*
 * The monitor's table must equal a fresh snapshot: the same mounts, each
 * once, under the same parents.  0, or -1 with @err filled in.
 */
static int mon_compare(struct monitor *m, char *err, size_t size)
{
	struct mtab fresh = { 0 };
	size_t i;
	int ret = -1;

	if (mtab_snapshot(&fresh, m->root)) {
		snprintf(err, size, "fresh snapshot: %s", strerror(errno));
		return -1;
	}
	qsort(m->t.e, m->t.nr, sizeof(*m->t.e), mrec_cmp);
	qsort(fresh.e, fresh.nr, sizeof(*fresh.e), mrec_cmp);
	for (i = 1; i < m->t.nr; i++)
		if (m->t.e[i].id == m->t.e[i - 1].id) {
			snprintf(err, size, "mount %llu twice in the table",
				 (unsigned long long)m->t.e[i].id);
			goto out;
		}
	for (i = 0; i < m->t.nr && i < fresh.nr; i++)
		if (m->t.e[i].id != fresh.e[i].id ||
		    m->t.e[i].parent != fresh.e[i].parent) {
			snprintf(err, size,
				 "entry %zu: table has %llu under %llu, the mounts %llu under %llu",
				 i, (unsigned long long)m->t.e[i].id,
				 (unsigned long long)m->t.e[i].parent,
				 (unsigned long long)fresh.e[i].id,
				 (unsigned long long)fresh.e[i].parent);
			goto out;
		}
	if (m->t.nr != fresh.nr) {
		snprintf(err, size, "table has %zu mounts, there are %zu",
			 m->t.nr, fresh.nr);
		goto out;
	}
	ret = 0;
out:
	free(fresh.e);
	return ret;
}

FIXTURE(rs) {
	struct wq_queue q;
	char base[64];
	int mounted;
	__u64 base_id;
};

FIXTURE_VARIANT(rs) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(rs, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(rs, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(rs)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	snprintf(self->base, sizeof(self->base), "/tmp/wq-resync.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	ASSERT_EQ(0, mount("wqbase", self->base, "tmpfs", 0, "mode=0755"))
		TH_LOG("mount %s: %s", self->base, strerror(errno));
	self->mounted = 1;
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_PRIVATE, NULL));
	self->base_id = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, self->base_id);
	wq_expect_ns_id = wq_mnt_ns_id(self->base);
	ASSERT_NE(0ULL, wq_expect_ns_id);
}

FIXTURE_TEARDOWN(rs)
{
	wq_queue_close(&self->q);
	if (self->mounted)
		umount2(self->base, MNT_DETACH);
	rmdir(self->base);
}

/*
 * Read the next record, which must be a mount record of subtype @st about
 * the mount @want, and return its counter (0 on a mismatch, logged).
 */
#define NEXT_MNT_CHANGE(q, st, want) ({				\
	unsigned char _b[WQ_REC_MAX];					\
	const struct mount_notification *_m = (const void *)_b;	\
	ssize_t _l = wq_queue_next(q, _b, sizeof(_b), WAIT_MS);		\
	__u64 _c = 0, _want = (want);					\
									\
	if (_l > 0 && wq_type(&_m->watch) == WATCH_TYPE_MOUNT_NOTIFY &&	\
	    wq_subtype(&_m->watch) == NOTIFY_MOUNT_##st &&		\
	    _m->mnt_id == _want)					\
		_c = rec_ns_change(_b, _l);				\
	else								\
		TH_LOG("want %s of %llu, got %zd bytes: type %u subtype %u", \
		       #st, (unsigned long long)_want, _l,		\
		       _l > 0 ? wq_type(&_m->watch) : 0,		\
		       _l > 0 ? wq_subtype(&_m->watch) : 0);		\
	_c;								\
})

/*
 * Each change moves the counter by one, and its records carry what
 * statmount() reads right after it: a mount, a bind, a move (both its
 * records), an attribute change, an unmount.
 */
TEST_F(rs, record_counter_is_statmount_counter)
{
	struct wq_queue *q = &self->q;
	__u64 c, before, a, b;

	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	before = ns_change(self->base);
	ASSERT_NE(0ULL, before) TH_LOG("statmount: %s", strerror(errno));

	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	a = wq_mount_id(AT_FDCWD, AT("a"), 0);
	c = ns_change(self->base);
	ASSERT_EQ(before + 1, c);
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, ATTACH, a));

	ASSERT_EQ(0, mkdir(AT("b"), 0755));
	ASSERT_EQ(0, mount(AT("a"), AT("b"), NULL, MS_BIND, NULL));
	b = wq_mount_id(AT_FDCWD, AT("b"), 0);
	ASSERT_EQ(c + 1, ns_change(self->base));
	c++;
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, ATTACH, b));

	ASSERT_EQ(0, mkdir(AT("m"), 0755));
	ASSERT_EQ(0, mount(AT("b"), AT("m"), NULL, MS_MOVE, NULL));
	ASSERT_EQ(c + 1, ns_change(self->base));
	c++;
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, MOVE_FROM, b));
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, MOVE_TO, b));

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	ASSERT_EQ(c + 1, ns_change(self->base));
	c++;
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, ATTR, a));

	ASSERT_EQ(0, umount(AT("m")));
	ASSERT_EQ(c + 1, ns_change(self->base));
	c++;
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, DETACH, b));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_EQ(c + 1, ns_change(self->base));
	c++;
	ASSERT_EQ(c, NEXT_MNT_CHANGE(q, DETACH, a));
	ASSERT_NO_RECS(q);
}

/*
 * The counter counts with nothing watching, and a change that leaves the
 * attributes as they were does not count.
 */
TEST_F(rs, counts_unwatched)
{
	__u64 c = ns_change(self->base);

	ASSERT_NE(0ULL, c) TH_LOG("statmount: %s", strerror(errno));
	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	ASSERT_EQ(c + 1, ns_change(self->base));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_REMOUNT | MS_BIND, NULL));
	ASSERT_EQ(c + 1, ns_change(self->base));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_EQ(c + 2, ns_change(self->base));
}

/*
 * Counters are per namespace: a child's changes in a namespace of its own
 * move its counter and not ours, and the records of a tree of mounts
 * carry values within the change.
 */
TEST_F(rs, per_namespace)
{
	struct wq_queue *q = &self->q;
	int status, i;
	__u64 c;
	pid_t pid;

	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	c = ns_change(self->base);
	ASSERT_NE(0ULL, c);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 own, ns_id;

		if (unshare(CLONE_NEWNS))
			_exit(1);
		ns_id = wq_mnt_ns_id(self->base);
		own = ns_change(self->base);
		if (!ns_id || ns_id == wq_expect_ns_id)
			_exit(2);
		for (i = 0; i < 5; i++) {
			if (mount_tmpfs(AT("x"), NULL))
				_exit(3);
			if (ns_change(self->base) != own + 2 * i + 1)
				_exit(4);
			if (umount(AT("x")))
				_exit(5);
		}
		if (ns_change(self->base) != own + 10)
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Nothing of the child's namespace, its teardown included. */
	ASSERT_EQ(c, ns_change(self->base));
	ASSERT_NO_RECS(q);

	/* An rbind of a tree: one change, every record carrying it. */
	ASSERT_EQ(0, mount_tmpfs(AT("t"), NULL));
	ASSERT_EQ(0, mount_tmpfs(AT("t/u"), NULL));
	ASSERT_EQ(0, mount_tmpfs(AT("t/u/v"), NULL));
	ASSERT_EQ(c + 3, ns_change(self->base));
	for (i = 0; i < 3; i++) {
		unsigned char buf[WQ_REC_MAX];
		ssize_t len = wq_queue_next(q, buf, sizeof(buf), WAIT_MS);

		ASSERT_EQ(c + 1 + i, rec_ns_change(buf, len));
	}
	ASSERT_EQ(0, mkdir(AT("r"), 0755));
	ASSERT_EQ(0, mount(AT("t"), AT("r"), NULL, MS_BIND | MS_REC, NULL));
	ASSERT_EQ(c + 4, ns_change(self->base));
	for (i = 0; i < 3; i++) {
		unsigned char buf[WQ_REC_MAX];
		ssize_t len = wq_queue_next(q, buf, sizeof(buf), WAIT_MS);

		ASSERT_EQ(NOTIFY_MOUNT_ATTACH,
			  (int)wq_subtype((const void *)buf));
		ASSERT_EQ(c + 4, rec_ns_change(buf, len));
	}
	/* A lazy unmount of the tree: one step per mount detached. */
	ASSERT_EQ(0, umount2(AT("r"), MNT_DETACH));
	ASSERT_EQ(c + 7, ns_change(self->base));
	for (i = 0; i < 3; i++) {
		unsigned char buf[WQ_REC_MAX];
		ssize_t len = wq_queue_next(q, buf, sizeof(buf), WAIT_MS);

		ASSERT_EQ(NOTIFY_MOUNT_DETACH,
			  (int)wq_subtype((const void *)buf));
		ASSERT_LT(c + 4, rec_ns_change(buf, len));
		ASSERT_GE(c + 7, rec_ns_change(buf, len));
	}
	ASSERT_NO_RECS(q);
}

/*
 * The superblock's counter: its records carry what statmount() reads
 * after the change; it counts unwatched; another superblock's changes do
 * not move it.
 */
TEST_F(rs, superblock_counter)
{
	struct wq_queue *q = &self->q;
	unsigned char buf[WQ_REC_MAX];
	struct sm_counters c, o, now;
	ssize_t len;

	ASSERT_EQ(0, mount_tmpfs(AT("other"), NULL));
	ASSERT_EQ(0, sm_counters(self->base, &c))
		TH_LOG("statmount: %s", strerror(errno));
	ASSERT_EQ(0, sm_counters(AT("other"), &o));

	/* Unwatched. */
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, "size=2m"));
	ASSERT_EQ(0, sm_counters(self->base, &now));
	ASSERT_EQ(c.sb + 1, now.sb);

	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 2));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_EQ(0, sm_counters(self->base, &now));
	ASSERT_EQ(c.sb + 2, now.sb);
	len = wq_queue_next(q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ((ssize_t)SUPERBLOCK_NOTIFICATION_SIZE_VER1, len);
	ASSERT_EQ(NOTIFY_SUPERBLOCK_READONLY,
		  (int)wq_subtype((const void *)buf));
	ASSERT_EQ(now.sb, rec_sb_change(buf, len));

	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(0, sm_counters(self->base, &now));
	ASSERT_EQ(c.sb + 3, now.sb);
	len = wq_queue_next(q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ(now.sb, rec_sb_change(buf, len));

	/* Another superblock's change moves only its own counter. */
	ASSERT_EQ(0, mount(NULL, AT("other"), NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_EQ(0, sm_counters(self->base, &now));
	ASSERT_EQ(c.sb + 3, now.sb);
	ASSERT_EQ(0, sm_counters(AT("other"), &now));
	ASSERT_EQ(o.sb + 1, now.sb);
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, umount(AT("other")));
}

/*
 * A user reads the counters of what statmount() shows it, no others: not
 * of a mount outside its root, nor of another mount namespace it has no
 * privilege over; and of a mount under its root, chrooted without
 * privilege, statmount() answers without either counter.
 */
TEST_F(rs, unprivileged)
{
	int to_kid[2], from_kid[2], status;
	struct sm_counters mine, theirs;
	__u64 root_id, kid[2] = { 0, 0 };
	pid_t kpid, pid;
	char c = 0;

	ASSERT_EQ(0, sm_counters(self->base, &mine));
	root_id = wq_mount_id(AT_FDCWD, "/", 0);
	ASSERT_NE(0ULL, root_id);

	/* Another namespace, held by a child. */
	ASSERT_EQ(0, pipe(to_kid));
	ASSERT_EQ(0, pipe(from_kid));
	kpid = fork();
	ASSERT_LE(0, kpid);
	if (kpid == 0) {
		__u64 id[2];

		close(to_kid[1]);
		close(from_kid[0]);
		if (unshare(CLONE_NEWNS))
			_exit(1);
		id[0] = wq_mnt_ns_id("/");
		id[1] = wq_mount_id(AT_FDCWD, "/", 0);
		if (write(from_kid[1], id, sizeof(id)) != sizeof(id))
			_exit(2);
		/* Until the test is done. */
		if (read(to_kid[0], &c, 1) < 0)
			_exit(3);
		_exit(0);
	}
	close(to_kid[0]);
	close(from_kid[1]);
	ASSERT_EQ((ssize_t)sizeof(kid), read(from_kid[0], kid, sizeof(kid)));
	ASSERT_NE(0ULL, kid[0]);
	ASSERT_NE(0ULL, kid[1]);
	ASSERT_NE(wq_expect_ns_id, kid[0]);

	/* Root sees the other namespace's counters. */
	ASSERT_EQ(0, sm_counters_id(kid[1], kid[0], &theirs))
		TH_LOG("statmount: %s", strerror(errno));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sm_counters got;

		if (chroot(self->base) || chdir("/"))
			_exit(10);
		if (wq_become_nobody())
			_exit(11);
		/*
		 * Its own root, the base, in its namespace: statmount()
		 * answers, but without either counter (see
		 * counters_need_privilege).
		 */
		errno = 0;
		if (sm_counters_id(self->base_id, 0, &got) != -1 ||
		    errno != EOPNOTSUPP)
			_exit(12);
		if (sm_mask_id(self->base_id, 0) !=
		    (STATMOUNT_MNT_NS_CHANGE | STATMOUNT_SB_CHANGE))
			_exit(13);
		/* Outside its root: statmount() says EPERM, so does this. */
		errno = 0;
		if (sm_counters_id(root_id, 0, &got) != -1 || errno != EPERM)
			_exit(14);
		/* Another namespace: not even found. */
		errno = 0;
		if (sm_counters_id(kid[1], kid[0], &got) != -1 ||
		    (errno != ENOENT && errno != EPERM))
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(to_kid[1]);
	close(from_kid[0]);
	waitpid(kpid, NULL, 0);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * Run @how in a child: 0 as is, 1 chrooted into @base, 2 as uid 65534, 3
 * both; return the counters that statmount() refused it for @mnt_id (as
 * sm_mask_id()), or ~0 if the child failed.
 */
static __u64 refused_to(const char *base, __u64 mnt_id, int how)
{
	int status, p[2];
	__u64 refused = ~0ULL;
	pid_t pid;

	if (pipe(p))
		return ~0ULL;
	pid = fork();
	if (pid < 0)
		return ~0ULL;
	if (pid == 0) {
		close(p[0]);
		if ((how & 1) && (chroot(base) || chdir("/")))
			_exit(10);
		if ((how & 2) && wq_become_nobody())
			_exit(11);
		refused = sm_mask_id(mnt_id, 0);
		if (write(p[1], &refused, sizeof(refused)) != sizeof(refused))
			_exit(12);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &refused, sizeof(refused)) != sizeof(refused))
		refused = ~0ULL;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return ~0ULL;
	return refused;
}

/*
 * Who may read the counters.  The superblock's moves on every user's
 * quota warnings and errors: it is given only to a caller who may watch
 * the superblock (CAP_SYS_ADMIN over its user namespace).  The mount
 * namespace's moves on changes anywhere in the namespace: it is given only
 * to a caller whose root is the namespace's root, or with CAP_SYS_ADMIN
 * over its user namespace.  Others get the rest of statmount(), with the
 * bits of the counters clear in the mask.
 */
TEST_F(rs, counters_need_privilege)
{
	const __u64 ns = STATMOUNT_MNT_NS_CHANGE, sb = STATMOUNT_SB_CHANGE;

	/* Root, in its root or chrooted: both. */
	EXPECT_EQ(0ULL, refused_to(self->base, self->base_id, 0));
	EXPECT_EQ(0ULL, refused_to(self->base, self->base_id, 1));
	/* uid 65534 with the namespace's root: the namespace's only. */
	EXPECT_EQ(sb, refused_to(self->base, self->base_id, 2));
	/* uid 65534 chrooted: neither. */
	EXPECT_EQ(ns | sb, refused_to(self->base, self->base_id, 3));
}

/* Mount @n tmpfs on base/s0.. and unmount the first @umounts of them. */
static int storm(const char *base, int n, int umounts)
{
	char path[128];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/s%d", base, i);
		if (mount_tmpfs(path, "size=64k"))
			return -1;
	}
	for (i = 0; i < umounts; i++) {
		snprintf(path, sizeof(path), "%s/s%d", base, i);
		if (umount(path))
			return -1;
	}
	return 0;
}

/*
 * A storm of mounts overflows the queue while the monitor is not reading:
 * it resyncs, skips the records the snapshot includes, and its table is
 * the mounts there are.
 */
TEST_F_TIMEOUT(rs, storm_loss_resync, 120)
{
	struct monitor m = {
		.q = &self->q, .root = self->base_id,
		.root_path = self->base,
	};
	char err[256];
	int kmsg = wq_kmsg_open();

	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, m.q->fd, 1));
	ASSERT_EQ(0, mon_resync(&m));
	ASSERT_EQ(0U, m.t.nr);
	ASSERT_EQ(0, storm(self->base, STORM, STORM_UMOUNT));
	ASSERT_EQ(0, mon_run(&m, QUIET_MS)) TH_LOG("%s", m.bad);
	/* It lost records, and resynchronised for it. */
	ASSERT_LE(2, m.resyncs);
	ASSERT_EQ(0, mon_compare(&m, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ((size_t)(STORM - STORM_UMOUNT), m.t.nr);
	/* The device's header tells at once: what is left is old. */
	if (!variant->use_pipe)
		ASSERT_LT(0, m.skipped);
	TH_LOG("%d resyncs, %d records applied (%d maybe in a snapshot), %d skipped",
	       m.resyncs, m.applied, m.maybe, m.skipped);
	free(m.t.e);
	EXPECT_NO_KERNEL_REPORT(kmsg);
}

/* A thread that mounts, mounts below, moves and unmounts in its directory. */
struct churn {
	const char *base;
	int nr;			/* which thread */
	int stop;
	int rounds;
	const char *failed;
	int err;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	char a[128], sub[160], moved[128];
	int i;

	wq_pin_cpu(c->nr % 2);
	snprintf(a, sizeof(a), "%s/c%d", c->base, c->nr);
	snprintf(sub, sizeof(sub), "%s/c%d/d", c->base, c->nr);
	snprintf(moved, sizeof(moved), "%s/m%d", c->base, c->nr);
	for (i = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); i++) {
		if (mount_tmpfs(a, "size=64k")) {
			c->failed = "mount";
			break;
		}
		if (mount_tmpfs(sub, "size=64k")) {
			c->failed = "mount below";
			break;
		}
		if (i % 3 == 0) {
			if (mount(a, moved, NULL, MS_MOVE, NULL)) {
				c->failed = "move";
				break;
			}
			if (umount2(moved, MNT_DETACH)) {
				c->failed = "umount moved";
				break;
			}
		} else if (umount2(a, MNT_DETACH)) {
			c->failed = "umount2(MNT_DETACH)";
			break;
		}
		c->rounds = i + 1;
	}
	if (c->failed)
		c->err = errno;
	return NULL;
}

/*
 * The same under concurrent churn on both vCPUs: a storm first, so that
 * records are lost for sure, then two threads churn while the monitor
 * keeps up and resyncs as often as it loses records.  Once they stop, the
 * table is the mounts there are.
 */
TEST_F_TIMEOUT(rs, churn_loss_resync, 240)
{
	struct monitor m = {
		.q = &self->q, .root = self->base_id,
		.root_path = self->base,
	};
	struct churn c[2] = { { 0 } };
	pthread_t t[2];
	long long end;
	char err[256];
	int kmsg = wq_kmsg_open(), i;

	ASSERT_EQ(0, mkdir(AT("m0"), 0755));
	ASSERT_EQ(0, mkdir(AT("m1"), 0755));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, m.q->fd, 1));
	ASSERT_EQ(0, mon_resync(&m));
	ASSERT_EQ(0, storm(self->base, STORM, STORM_UMOUNT));
	for (i = 0; i < 2; i++) {
		c[i].base = self->base;
		c[i].nr = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn_thread, &c[i]));
	}
	end = wq_now_ms() + CHURN_MS;
	while (wq_now_ms() < end && !m.bad)
		mon_run(&m, 10);
	for (i = 0; i < 2; i++) {
		__atomic_store_n(&c[i].stop, 1, __ATOMIC_RELEASE);
		pthread_join(t[i], NULL);
	}
	ASSERT_EQ(NULL, m.bad);
	ASSERT_EQ(0, mon_run(&m, QUIET_MS)) TH_LOG("%s", m.bad);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(NULL, c[i].failed)
			TH_LOG("churn %d: %s after %d rounds: %s", i,
			       c[i].failed, c[i].rounds, strerror(c[i].err));
		EXPECT_LT(0, c[i].rounds);
	}
	ASSERT_LE(2, m.resyncs);
	ASSERT_EQ(0, mon_compare(&m, err, sizeof(err))) TH_LOG("%s", err);
	TH_LOG("%d resyncs, %d records applied (%d maybe in a snapshot), %d skipped",
	       m.resyncs, m.applied, m.maybe, m.skipped);
	TH_LOG("churn: %d and %d rounds", c[0].rounds, c[1].rounds);
	free(m.t.e);
	EXPECT_NO_KERNEL_REPORT(kmsg);
}

TEST_HARNESS_MAIN
