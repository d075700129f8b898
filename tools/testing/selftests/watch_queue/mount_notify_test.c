// SPDX-License-Identifier: GPL-2.0
/*
 * Mount notifications, set by IOC_WATCH_QUEUE_WATCH, through
 * /dev/watch_queue and notification pipes: attaches by every way of making
 * a mount (mount(2), bind, rbind, fsmount(), open_tree() clones,
 * propagation to peers and slaves), detaches (one per mount of a lazily
 * detached tree), attribute and propagation changes and their values,
 * moves, the watched mount's own unmount, watches on a mount alone, on its
 * subtree (AT_RECURSIVE) and on a whole mount namespace (across a
 * pivot_root()), watches by mount ID, removal by watch ID of a covered or
 * moved mount, filters, mount namespaces, who may watch what, closing a
 * queue while mounts change, and every bad argument.
 *
 * NOTIFY_MOUNT_EXPIRY is posted only when an NFS, AFS or CIFS automount
 * expires; the test guest has no such filesystem, so it is not tested.
 *
 * Each test works in a tmpfs mounted on a fresh directory under /tmp and
 * made private, and unmounts it in the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_records.h"

#define TMPFS_OPTS	"size=1m,mode=0755"
#define SUB	NOTIFY_MOUNT_IN_SUBTREE
#define REC	AT_RECURSIVE
#define RDONLY	MOUNT_ATTR_RDONLY

/* Mount a tmpfs on @rel and set @var to its mount ID, named @rel. */
#define MOUNT_AT(var, rel) do {						\
	const char *_rel = (rel);					\
									\
	ASSERT_EQ(0, mount_tmpfs(AT(_rel), TMPFS_OPTS))			\
		TH_LOG("mount %s: %s", _rel, strerror(errno));		\
	MOUNT_ID(var, _rel);						\
} while (0)

/* Set @var to the ID of the mount at @rel, named @rel in the log. */
#define MOUNT_ID(var, rel) do {						\
	const char *_name = (rel), *_p = AT(_name);			\
	__u64 _id = wq_mount_id(AT_FDCWD, _p, 0);			\
									\
	ASSERT_NE(0ULL, _id)						\
		TH_LOG("statx(%s): %s", _p, strerror(errno));		\
	wq_name_id(_id, _name);						\
	var = _id;							\
} while (0)

#define MKDIR(rel)	ASSERT_EQ(0, mkdir(AT(rel), 0755))

#define raw_mount_watch(dfd, path, at_flags, fd, id)			\
	wq_raw_watch_path(fd, WATCH_TYPE_MOUNT_NOTIFY, dfd, path, at_flags, id)

static long sys_mount_setattr(const char *path, unsigned int flags,
			      __u64 set, __u64 clr, __u64 propagation)
{
	struct mount_attr attr = {
		.attr_set = set,
		.attr_clr = clr,
		.propagation = propagation,
	};

	return wq_mount_setattr(AT_FDCWD, path, flags, &attr, sizeof(attr));
}

FIXTURE(mnt) {
	struct wq_queue q;
	char base[64];
	int mounted;
	__u64 base_id;
	__u64 parent_id;	/* base's parent */
};

FIXTURE_VARIANT(mnt) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(mnt, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(mnt, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(mnt)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	snprintf(self->base, sizeof(self->base), "/tmp/wq-mount.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	self->parent_id = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, self->parent_id);
	ASSERT_EQ(0, mount("wqbase", self->base, "tmpfs", 0, "mode=0755"))
		TH_LOG("mount %s: %s", self->base, strerror(errno));
	self->mounted = 1;
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_PRIVATE, NULL));
	self->base_id = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, self->base_id)
		TH_LOG("statx: %s", strerror(errno));
	wq_name_id(self->base_id, "base");
	wq_expect_ns_id = wq_mnt_ns_id(self->base);
	ASSERT_NE(0ULL, wq_expect_ns_id);
}

FIXTURE_TEARDOWN(mnt)
{
	wq_queue_close(&self->q);
	if (self->mounted)
		umount2(self->base, MNT_DETACH);
	rmdir(self->base);
}

/* mount(2): ATTACH on the parent; its own unmount: DETACH. */
TEST_F(mnt, new_mount_and_unmount)
{
	struct wq_queue *q = &self->q;
	__u64 a, b;

	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 0));
	ASSERT_NO_RECS(q);

	MOUNT_AT(a, "a");
	ASSERT_RECS(q, MNT(ATTACH, 0, 0, self->base_id, a));
	MOUNT_AT(b, "a/b");
	ASSERT_RECS(q, MNT(ATTACH, SUB, 0, a, b));

	ASSERT_EQ(0, umount(AT("a/b")));
	ASSERT_RECS(q, MNT(DETACH, SUB, 0, a, b));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_RECS(q, MNT(DETACH, 0, 0, self->base_id, a));
}

/* A bind mount is one new mount; an rbind, one per mount it copies. */
TEST_F(mnt, bind_and_rbind)
{
	struct wq_queue *q = &self->q;
	__u64 t, tx, ty, txz, d, bt, r, rx, ry, rxz;

	MKDIR("src");
	MKDIR("dst");
	MKDIR("bind");
	MKDIR("rbind");
	MOUNT_AT(t, "tree");
	MOUNT_AT(tx, "tree/x");
	MOUNT_AT(ty, "tree/y");
	MOUNT_AT(txz, "tree/x/z");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 255));

	/* A directory of the watched mount itself. */
	ASSERT_EQ(0, mount(AT("src"), AT("dst"), NULL, MS_BIND, NULL));
	MOUNT_ID(d, "dst");
	ASSERT_NE(self->base_id, d);
	ASSERT_RECS(q, MNT(ATTACH, 0, 255, self->base_id, d));

	/* Not recursive: the submounts stay behind. */
	ASSERT_EQ(0, mount(AT("tree"), AT("bind"), NULL, MS_BIND, NULL));
	MOUNT_ID(bt, "bind");
	ASSERT_NE(t, bt);
	ASSERT_RECS(q, MNT(ATTACH, 0, 255, self->base_id, bt));

	ASSERT_EQ(0, mount(AT("tree"), AT("rbind"), NULL, MS_BIND | MS_REC,
			   NULL));
	MOUNT_ID(r, "rbind");
	MOUNT_ID(rx, "rbind/x");
	MOUNT_ID(ry, "rbind/y");
	MOUNT_ID(rxz, "rbind/x/z");
	ASSERT_RECS(q,
		    MNT(ATTACH, 0, 255, self->base_id, r),
		    MNT(ATTACH, SUB, 255, r, rx),
		    MNT(ATTACH, SUB, 255, r, ry),
		    MNT(ATTACH, SUB, 255, rx, rxz));
	/* Copies, not the originals. */
	ASSERT_NE(t, r);
	ASSERT_NE(tx, rx);
	ASSERT_NE(ty, ry);
	ASSERT_NE(txz, rxz);
}

/* A new filesystem's mount made by fsmount() and attached by move_mount(). */
TEST_F(mnt, fsmount_and_move_mount)
{
	struct wq_queue *q = &self->q;
	int fsfd, mfd;
	__u64 detached, fm;

	MKDIR("fm");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, 0, q->fd, 2));

	fsfd = wq_fsopen("tmpfs", FSOPEN_CLOEXEC);
	ASSERT_LE(0, fsfd) TH_LOG("fsopen: %s", strerror(errno));
	ASSERT_EQ(0, wq_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL,
				 NULL, 0));
	mfd = wq_fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	ASSERT_LE(0, mfd) TH_LOG("fsmount: %s", strerror(errno));
	close(fsfd);
	detached = wq_mount_id(mfd, "", AT_EMPTY_PATH);
	ASSERT_NE(0ULL, detached);
	/* Not attached yet. */
	ASSERT_NO_RECS(q);

	ASSERT_EQ(0, wq_move_mount(mfd, "", AT_FDCWD, AT("fm"),
				   MOVE_MOUNT_F_EMPTY_PATH))
		TH_LOG("move_mount: %s", strerror(errno));
	close(mfd);
	MOUNT_ID(fm, "fm");
	ASSERT_EQ(detached, fm);
	ASSERT_RECS(q, MNT(ATTACH, 0, 2, self->base_id, fm));
}

/* A clone by open_tree(OPEN_TREE_CLONE), attached by move_mount(). */
TEST_F(mnt, open_tree_clone)
{
	struct wq_queue *q = &self->q;
	__u64 src, dst;
	int fd;

	MOUNT_AT(src, "src");
	MKDIR("dst");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, 0, q->fd, 3));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("src"), 0, q->fd, 4));

	fd = wq_open_tree(AT_FDCWD, AT("src"),
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open_tree: %s", strerror(errno));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, wq_move_mount(fd, "", AT_FDCWD, AT("dst"),
				   MOVE_MOUNT_F_EMPTY_PATH))
		TH_LOG("move_mount: %s", strerror(errno));
	close(fd);
	MOUNT_ID(dst, "dst");
	ASSERT_NE(src, dst);
	/* The clone's source is not involved. */
	ASSERT_RECS(q, MNT(ATTACH, 0, 3, self->base_id, dst));
}

/*
 * A mount on a shared mount propagates to its peer and its slave: a new
 * mount each, and the unmount propagates likewise.  Base watches all three
 * from above; a second watch on the peer sees its copy directly.
 */
TEST_F(mnt, propagation_to_peer_and_slave)
{
	struct wq_queue *q = &self->q;
	__u64 p1, p2, s1, m1, m2, m3;

	MOUNT_AT(p1, "p1");
	ASSERT_EQ(0, mount(NULL, AT("p1"), NULL, MS_SHARED, NULL));
	MKDIR("p2");
	MKDIR("s1");
	ASSERT_EQ(0, mount(AT("p1"), AT("p2"), NULL, MS_BIND, NULL));
	ASSERT_EQ(0, mount(AT("p1"), AT("s1"), NULL, MS_BIND, NULL));
	ASSERT_EQ(0, mount(NULL, AT("s1"), NULL, MS_SLAVE, NULL));
	MOUNT_ID(p2, "p2");
	MOUNT_ID(s1, "s1");
	ASSERT_EQ(0, mkdir(AT("p1/m"), 0755));

	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("p2"), 0, q->fd, 2));
	ASSERT_EQ(0, mount("wqtest", AT("p1/m"), "tmpfs", 0, NULL));
	MOUNT_ID(m1, "p1/m");
	MOUNT_ID(m2, "p2/m");
	MOUNT_ID(m3, "s1/m");
	ASSERT_RECS(q,
		    MNT(ATTACH, SUB, 1, p1, m1),
		    MNT(ATTACH, SUB, 1, p2, m2),
		    MNT(ATTACH, 0, 2, p2, m2),
		    MNT(ATTACH, SUB, 1, s1, m3));

	ASSERT_EQ(0, umount(AT("p1/m")));
	ASSERT_RECS(q,
		    MNT(DETACH, SUB, 1, p1, m1),
		    MNT(DETACH, SUB, 1, p2, m2),
		    MNT(DETACH, 0, 2, p2, m2),
		    MNT(DETACH, SUB, 1, s1, m3));
}

/*
 * Watches on a mount and on its parent: an event on the mount reaches
 * both, IN_SUBTREE for the parent's; an event on the parent reaches only
 * the parent's watch; an event deeper down is IN_SUBTREE for both.
 */
TEST_F(mnt, direct_and_subtree)
{
	struct wq_queue *q = &self->q;
	__u64 a, b, c, d;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), REC, q->fd, 2));

	MOUNT_AT(b, "a/b");
	ASSERT_RECS(q,
		    MNT(ATTACH, 0, 2, a, b),
		    MNT(ATTACH, SUB, 1, a, b));
	MOUNT_AT(c, "c");
	ASSERT_RECS(q, MNT(ATTACH, 0, 1, self->base_id, c));
	MOUNT_AT(d, "a/b/d");
	ASSERT_RECS(q,
		    MNT(ATTACH, SUB, 2, b, d),
		    MNT(ATTACH, SUB, 1, b, d));
}

/*
 * A lazy unmount of a tree of 10 mounts: 10 DETACHes for a watch above it,
 * each on the mount's parent at the time.
 */
TEST_F(mnt, lazy_unmount_of_ten)
{
	static const char *const sub[] = {
		"t/a", "t/b", "t/c", "t/d", "t/e",
		"t/a/1", "t/a/2", "t/a/3", "t/a/4",
	};
	struct wq_queue *q = &self->q;
	struct wq_want want[10];
	char err[2048];
	__u64 t, a, m;
	unsigned int i;

	MOUNT_AT(t, "t");
	want[0] = (struct wq_want)MNT(DETACH, 0, 1, self->base_id, t);
	for (i = 0; i < ARRAY_SIZE(sub); i++) {
		MOUNT_AT(m, sub[i]);
		want[i + 1] = (struct wq_want)MNT(DETACH, SUB, 1, t, m);
	}
	MOUNT_ID(a, "t/a");
	for (i = 6; i < 10; i++)
		want[i].obj = a;
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	ASSERT_EQ(0, umount2(AT("t"), MNT_DETACH));
	ASSERT_TRUE(wq_check_recs(q, want, 10, 0, WAIT_MS, SETTLE_MS, err,
				  sizeof(err)))
		TH_LOG("%s", err);
}

/*
 * Moving a mount from one watched subtree to another: MOVE_FROM for the
 * old parent's watch, MOVE_TO for the new parent's, both for a watch on a
 * common ancestor.  By mount(MS_MOVE) and back by move_mount().
 */
TEST_F(mnt, move_between_subtrees)
{
	struct wq_queue *q = &self->q;
	__u64 a, b, m;

	MOUNT_AT(a, "A");
	MOUNT_AT(b, "B");
	MOUNT_AT(m, "A/m");
	ASSERT_EQ(0, mkdir(AT("B/m"), 0755));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("A"), 0, q->fd, 2));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("B"), 0, q->fd, 3));

	ASSERT_EQ(0, mount(AT("A/m"), AT("B/m"), NULL, MS_MOVE, NULL))
		TH_LOG("MS_MOVE: %s", strerror(errno));
	ASSERT_EQ(m, wq_mount_id(AT_FDCWD, AT("B/m"), 0));
	ASSERT_RECS(q,
		    MNT(MOVE_FROM, 0, 2, a, m),
		    MNT(MOVE_FROM, SUB, 1, a, m),
		    MNT(MOVE_TO, 0, 3, b, m),
		    MNT(MOVE_TO, SUB, 1, b, m));

	ASSERT_EQ(0, wq_move_mount(AT_FDCWD, AT("B/m"), AT_FDCWD, AT("A/m"),
				   0))
		TH_LOG("move_mount: %s", strerror(errno));
	ASSERT_EQ(m, wq_mount_id(AT_FDCWD, AT("A/m"), 0));
	ASSERT_RECS(q,
		    MNT(MOVE_FROM, 0, 3, b, m),
		    MNT(MOVE_FROM, SUB, 1, b, m),
		    MNT(MOVE_TO, 0, 2, a, m),
		    MNT(MOVE_TO, SUB, 1, a, m));
}

/* mount -o remount,ro and rw: ATTR, with MOUNT_ATTR_RDONLY set or clear. */
TEST_F(mnt, remount_readonly)
{
	struct wq_queue *q = &self->q;
	__u64 a;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_RECS(q,
		    MATTR(0, 2, self->base_id, a, RDONLY, 0),
		    MATTR(SUB, 1, self->base_id, a, RDONLY, 0));
	ASSERT_FAILS(EROFS, mkdir(AT("a/x"), 0755));

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_REMOUNT, NULL));
	ASSERT_RECS(q,
		    MATTR(0, 2, self->base_id, a, 0, RDONLY),
		    MATTR(SUB, 1, self->base_id, a, 0, RDONLY));
	ASSERT_EQ(0, mkdir(AT("a/x"), 0755));

	/* The watched mount itself. */
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_RECS(q, MATTR(0, 1, self->parent_id, self->base_id, RDONLY, 0));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_RECS(q, MATTR(0, 1, self->parent_id, self->base_id, 0, RDONLY));
}

/*
 * Bind remounts change the mount only: an ATTR record whenever a flag
 * changes (read-only, nosuid, nodev, noexec, atime), with the new flags.
 */
TEST_F(mnt, bind_remount)
{
	const unsigned long nsd = MS_NOSUID | MS_NODEV;
	const unsigned long rb = MS_REMOUNT | MS_BIND;
	const __u64 ans = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	const __u64 b = self->base_id;
	struct wq_queue *q = &self->q;
	__u64 a;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, rb | nsd, NULL));
	ASSERT_RECS(q, MATTR(0, 2, b, a, ans, RDONLY),
		    MATTR(SUB, 1, b, a, ans, RDONLY));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, rb | nsd | MS_NOEXEC, NULL));
	ASSERT_RECS(q, MATTR(0, 2, b, a, ans | MOUNT_ATTR_NOEXEC, RDONLY),
		    MATTR(SUB, 1, b, a, ans | MOUNT_ATTR_NOEXEC, RDONLY));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL,
			   rb | nsd | MS_NOEXEC | MS_RDONLY, NULL));
	ASSERT_RECS(q,
		    MATTR(0, 2, b, a, ans | MOUNT_ATTR_NOEXEC | RDONLY, 0),
		    MATTR(SUB, 1, b, a, ans | MOUNT_ATTR_NOEXEC | RDONLY, 0));
	ASSERT_FAILS(EROFS, mkdir(AT("a/x"), 0755));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, rb | nsd | MS_NOEXEC, NULL));
	ASSERT_RECS(q,
		    MATTR(0, 2, b, a, ans | MOUNT_ATTR_NOEXEC, RDONLY),
		    MATTR(SUB, 1, b, a, ans | MOUNT_ATTR_NOEXEC, RDONLY));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, rb, NULL));
	ASSERT_RECS(q, MATTR(0, 2, b, a, 0, ans | MOUNT_ATTR_NOEXEC),
		    MATTR(SUB, 1, b, a, 0, ans | MOUNT_ATTR_NOEXEC));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, rb | MS_NOATIME, NULL));
	ASSERT_RECS(q, MATTR(0, 2, b, a, MOUNT_ATTR_NOATIME, 0),
		    MATTR(SUB, 1, b, a, MOUNT_ATTR_NOATIME, 0));
}

/* mount_setattr(): one record per mount changed, AT_RECURSIVE included. */
TEST_F(mnt, mount_setattr)
{
	const __u64 ns = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	const __u64 x = MOUNT_ATTR_NOEXEC, p = self->base_id;
	struct wq_queue *q = &self->q;
	__u64 a, b;

	MOUNT_AT(a, "a");
	MOUNT_AT(b, "a/b");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	ASSERT_EQ(0, sys_mount_setattr(AT("a"), 0, MOUNT_ATTR_RDONLY, 0, 0));
	ASSERT_RECS(q, MATTR(SUB, 1, p, a, RDONLY, 0));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), 0, 0, MOUNT_ATTR_RDONLY, 0));
	ASSERT_RECS(q, MATTR(SUB, 1, p, a, 0, RDONLY));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), 0, MOUNT_ATTR_NOEXEC, 0, 0));
	ASSERT_RECS(q, MATTR(SUB, 1, p, a, x, RDONLY));

	ASSERT_EQ(0, sys_mount_setattr(AT("a"), AT_RECURSIVE,
				       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				       0, 0));
	ASSERT_RECS(q, MATTR(SUB, 1, p, a, ns | x, 0),
		    MATTR(SUB, 1, a, b, ns, x));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), AT_RECURSIVE, 0,
				       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				       MOUNT_ATTR_NOEXEC, 0));
	ASSERT_RECS(q, MATTR(SUB, 1, p, a, 0, ns | x),
		    MATTR(SUB, 1, a, b, 0, ns | x));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), AT_RECURSIVE,
				       MOUNT_ATTR_RDONLY, 0, 0));
	ASSERT_RECS(q,
		    MATTR(SUB, 1, p, a, RDONLY, 0),
		    MATTR(SUB, 1, a, b, RDONLY, 0));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), AT_RECURSIVE, 0,
				       MOUNT_ATTR_RDONLY, 0));
	ASSERT_RECS(q,
		    MATTR(SUB, 1, p, a, 0, RDONLY),
		    MATTR(SUB, 1, a, b, 0, RDONLY));
	ASSERT_EQ(0, sys_mount_setattr(AT("a/b"), 0, MOUNT_ATTR_NOATIME,
				       MOUNT_ATTR__ATIME, 0));
	ASSERT_RECS(q, MATTR(SUB, 1, a, b, MOUNT_ATTR_NOATIME, 0));
}

/* Changing the propagation type, by mount(2) and by mount_setattr(). */
TEST_F(mnt, propagation_type)
{
	const __u64 p = self->base_id;
	struct wq_queue *q = &self->q;
	__u64 a;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_SHARED, NULL));
	ASSERT_RECS(q, MATTR_PROP(0, 2, p, a, MS_SHARED),
		    MATTR_PROP(SUB, 1, p, a, MS_SHARED));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_PRIVATE, NULL));
	ASSERT_RECS(q, MATTR_PROP(0, 2, p, a, MS_PRIVATE),
		    MATTR_PROP(SUB, 1, p, a, MS_PRIVATE));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), 0, 0, 0, MS_SHARED));
	ASSERT_RECS(q, MATTR_PROP(0, 2, p, a, MS_SHARED),
		    MATTR_PROP(SUB, 1, p, a, MS_SHARED));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), 0, 0, 0, MS_PRIVATE));
	ASSERT_RECS(q, MATTR_PROP(0, 2, p, a, MS_PRIVATE),
		    MATTR_PROP(SUB, 1, p, a, MS_PRIVATE));
}

/*
 * Unmounting the watched mount: the watch above sees DETACH, the mount's
 * own watch a removal notice, and the watch does not keep the mount busy.
 * Also by a lazy unmount.  The freed watch leaves nothing behind.
 */
TEST_F(mnt, umount_watched_mount)
{
	struct wq_queue *q = &self->q;
	__u64 a, a2;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, 0, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));

	ASSERT_EQ(0, umount(AT("a"))) TH_LOG("umount: %s", strerror(errno));
	ASSERT_RECS(q, MNT(DETACH, 0, 1, self->base_id, a), GONE(2, a));

	MOUNT_AT(a2, "a");
	ASSERT_NE(a, a2);
	ASSERT_RECS(q, MNT(ATTACH, 0, 1, self->base_id, a2));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));
	ASSERT_EQ(0, umount2(AT("a"), MNT_DETACH));
	ASSERT_RECS(q, MNT(DETACH, 0, 1, self->base_id, a2), GONE(2, a2));

	/* Only the watch on base is left. */
	MOUNT_AT(a, "a");
	ASSERT_RECS(q, MNT(ATTACH, 0, 1, self->base_id, a));
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 2));
}

/* Removal by watch ID: the removal notice, then silence. */
TEST_F(mnt, remove_watch)
{
	struct wq_queue *q = &self->q;
	__u64 a, x;

	MOUNT_AT(a, "a");
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 5));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 5));
	ASSERT_FAILS(EBUSY, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 5));
	ASSERT_FAILS(EBUSY, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 6));
	/* The ID names the watch: another type's removal finds nothing. */
	ASSERT_FAILS(ENOENT, wq_sb_unwatch(q->fd, 5));

	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 5));
	ASSERT_RECS(q, GONE(5, a));
	MOUNT_AT(x, "a/x");
	ASSERT_NO_RECS(q);
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 5));

	/* Watched again, with another ID. */
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 6));
	ASSERT_EQ(0, umount(AT("a/x")));
	ASSERT_RECS(q, MNT(DETACH, 0, 6, a, x));
}

/* Every kind of bad argument fails as documented and attaches nothing. */
TEST_F(mnt, bad_arguments)
{
	static const unsigned int bad_flags[] = {
		AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_STATX_DONT_SYNC,
		0x80000000,
	};
	struct wq_queue *q = &self->q;
	int pfd[2], null, dir, closed;
	unsigned int i;
	__u64 a;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	dir = open(self->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	closed = dup(null);
	ASSERT_LE(0, closed);
	ASSERT_EQ(0, close(closed));
	MKDIR("a");

	/* Bad dfd, with a relative path. */
	ASSERT_FAILS(EBADF, wq_mount_watch(closed, "a", 0, q->fd, 1));
	/* Bad queue descriptor. */
	ASSERT_FAILS(EBADF, wq_mount_watch(dir, "a", 0, closed, 1));
	ASSERT_FAILS(EBADF, wq_mount_watch(dir, "a", 0, -1, 1));
	/*
	 * Not a queue: a pipe that is not a notification pipe (ENODEV, as
	 * its other queue ioctls), or a file without the ioctl (ENOTTY, which
	 * watchq.h turns into EOPNOTSUPP).
	 */
	ASSERT_FAILS(ENODEV, wq_mount_watch(dir, "a", 0, pfd[0], 1));
	ASSERT_FAILS(ENODEV, wq_mount_watch(dir, "a", 0, pfd[1], 1));
	ASSERT_FAILS(ENOTTY, raw_mount_watch(dir, "a", 0, null, 1));
	ASSERT_FAILS(ENOTTY, raw_mount_watch(dir, "a", 0, dir, 1));
	ASSERT_FAILS(EOPNOTSUPP, wq_mount_watch(dir, "a", 0, null, 1));
	ASSERT_FAILS(EOPNOTSUPP, wq_mount_watch(dir, "a", 0, dir, 1));
	/* Unknown flags. */
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++)
		ASSERT_FAILS(EINVAL, wq_mount_watch(dir, "a", bad_flags[i],
						    q->fd, 1));
	/* Watch IDs. */
	ASSERT_FAILS(EINVAL, wq_mount_watch(dir, "a", 0, q->fd, 256));
	ASSERT_FAILS(EINVAL, wq_mount_watch(dir, "a", 0, q->fd, -2));
	ASSERT_FAILS(EINVAL, wq_mount_watch(dir, "a", 0, q->fd, INT_MIN));
	ASSERT_FAILS(EINVAL, wq_mount_watch(dir, "a", 0, q->fd, INT_MAX));
	ASSERT_FAILS(EINVAL, wq_mount_unwatch(q->fd, 256));
	/* No such path; an empty one without AT_EMPTY_PATH. */
	ASSERT_FAILS(ENOENT, wq_mount_watch(dir, "missing", 0, q->fd, 1));
	ASSERT_FAILS(ENOENT, wq_mount_watch(dir, "missing/a", 0, q->fd, 1));
	ASSERT_FAILS(ENOENT, wq_mount_watch(dir, "", 0, q->fd, 1));
	/* Nothing to remove. */
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 1));

	/* Nothing was attached. */
	MOUNT_AT(a, "a");
	ASSERT_NO_RECS(q);
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 1));
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 0));

	/* The valid flags and the extreme IDs do work. */
	ASSERT_EQ(0, wq_mount_watch(dir, "a", AT_SYMLINK_NOFOLLOW |
				    AT_NO_AUTOMOUNT | AT_RECURSIVE, q->fd,
				    255));
	ASSERT_EQ(0, wq_mount_watch(dir, "", AT_EMPTY_PATH, q->fd, 0));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_RECS(q, MNT(DETACH, 0, 0, self->base_id, a), GONE(255, a));

	close(pfd[0]);
	close(pfd[1]);
	close(null);
	close(dir);
}

/* Without search permission on the path: EACCES, and nothing attached. */
TEST_F(mnt, eacces)
{
	struct wq_queue *q = &self->q;
	int status, ret;
	pid_t pid;
	__u64 m;

	ASSERT_EQ(0, mkdir(AT("priv"), 0700));
	MOUNT_AT(m, "priv/m");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (wq_become_nobody())
			_exit(100);
		ret = wq_mount_watch(AT_FDCWD, AT("priv/m"), 0, q->fd, 1);
		_exit(ret == -1 ? errno : 101);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(EACCES, WEXITSTATUS(status))
		TH_LOG("as uid 65534: %d (%s)", WEXITSTATUS(status),
		       "100: setuid failed, 101: watched, else errno");

	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 1));
	ASSERT_EQ(0, umount(AT("priv/m")));
	ASSERT_NO_RECS(q);
	(void)m;
}

/*
 * AT_EMPTY_PATH watches the mount of an O_PATH descriptor.  A symlink is
 * followed unless AT_SYMLINK_NOFOLLOW, which watches the mount the link
 * itself is on.
 */
TEST_F(mnt, empty_path_and_symlink)
{
	struct wq_queue *q = &self->q;
	__u64 a, x, y;
	int fd;

	MOUNT_AT(a, "a");
	fd = open(AT("a"), O_PATH | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_FAILS(ENOENT, wq_mount_watch(fd, "", 0, q->fd, 7));
	ASSERT_EQ(0, wq_mount_watch(fd, "", AT_EMPTY_PATH, q->fd, 7));
	close(fd);
	MOUNT_AT(x, "a/x");
	ASSERT_RECS(q, MNT(ATTACH, 0, 7, a, x));

	ASSERT_EQ(0, symlink(AT("a"), AT("lnk")));
	/* Followed, the link leads to a, which this queue already watches. */
	ASSERT_FAILS(EBUSY, wq_mount_watch(AT_FDCWD, AT("lnk"), 0, q->fd, 8));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("lnk"),
				    AT_SYMLINK_NOFOLLOW | REC, q->fd, 9));
	MOUNT_AT(y, "y");
	ASSERT_RECS(q, MNT(ATTACH, 0, 9, self->base_id, y));
	ASSERT_EQ(0, umount(AT("a/x")));
	ASSERT_RECS(q,
		    MNT(DETACH, 0, 7, a, x),
		    MNT(DETACH, SUB, 9, a, x));

	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 9));
	ASSERT_RECS(q, GONE(9, self->base_id));
	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 7));
	ASSERT_RECS(q, GONE(7, a));
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 9));
}

/*
 * A watch sees nothing of another mount namespace's private mounts: a
 * child in a namespace of its own mounts, remounts and unmounts on its
 * copies of the watched mounts, then exits, which tears its namespace
 * down.  Mounts in the watch's own namespace are still seen.
 */
TEST_F(mnt, namespace_isolation)
{
	struct wq_queue *q = &self->q;
	int status;
	pid_t pid;
	__u64 x;

	MKDIR("x");
	MKDIR("y");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS))
			_exit(1);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(2);
		if (mount_tmpfs(AT("x"), TMPFS_OPTS) ||
		    mount_tmpfs(AT("y"), TMPFS_OPTS))
			_exit(3);
		if (mount(NULL, self->base, NULL, MS_REMOUNT | MS_BIND |
			  MS_RDONLY, NULL))
			_exit(4);
		if (mount(NULL, AT("y"), NULL, MS_SHARED, NULL))
			_exit(5);
		if (umount(AT("x")))
			_exit(6);
		_exit(0);	/* y goes with the namespace */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child's step %d failed",
						 WEXITSTATUS(status));
	ASSERT_NO_RECS(q);

	MOUNT_AT(x, "x");
	ASSERT_RECS(q, MNT(ATTACH, 0, 1, self->base_id, x));
}

/*
 * Mount records go through the queue's filter like any other: here only
 * DETACHes, and only those on the watched mount itself.  Removal notices
 * are never filtered.
 */
TEST_F(mnt, filter)
{
	struct {
		struct watch_notification_filter f;
		struct watch_notification_type_filter t;
	} filter = {
		.f.nr_filters = 1,
		.t.type = WATCH_TYPE_MOUNT_NOTIFY,
		.t.info_mask = NOTIFY_MOUNT_IN_SUBTREE,
		.t.info_filter = 0,
		.t.subtype_filter[0] = 1U << NOTIFY_MOUNT_DETACH,
	};
	struct wq_queue *q = &self->q;
	__u64 a, b;

	ASSERT_EQ(0, ioctl(q->fd, IOC_WATCH_QUEUE_SET_FILTER, &filter))
		TH_LOG("IOC_WATCH_QUEUE_SET_FILTER: %s", strerror(errno));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));
	MOUNT_AT(a, "a");
	MOUNT_AT(b, "a/b");
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));

	ASSERT_EQ(0, umount(AT("a/b")));
	ASSERT_RECS(q, MNT(DETACH, 0, 2, a, b));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_RECS(q, MNT(DETACH, 0, 1, self->base_id, a), GONE(2, a));
}

/* Two transports, one stream: the same records, byte for byte. */
TEST_F(mnt, device_and_pipe_agree)
{
	unsigned char r1[32][WQ_REC_MAX], r2[32][WQ_REC_MAX];
	struct wq_queue *q = &self->q, q2;
	size_t l1[32], l2[32];
	int n1, n2, i;
	__u64 a, b;

	ASSERT_EQ(0, wq_queue_open(&q2, !variant->use_pipe));
	MOUNT_AT(a, "a");
	MKDIR("b");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 4));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q2.fd, 4));

	ASSERT_EQ(0, mount_tmpfs(AT("a/c"), TMPFS_OPTS));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), 0, MOUNT_ATTR_NOEXEC, 0, 0));
	ASSERT_EQ(0, mount(AT("a"), AT("b"), NULL, MS_MOVE, NULL));
	MOUNT_ID(b, "b");
	ASSERT_EQ(a, b);
	ASSERT_EQ(0, umount2(AT("b"), MNT_DETACH));

	/* attach, 2 attrs (read-only, noexec), move from and to, 2 detaches */
	n1 = wq_collect(q, r1, l1, 32, 7, WAIT_MS, SETTLE_MS);
	n2 = wq_collect(&q2, r2, l2, 32, 7, WAIT_MS, SETTLE_MS);
	ASSERT_EQ(7, n1);
	ASSERT_EQ(n1, n2);
	for (i = 0; i < n1; i++) {
		char d1[256], d2[256];

		wq_describe(r1[i], l1[i], d1, sizeof(d1));
		wq_describe(r2[i], l2[i], d2, sizeof(d2));
		ASSERT_EQ(l1[i], l2[i]) TH_LOG("#%d: %s vs %s", i, d1, d2);
		ASSERT_EQ(0, memcmp(r1[i], r2[i], l1[i]))
			TH_LOG("#%d: %s vs %s", i, d1, d2);
		ASSERT_EQ(WATCH_TYPE_MOUNT_NOTIFY, (int)wq_type((void *)r1[i]));
	}
	wq_queue_close(&q2);
}

struct churn {
	const char *dir;	/* mounted and unmounted over and over */
	const char *sub;	/* below it, every other time */
	int stop;
	int done;
	const char *failed;
	int err;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	int i;

	for (i = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); i++) {
		if (mount("wqchurn", c->dir, "tmpfs", 0, NULL)) {
			c->failed = "mount";
			break;
		}
		if (i & 1) {
			if (mount_tmpfs(c->sub, TMPFS_OPTS)) {
				c->failed = "mount below";
				break;
			}
			if (umount2(c->dir, MNT_DETACH)) {
				c->failed = "umount2(MNT_DETACH)";
				break;
			}
		} else if (umount(c->dir)) {
			c->failed = "umount";
			break;
		}
		__atomic_store_n(&c->done, i + 1, __ATOMIC_RELEASE);
	}
	if (c->failed)
		c->err = errno;
	return NULL;
}

/* Could the churn have caused this record? */
static int churn_record(const void *buf, ssize_t len, __u64 base_id)
{
	const struct mount_notification *m = buf;
	unsigned int st;

	if (len < (ssize_t)sizeof(m->watch))
		return 0;
	st = wq_subtype(&m->watch);
	if (wq_type(&m->watch) == WATCH_TYPE_META)
		return st == WATCH_META_LOSS_NOTIFICATION;
	if (len != MOUNT_NOTIFICATION_SIZE_VER1 ||
	    wq_type(&m->watch) != WATCH_TYPE_MOUNT_NOTIFY ||
	    watchq_rec_id(&m->watch) != 1 ||
	    (st != NOTIFY_MOUNT_ATTACH && st != NOTIFY_MOUNT_DETACH))
		return 0;
	if (m->mnt_parent_id == base_id)
		return watchq_rec_flags(&m->watch) == 0;
	return watchq_rec_flags(&m->watch) == SUB;
}

#define CHURN_ROUNDS	40

/*
 * Close queues while another thread mounts and unmounts below what they
 * watch.  The thread sees no error, every record read is one the churn
 * could cause, and the kernel logs no report.
 */
TEST_F_TIMEOUT(mnt, close_while_mounting, 240)
{
	struct churn c = { 0 };
	struct wq_queue *q = &self->q;
	unsigned char buf[WQ_REC_MAX];
	char bad[256] = "", dir[256], sub[256];
	int round, good = 0, nr_bad = 0, kmsg;
	long long end;
	pthread_t t;
	ssize_t len;

	kmsg = wq_kmsg_open();
	MKDIR("c");
	snprintf(dir, sizeof(dir), "%s", AT("c"));
	snprintf(sub, sizeof(sub), "%s", AT("c/s"));
	c.dir = dir;
	c.sub = sub;
	wq_queue_close(q);
	ASSERT_EQ(0, pthread_create(&t, NULL, churn_thread, &c));

	for (round = 0; round < CHURN_ROUNDS; round++) {
		ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
		ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd,
					    1));
		end = wq_now_ms() + 5 + round % 20;
		while (wq_now_ms() < end) {
			len = wq_queue_next(q, buf, sizeof(buf), 1);
			if (!len)
				continue;
			if (len > 0 && churn_record(buf, len, self->base_id))
				good++;
			else if (!nr_bad++)
				wq_describe(buf, len, bad, sizeof(bad));
		}
		ASSERT_EQ(0, wq_queue_close(q));
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);

	EXPECT_EQ(0, nr_bad) TH_LOG("first unexpected record: %s", bad);
	EXPECT_LT(0, good);
	EXPECT_EQ(NULL, c.failed)
		TH_LOG("%s failed after %d iterations: %s", c.failed, c.done,
		       strerror(c.err));
	EXPECT_LT(0, c.done);
	EXPECT_NO_KERNEL_REPORT(kmsg);
}

#define RACE_ROUNDS	100

static int race_unmount(struct wq_race *r)
{
	return umount2(r->path, r->flags);
}

/*
 * Unmount a watched mount while its queue is closed, or while its watch
 * is removed by its ID, at the same time.  The unmount succeeds: neither
 * the watch nor its removal, which looks up no path, makes the mount busy
 * (a lazy unmount every fourth round, a plain one otherwise).  The removal
 * finds the watch, or finds it gone with the mount (ENOENT).
 */
TEST_F_TIMEOUT(mnt, close_or_remove_vs_umount, 240)
{
	struct wq_queue *q = &self->q;
	struct wq_race r = { 0 };
	int i, kmsg;
	long ret;

	kmsg = wq_kmsg_open();
	wq_queue_close(q);
	MKDIR("w");
	snprintf(r.path, sizeof(r.path), "%s", AT("w"));
	ASSERT_EQ(0, wq_race_start(&r, race_unmount));

	for (i = 0; i < RACE_ROUNDS; i++) {
		ASSERT_EQ(0, mount_tmpfs(r.path, TMPFS_OPTS));
		ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
		ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, r.path, 0, q->fd, 1));
		r.flags = (i & 3) == 3 ? MNT_DETACH : 0;
		if (!(i & 1))
			ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, 0,
						    q->fd, 2));
		wq_race_go(&r);
		if (i & 1) {
			ret = wq_mount_unwatch(q->fd, 1);
			ASSERT_TRUE(ret == 0 || errno == ENOENT)
				TH_LOG("round %d: %s", i, strerror(errno));
		} else {
			ASSERT_EQ(0, wq_queue_close(q));
		}
		wq_race_wait(&r);
		ASSERT_EQ(0, r.ret)
			TH_LOG("round %d: umount: %s", i, strerror(r.err));
		wq_queue_close(q);
	}
	wq_race_stop(&r);
	EXPECT_NO_KERNEL_REPORT(kmsg);
}

/*
 * A propagation change that changes nothing posts nothing: making an
 * already private tree private, shared twice, or a private mount a slave
 * (of nothing).  A real change posts one ATTR per mount it changed.
 */
TEST_F(mnt, propagation_no_op)
{
	struct wq_queue *q = &self->q;
	__u64 a, b, c, d, e, f;

	MOUNT_AT(a, "a");
	MOUNT_AT(b, "a/b");
	MOUNT_AT(c, "a/c");
	MOUNT_AT(d, "a/b/d");
	MOUNT_AT(e, "a/b/e");
	MOUNT_AT(f, "a/c/f");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_PRIVATE | MS_REC, NULL));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, sys_mount_setattr(AT("a"), AT_RECURSIVE, 0, 0,
				       MS_PRIVATE));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_SLAVE, NULL));
	ASSERT_NO_RECS(q);

	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_SHARED | MS_REC, NULL));
	ASSERT_RECS(q,
		    MATTR_PROP(SUB, 1, self->base_id, a, MS_SHARED),
		    MATTR_PROP(SUB, 1, a, b, MS_SHARED),
		    MATTR_PROP(SUB, 1, a, c, MS_SHARED),
		    MATTR_PROP(SUB, 1, b, d, MS_SHARED),
		    MATTR_PROP(SUB, 1, b, e, MS_SHARED),
		    MATTR_PROP(SUB, 1, c, f, MS_SHARED));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_SHARED | MS_REC, NULL));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, sys_mount_setattr(AT("a/b"), 0, 0, 0, MS_SHARED));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, mount(NULL, AT("a/b"), NULL, MS_PRIVATE, NULL));
	ASSERT_RECS(q, MATTR_PROP(SUB, 1, a, b, MS_PRIVATE));
}

/*
 * An unmount that propagates to a copy with a mount on top of it: the
 * copy goes, and what was on top of it is put back where the copy was
 * (propagate_umount() restores it): a move, from the copy to its parent.
 */
TEST_F(mnt, propagated_umount_restores_topper)
{
	struct wq_queue *q = &self->q;
	__u64 p, p2, a, a2, c, now;

	MOUNT_AT(p, "p");
	MKDIR("p/x");
	MKDIR("p2");
	ASSERT_EQ(0, mount(NULL, AT("p"), NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount(AT("p"), AT("p2"), NULL, MS_BIND, NULL));
	MOUNT_ID(p2, "p2");
	/* a on p, and its copy a2 on the peer p2. */
	MOUNT_AT(a, "p/x");
	MOUNT_ID(a2, "p2/x");
	ASSERT_NE(a, a2);
	/* c on top of a2 alone. */
	ASSERT_EQ(0, mount(NULL, AT("p2/x"), NULL, MS_PRIVATE, NULL));
	MOUNT_AT(c, "p2/x");
	ASSERT_NE(a2, c);
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	ASSERT_EQ(0, umount(AT("p/x")));
	ASSERT_RECS(q,
		    MNT(DETACH, SUB, 1, p, a),
		    MNT(DETACH, SUB, 1, p2, a2),
		    MNT(MOVE_FROM, SUB, 1, a2, c),
		    MNT(MOVE_TO, SUB, 1, p2, c));
	MOUNT_ID(now, "p2/x");
	ASSERT_EQ(c, now);
}

/*
 * move_mount(MOVE_MOUNT_BENEATH) puts a new mount under the top one: the
 * new mount is attached where the top one was, and the top one moves onto
 * the new one.
 */
TEST_F(mnt, mount_beneath_moves_top)
{
	struct wq_queue *q = &self->q;
	__u64 t, n;
	int fsfd, mfd;

	MOUNT_AT(t, "m");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	fsfd = wq_fsopen("tmpfs", FSOPEN_CLOEXEC);
	ASSERT_LE(0, fsfd) TH_LOG("fsopen: %s", strerror(errno));
	ASSERT_EQ(0, wq_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL,
				 NULL, 0));
	mfd = wq_fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	ASSERT_LE(0, mfd) TH_LOG("fsmount: %s", strerror(errno));
	close(fsfd);
	n = wq_mount_id(mfd, "", AT_EMPTY_PATH);
	ASSERT_NE(0ULL, n);
	wq_name_id(n, "beneath");
	ASSERT_EQ(0, wq_move_mount(mfd, "", AT_FDCWD, AT("m"),
				   MOVE_MOUNT_F_EMPTY_PATH |
				    MOVE_MOUNT_BENEATH))
		TH_LOG("move_mount: %s", strerror(errno));
	close(mfd);
	ASSERT_RECS(q,
		    MNT(ATTACH, 0, 1, self->base_id, n),
		    MNT(MOVE_FROM, 0, 1, self->base_id, t),
		    MNT(MOVE_TO, SUB, 1, n, t));
}

/*
 * pivot_root() moves two mounts: the new root onto the old root's parent,
 * and the old root onto the new one, at put_old.  A child in a mount
 * namespace of its own watches its copy of base and pivots, chrooted into
 * a tmpfs on it, onto another tmpfs.
 */
TEST_F(mnt, pivot_root_moves)
{
	struct wq_queue *q = &self->q;
	__u64 ids[4], base, oldr, newr, ns;
	int to_kid[2], from_kid[2], status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_kid));
	ASSERT_EQ(0, pipe(from_kid));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_kid[1]);
		close(from_kid[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(1);
		if (mount_tmpfs(AT("r"), TMPFS_OPTS) ||
		    mount_tmpfs(AT("r/new"), TMPFS_OPTS) ||
		    mkdir(AT("r/new/old"), 0755))
			_exit(2);
		ids[0] = wq_mount_id(AT_FDCWD, self->base, 0);
		ids[1] = wq_mount_id(AT_FDCWD, AT("r"), 0);
		ids[2] = wq_mount_id(AT_FDCWD, AT("r/new"), 0);
		ids[3] = wq_mnt_ns_id(self->base);
		if (wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1))
			_exit(3);
		if (chroot(AT("r")) || chdir("/") ||
		    wq_pivot_root("/new", "/new/old"))
			_exit(4);
		if (write(from_kid[1], ids, sizeof(ids)) != sizeof(ids))
			_exit(5);
		/* Keep the namespace until the records are read. */
		if (read(to_kid[0], &c, 1) < 0)
			_exit(6);
		_exit(0);
	}
	close(to_kid[0]);
	close(from_kid[1]);
	if (read(from_kid[0], ids, sizeof(ids)) != sizeof(ids)) {
		waitpid(pid, &status, 0);
		ASSERT_TRUE(0) TH_LOG("child failed at step %d",
				      WEXITSTATUS(status));
	}
	base = ids[0];
	oldr = ids[1];
	newr = ids[2];
	ns = ids[3];
	ASSERT_NE(wq_expect_ns_id, ns);
	wq_name_id(base, "base copy");
	wq_name_id(oldr, "old root");
	wq_name_id(newr, "new root");
	ASSERT_RECS_IN_ORDER(q,
			     MNT_NS(MOVE_FROM, SUB, 1, oldr, newr, ns),
			     MNT_NS(MOVE_TO, 0, 1, base, newr, ns),
			     MNT_NS(MOVE_FROM, 0, 1, base, oldr, ns),
			     MNT_NS(MOVE_TO, SUB, 1, newr, oldr, ns));
	close(to_kid[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * Without AT_RECURSIVE, a watch sees the changes on its mount alone: mounts
 * attached to it, detached from it or moved to or from it, and its own
 * attributes; nothing deeper down.  A recursive watch on base sees both,
 * the deeper ones with IN_SUBTREE.
 */
TEST_F(mnt, not_recursive)
{
	struct wq_queue *q = &self->q;
	__u64 a, b, c, d;

	MOUNT_AT(a, "a");
	MOUNT_AT(b, "a/b");
	MKDIR("a/e");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 1));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 2));

	MOUNT_AT(c, "a/c");
	ASSERT_RECS(q, MNT(ATTACH, 0, 1, a, c), MNT(ATTACH, SUB, 2, a, c));
	MOUNT_AT(d, "a/b/d");
	ASSERT_RECS(q, MNT(ATTACH, SUB, 2, b, d));
	ASSERT_EQ(0, mount(NULL, AT("a/b"), NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	ASSERT_RECS(q, MATTR(SUB, 2, a, b, RDONLY, 0));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	ASSERT_RECS(q, MATTR(0, 1, self->base_id, a, RDONLY, 0),
		    MATTR(SUB, 2, self->base_id, a, RDONLY, 0));
	ASSERT_EQ(0, mount(AT("a/b/d"), AT("a/e"), NULL, MS_MOVE, NULL));
	ASSERT_RECS(q, MNT(MOVE_FROM, SUB, 2, b, d), MNT(MOVE_TO, 0, 1, a, d),
		    MNT(MOVE_TO, SUB, 2, a, d));

	ASSERT_EQ(0, umount2(AT("a"), MNT_DETACH));
	ASSERT_RECS(q, MNT(DETACH, 0, 2, self->base_id, a),
		    MNT(DETACH, 0, 1, a, b), MNT(DETACH, 0, 1, a, c),
		    MNT(DETACH, 0, 1, a, d), MNT(DETACH, SUB, 2, a, b),
		    MNT(DETACH, SUB, 2, a, c), MNT(DETACH, SUB, 2, a, d),
		    GONE(1, a));
}

/*
 * Removal by watch ID looks up no path, so it works on a mount that is
 * covered (its path now leads to the mount on top) or moved (its old path
 * leads elsewhere), where a removal by path could not find the watch.
 */
TEST_F(mnt, remove_covered_and_moved)
{
	struct wq_queue *q = &self->q;
	__u64 a, top, m;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 1));
	MOUNT_AT(top, "a");
	ASSERT_NE(a, top);
	ASSERT_RECS(q, MNT(ATTACH, 0, 1, a, top));
	/* The path names the mount on top now. */
	ASSERT_EQ(top, wq_mount_id(AT_FDCWD, AT("a"), 0));
	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 1));
	ASSERT_RECS(q, GONE(1, a));
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_NO_RECS(q);

	MOUNT_AT(m, "m");
	MKDIR("n");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("m"), REC, q->fd, 2));
	ASSERT_EQ(0, mount(AT("m"), AT("n"), NULL, MS_MOVE, NULL));
	ASSERT_EQ(m, wq_mount_id(AT_FDCWD, AT("n"), 0));
	ASSERT_EQ(self->base_id, wq_mount_id(AT_FDCWD, AT("m"), 0));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 2));
	ASSERT_RECS(q, GONE(2, m));
	ASSERT_EQ(0, mount_tmpfs(AT("n/x"), TMPFS_OPTS));
	ASSERT_NO_RECS(q);
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 2));
}

/*
 * A mount named by its unique mount ID, in the caller's namespace (ns_id
 * 0) or in the one ns_id names, with or without AT_RECURSIVE; the IDs no
 * mount can have, unknown mounts and namespaces, and the flags that mean
 * nothing here.
 */
TEST_F(mnt, watch_by_mount_id)
{
	struct wq_queue *q = &self->q;
	__u64 a, b, c;

	MOUNT_AT(a, "a");
	ASSERT_EQ(0, wq_ret(watchq_watch_mount_id(q->fd, a, 0, REC, 3)));
	ASSERT_FAILS(EBUSY, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 4));
	MOUNT_AT(b, "a/b");
	MOUNT_AT(c, "a/b/c");
	ASSERT_RECS(q, MNT(ATTACH, 0, 3, a, b), MNT(ATTACH, SUB, 3, b, c));
	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 3));
	ASSERT_RECS(q, GONE(3, a));

	ASSERT_EQ(0, wq_ret(watchq_watch_mount_id(q->fd, a, wq_expect_ns_id,
						  0, 4)));
	ASSERT_EQ(0, umount(AT("a/b/c")));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, umount(AT("a/b")));
	ASSERT_RECS(q, MNT(DETACH, 0, 4, a, b));

	/* Old-style and unknown IDs. */
	ASSERT_FAILS(EINVAL, wq_ret(watchq_watch_mount_id(q->fd, 1, 0, 0, 5)));
	ASSERT_FAILS(EINVAL, wq_ret(watchq_watch_mount_id(q->fd, 1ULL << 31,
							  0, 0, 5)));
	ASSERT_FAILS(ENOENT, wq_ret(watchq_watch_mount_id(q->fd, c, 0, 0, 5)));
	ASSERT_FAILS(ENOENT, wq_ret(watchq_watch_mount_id(q->fd, a, ~0ULL, 0,
							  5)));
	ASSERT_FAILS(EINVAL, wq_ret(watchq_watch_mount_id(q->fd, a, 0,
							  AT_SYMLINK_NOFOLLOW,
							  5)));
	ASSERT_FAILS(EINVAL, wq_ret(watchq_watch_mount_id(q->fd, a, 0,
							  AT_EMPTY_PATH, 5)));
	ASSERT_NO_RECS(q);
}

/*
 * A detached tree (open_tree(OPEN_TREE_CLONE), fsmount()) is watched by
 * whoever could have made one: its maker, or anyone with CAP_SYS_ADMIN
 * over its own mount namespace's owner (root in a user namespace of its
 * own).  Not by anyone its descriptor was passed to: the watch would
 * follow the tree into the namespace it is attached to, which statmount()
 * may not show them.  Before the fix, uid 65534 with root's descriptor
 * could watch it.
 */
TEST_F(mnt, detached_tree_needs_mount_rights)
{
	struct wq_queue *q = &self->q;
	int fd, status;
	pid_t pid;

	MKDIR("src");
	fd = wq_open_tree(AT_FDCWD, AT("src"),
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open_tree: %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int own;

		if (wq_become_nobody())
			_exit(1);
		/* Root's tree, passed to nobody. */
		if (watchq_watch_mount(q->fd, fd, "", AT_EMPTY_PATH, 2) !=
		    -EPERM)
			_exit(2);
		/* A tree of its own, made as root of its own namespaces. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			_exit(3);
		own = wq_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE |
			      OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (own < 0)
			_exit(4);
		if (watchq_watch_mount(q->fd, own, "", AT_EMPTY_PATH, 3))
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("nobody's watches of detached trees: step %d",
		       WEXITSTATUS(status));
	/* Root may watch its own. */
	ASSERT_EQ(0, watchq_watch_mount(q->fd, fd, "", AT_EMPTY_PATH, 4));
	close(fd);
}

/* The closing side of namespace_watch_vs_last_close. */
struct ns_closer {
	int fd;			/* The nsfs file: the namespace's last holder */
	int delay;		/* Spins after the go, to sweep the window */
	int go;
};

static void *ns_close_thread(void *arg)
{
	struct ns_closer *c = arg;
	int i;

	while (!__atomic_load_n(&c->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < c->delay; i++)
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	close(c->fd);
	return NULL;
}

/*
 * The file of a mount namespace that nothing else holds, open in @nsfd:
 * a child unshares one, the caller opens it, and the child exits.  0 or -1.
 */
static int lone_mnt_ns(int *nsfd)
{
	int to_kid[2], from_kid[2], status;
	char path[64], c = 0;
	pid_t pid;

	if (pipe(to_kid) || pipe(from_kid))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(to_kid[1]);
		close(from_kid[0]);
		if (unshare(CLONE_NEWNS) || write(from_kid[1], &c, 1) != 1 ||
		    read(to_kid[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(to_kid[0]);
	close(from_kid[1]);
	*nsfd = -1;
	if (read(from_kid[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
		*nsfd = open(path, O_RDONLY | O_CLOEXEC);
	}
	close(to_kid[1]);
	close(from_kid[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		if (*nsfd >= 0)
			close(*nsfd);
		return -1;
	}
	return *nsfd < 0 ? -1 : 0;
}

#define LAST_CLOSE_ROUNDS	200

/*
 * A whole-namespace watch set while another thread closes the namespace's
 * last file: the namespace must stay until the watch is in, and then be
 * torn down with it.  Each round either fails with EBADF (the close came
 * first) or sets the watch, whose removal notice must then follow, once.
 * Before the fix the ioctl let go of the file before it slept in setting
 * the watch up, so the close could free the namespace under it (a
 * use-after-free, for KASAN) or tear its list down before the watch was
 * in (a watch left on a freed namespace, and no notice).
 */
TEST_F_TIMEOUT(mnt, namespace_watch_vs_last_close, 180)
{
	unsigned char rec[WQ_REC_MAX];
	struct wq_queue *q = &self->q;
	const struct watch_notification *n = (void *)rec;
	int round, gone, set = 0, ret;
	struct ns_closer c;
	pthread_t t;
	ssize_t len;

	for (round = 0; round < LAST_CLOSE_ROUNDS; round++) {
		ASSERT_EQ(0, lone_mnt_ns(&c.fd));
		c.go = 0;
		c.delay = (round % 20) * 200;
		ASSERT_EQ(0, pthread_create(&t, NULL, ns_close_thread, &c));
		__atomic_store_n(&c.go, 1, __ATOMIC_RELEASE);
		ret = watchq_watch_mount_ns(q->fd, c.fd, round + 1);
		pthread_join(t, NULL);
		if (ret) {
			ASSERT_EQ(-EBADF, ret)
				TH_LOG("round %d: %s", round, strerror(-ret));
			continue;
		}
		set++;
		gone = 0;
		/* The namespace's mounts' DETACH records come first. */
		while ((len = wq_queue_next(q, rec, sizeof(rec), 2000)) > 0) {
			if (wq_type(n) == WATCH_TYPE_META &&
			    wq_subtype(n) == WATCH_META_REMOVAL_NOTIFICATION) {
				ASSERT_EQ(round + 1, watchq_rec_id(n));
				gone++;
				break;
			}
			ASSERT_EQ(round + 1, watchq_rec_id(n));
		}
		ASSERT_EQ(1, gone)
			TH_LOG("round %d: no removal notice", round);
	}
	TH_LOG("%d of %d rounds set the watch", set, LAST_CLOSE_ROUNDS);
}

/*
 * A watch on a whole mount namespace: a child in a namespace of its own
 * watches it through /proc/self/ns/mnt and mounts, remounts and unmounts
 * there, deep down and at the top alike.  Every record comes without
 * IN_SUBTREE and with the namespace's ID; when the child exits, the
 * namespace goes, with a DETACH of each of its mounts, and then the
 * removal notice names the namespace.  Not a mount namespace's file, a
 * file of no namespace, a closed descriptor and a second watch on the
 * same namespace fail.
 */
TEST_F(mnt, namespace_watch)
{
	unsigned char recs[200][WQ_REC_MAX];
	struct wq_queue *q = &self->q;
	__u64 ids[5], copy, x, y, ns;
	int to_kid[2], from_kid[2], status, n, i;
	size_t lens[200];
	char c;
	pid_t pid;

	MKDIR("x");
	ASSERT_EQ(0, pipe(to_kid));
	ASSERT_EQ(0, pipe(from_kid));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int nsfd, fd;

		close(to_kid[1]);
		close(from_kid[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(1);
		nsfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || fd < 0)
			_exit(2);
		if (watchq_watch_mount_ns(q->fd, fd, 5) != -EINVAL)
			_exit(3);
		close(fd);
		fd = open(self->base, O_RDONLY | O_CLOEXEC);
		if (watchq_watch_mount_ns(q->fd, fd, 5) != -EINVAL)
			_exit(4);
		close(fd);
		if (watchq_watch_mount_ns(q->fd, fd, 5) != -EBADF)
			_exit(5);
		if (watchq_watch_mount_ns(q->fd, nsfd, 5) ||
		    watchq_watch_mount_ns(q->fd, nsfd, 6) != -EBUSY)
			_exit(6);
		ids[0] = wq_mount_id(AT_FDCWD, self->base, 0);
		ids[4] = wq_mnt_ns_id(self->base);
		if (mount_tmpfs(AT("x"), TMPFS_OPTS) ||
		    mount_tmpfs(AT("x/y"), TMPFS_OPTS))
			_exit(7);
		ids[1] = wq_mount_id(AT_FDCWD, AT("x"), 0);
		ids[2] = wq_mount_id(AT_FDCWD, AT("x/y"), 0);
		if (mount(NULL, AT("x/y"), NULL, MS_REMOUNT | MS_BIND |
			  MS_RDONLY, NULL) ||
		    umount(AT("x/y")))
			_exit(8);
		ids[3] = 0;
		if (write(from_kid[1], ids, sizeof(ids)) != sizeof(ids))
			_exit(9);
		/* Exit when told: the namespace goes with this task. */
		if (read(to_kid[0], &c, 1) < 0)
			_exit(10);
		_exit(0);
	}
	close(to_kid[0]);
	close(from_kid[1]);
	if (read(from_kid[0], ids, sizeof(ids)) != sizeof(ids)) {
		waitpid(pid, &status, 0);
		ASSERT_TRUE(0) TH_LOG("child failed at step %d",
				      WEXITSTATUS(status));
	}
	copy = ids[0];
	x = ids[1];
	y = ids[2];
	ns = ids[4];
	wq_name_id(copy, "base copy");
	wq_name_id(x, "x");
	wq_name_id(y, "x/y");
	ASSERT_NE(wq_expect_ns_id, ns);
	ASSERT_RECS_IN_ORDER(q,
			     MNT_NS(ATTACH, 0, 5, copy, x, ns),
			     MNT_NS(ATTACH, 0, 5, x, y, ns),
			     { .type = WATCH_TYPE_MOUNT_NOTIFY,
			       .subtype = NOTIFY_MOUNT_ATTR, .id = 5,
			       .obj = x, .aux = y, .ns = ns,
			       .attr_set = RDONLY },
			     MNT_NS(DETACH, 0, 5, x, y, ns));

	close(to_kid[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* The namespace's teardown: a DETACH per mount, then the notice. */
	n = wq_collect(q, recs, lens, 200, 2, WAIT_MS, SETTLE_MS);
	ASSERT_LE(2, n);
	for (i = 0; i < n - 1; i++) {
		const struct mount_notification *m = (const void *)recs[i];

		ASSERT_EQ(MOUNT_NOTIFICATION_SIZE_VER1, lens[i]);
		ASSERT_EQ(WATCH_TYPE_MOUNT_NOTIFY, (int)wq_type(&m->watch));
		ASSERT_EQ(NOTIFY_MOUNT_DETACH, (int)wq_subtype(&m->watch));
		ASSERT_EQ(5U, watchq_rec_id(&m->watch));
		ASSERT_EQ(0U, watchq_rec_flags(&m->watch));
		ASSERT_EQ(ns, m->mnt_ns_id);
	}
	{
		const struct wq_want gone = GONE(5, ns);

		ASSERT_TRUE(wq_match(&gone, recs[n - 1], lens[n - 1]));
	}
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 5));
}

/*
 * pivot_root() moves what "/" was, so a recursive watch on it no longer
 * covers the new root, where a watch on the namespace goes on seeing
 * everything.  A child in a namespace of its own watches both, pivots into
 * a tmpfs and mounts on the new root: only the namespace's watch sees it.
 */
TEST_F(mnt, namespace_watch_survives_pivot_root)
{
	struct wq_queue *q = &self->q;
	__u64 ids[5], base, oldr, newr, m, ns;
	int to_kid[2], from_kid[2], status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_kid));
	ASSERT_EQ(0, pipe(from_kid));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int nsfd;

		close(to_kid[1]);
		close(from_kid[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(1);
		if (mount_tmpfs(AT("r"), TMPFS_OPTS) ||
		    mount_tmpfs(AT("r/new"), TMPFS_OPTS) ||
		    mkdir(AT("r/new/old"), 0755) ||
		    mkdir(AT("r/new/m"), 0755))
			_exit(2);
		ids[0] = wq_mount_id(AT_FDCWD, self->base, 0);
		ids[1] = wq_mount_id(AT_FDCWD, AT("r"), 0);
		ids[2] = wq_mount_id(AT_FDCWD, AT("r/new"), 0);
		ids[4] = wq_mnt_ns_id(self->base);
		nsfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || chroot(AT("r")) || chdir("/"))
			_exit(3);
		/* "/" is r now. */
		if (wq_mount_watch(AT_FDCWD, "/", REC, q->fd, 1) ||
		    watchq_watch_mount_ns(q->fd, nsfd, 2))
			_exit(4);
		if (wq_pivot_root("/new", "/new/old"))
			_exit(5);
		if (mount("wqtest", "/m", "tmpfs", 0, NULL))
			_exit(6);
		ids[3] = wq_mount_id(AT_FDCWD, "/m", 0);
		if (write(from_kid[1], ids, sizeof(ids)) != sizeof(ids))
			_exit(7);
		if (read(to_kid[0], &c, 1) < 0)
			_exit(8);
		_exit(0);
	}
	close(to_kid[0]);
	close(from_kid[1]);
	if (read(from_kid[0], ids, sizeof(ids)) != sizeof(ids)) {
		waitpid(pid, &status, 0);
		ASSERT_TRUE(0) TH_LOG("child failed at step %d",
				      WEXITSTATUS(status));
	}
	base = ids[0];
	oldr = ids[1];
	newr = ids[2];
	m = ids[3];
	ns = ids[4];
	wq_name_id(base, "base copy");
	wq_name_id(oldr, "old root");
	wq_name_id(newr, "new root");
	wq_name_id(m, "new root/m");
	ASSERT_RECS(q,
		    MNT_NS(MOVE_FROM, 0, 1, oldr, newr, ns),
		    MNT_NS(MOVE_FROM, 0, 2, oldr, newr, ns),
		    MNT_NS(MOVE_TO, 0, 2, base, newr, ns),
		    MNT_NS(MOVE_FROM, 0, 2, base, oldr, ns),
		    MNT_NS(MOVE_TO, 0, 2, newr, oldr, ns),
		    MNT_NS(ATTACH, 0, 2, newr, m, ns));
	close(to_kid[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * An ATTR record carries what statmount() then reports: mnt_attr,
 * mnt_propagation, mnt_parent_id, mnt_id and mnt_ns_id, through changes
 * of flags and of propagation (shared, slave, unbindable, private).
 */
TEST_F(mnt, attr_matches_statmount)
{
	static const struct {
		__u64 set, clr, propagation;
		const char *path;
	} steps[] = {
		{ MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, "a" },
		{ MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME, MS_SHARED, "a" },
		{ MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_RDONLY, 0,
		  "a" },
		{ 0, 0, MS_SLAVE, "b" },
		{ MOUNT_ATTR_NOSYMFOLLOW, 0, MS_UNBINDABLE, "a" },
		{ MOUNT_ATTR_NOSUID, 0, MS_PRIVATE, "b" },
	};
	struct wq_queue *q = &self->q;
	unsigned char buf[WQ_REC_MAX];
	const struct mount_attr_notification *r = (const void *)buf;
	struct statmount sm;
	unsigned int i;
	__u64 a, b;

	/* a and b peers: b can become a's slave. */
	MOUNT_AT(a, "a");
	MKDIR("b");
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_SHARED, NULL));
	ASSERT_EQ(0, mount(AT("a"), AT("b"), NULL, MS_BIND, NULL));
	MOUNT_ID(b, "b");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, REC, q->fd, 1));

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		ASSERT_EQ(0, sys_mount_setattr(AT(steps[i].path), 0,
					       steps[i].set, steps[i].clr,
					       steps[i].propagation))
			TH_LOG("step %u: %s", i, strerror(errno));
		ASSERT_EQ((ssize_t)sizeof(*r),
			  wq_queue_next(q, buf, sizeof(buf), WAIT_MS))
			TH_LOG("step %u", i);
		ASSERT_EQ(NOTIFY_MOUNT_ATTR, (int)wq_subtype(&r->m.watch));
		ASSERT_EQ(SUB, watchq_rec_flags(&r->m.watch));
		ASSERT_EQ(steps[i].path[0] == 'a' ? a : b, r->m.mnt_id);
		ASSERT_EQ(0, wq_statmount_path(AT(steps[i].path),
					       STATMOUNT_MNT_BASIC |
					       STATMOUNT_MNT_NS_ID, &sm,
					       sizeof(sm)));
		EXPECT_EQ(sm.mnt_id, r->m.mnt_id) TH_LOG("step %u", i);
		EXPECT_EQ(sm.mnt_parent_id, r->m.mnt_parent_id);
		EXPECT_EQ(sm.mnt_ns_id, r->m.mnt_ns_id);
		EXPECT_EQ(sm.mnt_attr, r->mnt_attr)
			TH_LOG("step %u: %#llx, statmount %#llx", i,
			       (unsigned long long)r->mnt_attr,
			       (unsigned long long)sm.mnt_attr);
		EXPECT_EQ(sm.mnt_propagation, r->mnt_propagation)
			TH_LOG("step %u: %#llx, statmount %#llx", i,
			       (unsigned long long)r->mnt_propagation,
			       (unsigned long long)sm.mnt_propagation);
		ASSERT_EQ(self->base_id, r->m.mnt_parent_id);
	}
	ASSERT_NO_RECS(q);
}

/*
 * A watch ID names one watch of its queue: a second watch with it fails
 * (EEXIST), whatever the type, until the first is removed or its object
 * goes.  Another queue has IDs of its own, and key watches keep the rules
 * of keyctl(), which let them share an ID.
 */
TEST_F(mnt, watch_ids_unique)
{
	struct wq_queue *q = &self->q, q2;
	__u64 a, b;
	int32_t key;

	MOUNT_AT(a, "a");
	MOUNT_AT(b, "b");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 7));
	ASSERT_FAILS(EEXIST, wq_mount_watch(AT_FDCWD, AT("b"), 0, q->fd, 7));
	ASSERT_FAILS(EEXIST, wq_sb_watch(AT_FDCWD, AT("b"), 0, q->fd, 7));
	ASSERT_FAILS(EEXIST, wq_ret(watchq_watch_mount_id(q->fd, b, 0, 0, 7)));
	/* The object first: a second watch on it is EBUSY. */
	ASSERT_FAILS(EBUSY, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 7));

	ASSERT_EQ(0, wq_queue_open(&q2, !variant->use_pipe));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("b"), 0, q2.fd, 7));
	ASSERT_EQ(0, umount(AT("b")));
	ASSERT_RECS(&q2, GONE(7, b));
	ASSERT_NO_RECS(q);
	wq_queue_close(&q2);

	key = wq_add_key("user", "wq-ids", "x", 1, KEY_SPEC_PROCESS_KEYRING);
	ASSERT_LT(0, key) TH_LOG("add_key: %s", strerror(errno));
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 7));
	ASSERT_EQ(0, wq_watch_key(KEY_SPEC_PROCESS_KEYRING, q->fd, 7));

	ASSERT_EQ(0, wq_mount_unwatch(q->fd, 7));
	ASSERT_RECS(q, GONE(7, a));
	MOUNT_AT(b, "b");
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("b"), 0, q->fd, 7));
	ASSERT_EQ(0, umount(AT("b")));
	ASSERT_RECS(q, GONE(7, b));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, AT("a"), 0, q->fd, 7));
}

/*
 * Who may watch mounts: whoever statmount() shows the mount to.  As uid
 * 65534 chrooted into a directory of base: a mount inside the chroot, by
 * path or by ID, yes; the mount of "/" and base itself (whose roots the
 * chroot does not reach), by ID or by path, EPERM.  The initial mount
 * namespace as a whole needs CAP_SYS_ADMIN over its owner: EPERM.  In a
 * user and mount namespace of its own, its own namespace, yes; a mount of
 * the initial one by ID, EPERM.
 */
TEST_F(mnt, permission)
{
	struct wq_queue *q = &self->q;
	int status;
	pid_t pid;

	MKDIR("jail");
	ASSERT_EQ(0, mount_tmpfs(AT("jail/m"), TMPFS_OPTS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 root = wq_mount_id(AT_FDCWD, "/", 0);
		__u64 m = wq_mount_id(AT_FDCWD, AT("jail/m"), 0);
		int nsfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		struct wq_queue own;

		if (!root || !m || nsfd < 0)
			_exit(100);
		wq_queue_close(q);
		if (wq_queue_open(&own, variant->use_pipe))
			_exit(101);
		if (chroot(AT("jail")) || chdir("/") || wq_become_nobody())
			_exit(102);
		if (wq_mount_watch(AT_FDCWD, "/m", 0, own.fd, 1))
			_exit(1);
		if (wq_ret(watchq_watch_mount_id(own.fd, m, 0, REC, 2)) !=
		    -1 || errno != EBUSY)
			_exit(2);
		if (wq_mount_unwatch(own.fd, 1) ||
		    wq_ret(watchq_watch_mount_id(own.fd, m, 0, REC, 2)))
			_exit(3);
		if (watchq_watch_mount_id(own.fd, root, 0, 0, 3) != -EPERM)
			_exit(4);
		if (wq_mount_watch(AT_FDCWD, "/", 0, own.fd, 3) != -1 ||
		    errno != EPERM)
			_exit(5);
		if (watchq_watch_mount_ns(own.fd, nsfd, 3) != -EPERM)
			_exit(6);
		if (chroot(".") == 0)
			_exit(7);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("chrooted as uid 65534, step %d failed (100+: setup)",
		       WEXITSTATUS(status));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 root = wq_mount_id(AT_FDCWD, "/", 0);
		__u64 init_ns = wq_expect_ns_id;
		struct wq_queue own;
		int nsfd;

		wq_queue_close(q);
		if (wq_queue_open(&own, variant->use_pipe))
			_exit(101);
		if (wq_become_nobody() || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
		    unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
		    wq_write_file("/proc/self/setgroups", "deny") ||
		    wq_write_file("/proc/self/uid_map", "0 65534 1") ||
		    wq_write_file("/proc/self/gid_map", "0 65534 1"))
			_exit(102);
		nsfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			_exit(103);
		if (watchq_watch_mount_ns(own.fd, nsfd, 1))
			_exit(1);
		if (watchq_watch_mount_id(own.fd, root, init_ns, 0, 2) !=
		    -EPERM)
			_exit(2);
		if (mount_tmpfs(AT("jail"), TMPFS_OPTS))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("as uid 65534 in its own namespaces, step %d failed (100+: setup)",
		       WEXITSTATUS(status));
	ASSERT_NO_RECS(q);
}

TEST_HARNESS_MAIN
