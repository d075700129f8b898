// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock notifications, set by IOC_WATCH_QUEUE_WATCH, through
 * /dev/watch_queue and notification pipes: read-only remounts and other
 * reconfigurations, the superblock ID and device number against
 * statmount(), filesystem errors (ext4's trigger_fs_error, with
 * errors=continue and with errors=remount-ro) and their count, quota
 * exceeded (tmpfs quotas) with whose quota and which warning, the removal
 * notice on the last unmount, watches by mount ID, who may watch
 * (CAP_SYS_ADMIN over the superblock's user namespace), closing a queue
 * while its superblock goes away, and every bad argument.
 *
 * The ext4 tests need the disk that the harness attaches as /dev/vda and
 * skip without it.
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
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/quota.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_records.h"

#define DISK		"/dev/vda"
#define DISK_ERROR	"/sys/fs/ext4/vda/trigger_fs_error"
#define IS_NOW_RO	NOTIFY_SUPERBLOCK_IS_NOW_RO

/* The expected superblock record @st with @flags for the watch @wid. */
#define SB(st, fl, wid, sb) {						\
	.type = WATCH_TYPE_SB_NOTIFY, .subtype = NOTIFY_SUPERBLOCK_##st, \
	.flags = (fl), .id = (wid), .obj = (sb) }

/* An error record: error_number @e, error_cookie @c. */
#define SB_ERROR(wid, sb, e, c) {					\
	.type = WATCH_TYPE_SB_NOTIFY, .subtype = NOTIFY_SUPERBLOCK_ERROR, \
	.id = (wid), .obj = (sb), .error = (e), .cookie = (c) }

/* A quota record: quota type @qt, ID @qi, QUOTA_NL_* warning @w. */
#define SB_QUOTA(wid, sb, qt, qi, w) {					\
	.type = WATCH_TYPE_SB_NOTIFY, .subtype = NOTIFY_SUPERBLOCK_EDQUOT, \
	.id = (wid), .obj = (sb), .qtype = (qt), .qid = (qi),		\
	.warning = (w) }

#define raw_sb_watch(dfd, path, at_flags, fd, id)			\
	wq_raw_watch_path(fd, WATCH_TYPE_SB_NOTIFY, dfd, path, at_flags, id)

/* The device number of the filesystem at @path, as stat(2) says; 0 if none. */
static __u32 dev_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return 0;
	return st.st_dev;
}

/*
 * Remount the filesystem at @path read-only and back, and read the two
 * READONLY records of the watch @wid: the superblock's ID, or 0; the
 * device number they carry in *@dev if @dev is not NULL.
 */
static __u64 probe_sb_id(struct wq_queue *q, const char *path, int wid,
			 __u32 *dev)
{
	unsigned char buf[WQ_REC_MAX];
	const struct superblock_notification *s = (const void *)buf;
	const struct watch_notification *n = &s->watch;
	__u64 id = 0;
	int i;

	if (mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL) ||
	    mount(NULL, path, NULL, MS_REMOUNT, NULL))
		return 0;
	for (i = 0; i < 2; i++) {
		if (wq_queue_next(q, buf, sizeof(buf), WAIT_MS) !=
		    sizeof(struct superblock_state_notification) ||
		    wq_type(n) != WATCH_TYPE_SB_NOTIFY ||
		    wq_subtype(n) != NOTIFY_SUPERBLOCK_READONLY ||
		    watchq_rec_id(n) != (unsigned int)wid)
			return 0;
		if (id && s->sb_id != id)
			return 0;
		id = s->sb_id;
		if (dev)
			*dev = makedev(s->sb_dev_major, s->sb_dev_minor);
	}
	return id;
}

/* Write to trigger_fs_error, which reports an ext4 error (EUCLEAN). */
static int trigger_fs_error(void)
{
	int fd = open(DISK_ERROR, O_WRONLY | O_CLOEXEC);
	ssize_t ret;

	if (fd < 0)
		return -1;
	ret = write(fd, "test", 4);
	close(fd);
	return ret == 4 ? 0 : -1;
}

FIXTURE(sb) {
	struct wq_queue q;
	char base[64];
	char disk[256];		/* where the ext4 disk is mounted */
	char quota[256];	/* where the quota tmpfs is mounted */
	__u32 dev;
	__u64 sb_id;		/* base's, as statmount() reports it */
	__u64 parent_id;	/* the mount base is mounted on */
};

FIXTURE_VARIANT(sb) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(sb, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(sb, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(sb)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	snprintf(self->base, sizeof(self->base), "/tmp/wq-sb.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	self->parent_id = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, self->parent_id);
	ASSERT_EQ(0, mount("wqbase", self->base, "tmpfs", 0, "mode=0755"))
		TH_LOG("mount %s: %s", self->base, strerror(errno));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_PRIVATE, NULL));
	self->dev = dev_of(self->base);
	ASSERT_NE(0U, self->dev);
	self->sb_id = wq_sb_id(self->base);
	ASSERT_NE(0ULL, self->sb_id) TH_LOG("statmount: %s", strerror(errno));
	wq_expect_ns_id = wq_mnt_ns_id(self->base);
}

FIXTURE_TEARDOWN(sb)
{
	wq_queue_close(&self->q);
	if (self->disk[0])
		umount2(self->disk, MNT_DETACH);
	if (self->quota[0])
		umount2(self->quota, MNT_DETACH);
	umount2(self->base, MNT_DETACH);
	rmdir(self->base);
}

/*
 * Remounting read-only and back: READONLY, with IS_NOW_RO when it became
 * read-only.  The record carries statmount()'s sb_id and the device
 * number, the same in every record.  Neither a bind remount (the mount
 * only) nor another superblock's remount is seen.
 */
TEST_F(sb, readonly_remount)
{
	struct wq_queue *q = &self->q;
	unsigned char buf[WQ_REC_MAX];
	const struct superblock_notification *s = (const void *)buf;
	ssize_t len;
	__u64 id;

	ASSERT_EQ(0, mount_tmpfs(AT("other"), NULL));
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 1));

	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	len = wq_queue_next(q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ((ssize_t)SUPERBLOCK_NOTIFICATION_SIZE_VER1, len);
	ASSERT_EQ(WATCH_TYPE_SB_NOTIFY, (int)wq_type(&s->watch));
	ASSERT_EQ(NOTIFY_SUPERBLOCK_READONLY, (int)wq_subtype(&s->watch));
	ASSERT_EQ(1U, watchq_rec_id(&s->watch));
	ASSERT_EQ((unsigned int)IS_NOW_RO, watchq_rec_flags(&s->watch));
	ASSERT_EQ(self->dev, makedev(s->sb_dev_major, s->sb_dev_minor))
		TH_LOG("sb_dev %u:%u, st_dev %#x", s->sb_dev_major,
		       s->sb_dev_minor, self->dev);
	ASSERT_EQ(self->sb_id, s->sb_id)
		TH_LOG("sb_id %#llx, statmount %#llx",
		       (unsigned long long)s->sb_id,
		       (unsigned long long)self->sb_id);
	id = s->sb_id;
	ASSERT_NO_RECS(q);
	ASSERT_FAILS(EROFS, mkdir(AT("x"), 0755));

	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_RECS(q, SB(READONLY, 0, 1, id));
	ASSERT_EQ(0, mkdir(AT("x"), 0755));

	/* The mount only: not the superblock's business. */
	ASSERT_EQ(0, mount(NULL, self->base, NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_BIND,
			   NULL));
	ASSERT_NO_RECS(q);

	/* Another superblock. */
	ASSERT_EQ(0, mount(NULL, AT("other"), NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_NO_RECS(q);
}

/*
 * mount -o remount,ro changes the superblock and the mount: a queue that
 * watches both gets a record of each.
 */
TEST_F(sb, remount_posts_sb_and_mount_records)
{
	struct wq_queue *q = &self->q;
	__u64 mnt;

	mnt = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, mnt);
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 3));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, self->base, 0, q->fd, 2));

	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_RECS(q,
		    SB(READONLY, IS_NOW_RO, 3, self->sb_id),
		    MATTR(0, 2, self->parent_id, mnt, MOUNT_ATTR_RDONLY, 0));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_RECS(q,
		    SB(READONLY, 0, 3, self->sb_id),
		    MATTR(0, 2, self->parent_id, mnt, 0, MOUNT_ATTR_RDONLY));
}

/*
 * Superblock IDs: one per superblock, whichever mount of it the path is
 * on (a second watch through a bind mount is a duplicate: EBUSY), and
 * different superblocks have different ones.
 */
TEST_F(sb, one_watch_per_superblock)
{
	struct wq_queue *q = &self->q;
	__u64 a, b;
	__u32 dev;

	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	ASSERT_EQ(0, mount_tmpfs(AT("b"), NULL));
	ASSERT_EQ(0, mkdir(AT("c"), 0755));
	ASSERT_EQ(0, mount(AT("a"), AT("c"), NULL, MS_BIND, NULL));
	ASSERT_NE(dev_of(AT("a")), dev_of(AT("b")));

	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, AT("a"), 0, q->fd, 1));
	ASSERT_FAILS(EBUSY, wq_sb_watch(AT_FDCWD, AT("c"), 0, q->fd, 2));
	ASSERT_FAILS(EBUSY, wq_sb_watch(AT_FDCWD, AT("a"), 0, q->fd, 1));
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, AT("b"), 0, q->fd, 2));

	a = probe_sb_id(q, AT("c"), 1, &dev);
	ASSERT_EQ(dev_of(AT("a")), dev);
	ASSERT_EQ(wq_sb_id(AT("a")), a);
	b = probe_sb_id(q, AT("b"), 2, &dev);
	ASSERT_EQ(dev_of(AT("b")), dev);
	ASSERT_EQ(wq_sb_id(AT("b")), b);
	ASSERT_NE(a, b);
	ASSERT_NO_RECS(q);
}

/*
 * The last unmount of a watched superblock posts a removal notice with
 * the superblock's ID and frees the watch; an unmount that leaves another
 * mount of it does not.  The watch does not keep the superblock busy.
 */
TEST_F(sb, removal_on_last_unmount)
{
	struct wq_queue *q = &self->q;
	__u64 id;

	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	ASSERT_EQ(0, mkdir(AT("c"), 0755));
	ASSERT_EQ(0, mount(AT("a"), AT("c"), NULL, MS_BIND, NULL));
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, AT("a"), 0, q->fd, 4));
	id = probe_sb_id(q, AT("a"), 4, NULL);
	ASSERT_NE(0ULL, id);

	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_NO_RECS(q);
	ASSERT_EQ(0, umount(AT("c"))) TH_LOG("umount: %s", strerror(errno));
	ASSERT_RECS(q, GONE(4, id));

	/* A new superblock, unwatched. */
	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	ASSERT_FAILS(ENOENT, wq_sb_unwatch(q->fd, 4));
	ASSERT_EQ(0, mount(NULL, AT("a"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_NO_RECS(q);
}

/* Removal by watch ID: the removal notice, then silence. */
TEST_F(sb, remove_watch)
{
	struct wq_queue *q = &self->q;
	__u64 id;

	ASSERT_FAILS(ENOENT, wq_sb_unwatch(q->fd, 5));
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 5));
	ASSERT_FAILS(EBUSY, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 6));
	id = probe_sb_id(q, self->base, 5, NULL);
	ASSERT_NE(0ULL, id);
	/* The ID names the watch: another type's removal finds nothing. */
	ASSERT_FAILS(ENOENT, wq_mount_unwatch(q->fd, 5));

	ASSERT_EQ(0, wq_sb_unwatch(q->fd, 5));
	ASSERT_RECS(q, GONE(5, id));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_NO_RECS(q);
	ASSERT_FAILS(ENOENT, wq_sb_unwatch(q->fd, 5));
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 6));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_RECS(q, SB(READONLY, 0, 6, id));
}

/* Every kind of bad argument fails as documented and attaches nothing. */
TEST_F(sb, bad_arguments)
{
	static const unsigned int bad_flags[] = {
		AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_RECURSIVE,
		AT_STATX_DONT_SYNC, 0x80000000,
	};
	struct wq_queue *q = &self->q;
	int pfd[2], null, dir, closed, fd;
	unsigned int i;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	dir = open(self->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	closed = dup(null);
	ASSERT_LE(0, closed);
	ASSERT_EQ(0, close(closed));
	ASSERT_EQ(0, mkdir(AT("a"), 0755));

	ASSERT_FAILS(EBADF, wq_sb_watch(closed, "a", 0, q->fd, 1));
	ASSERT_FAILS(EBADF, wq_sb_watch(dir, "a", 0, closed, 1));
	ASSERT_FAILS(EBADF, wq_sb_watch(dir, "a", 0, -1, 1));
	ASSERT_FAILS(ENODEV, wq_sb_watch(dir, "a", 0, pfd[0], 1));
	ASSERT_FAILS(ENODEV, wq_sb_watch(dir, "a", 0, pfd[1], 1));
	ASSERT_FAILS(ENOTTY, raw_sb_watch(dir, "a", 0, null, 1));
	ASSERT_FAILS(ENOTTY, raw_sb_watch(dir, "a", 0, dir, 1));
	ASSERT_FAILS(EOPNOTSUPP, wq_sb_watch(dir, "a", 0, null, 1));
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++)
		ASSERT_FAILS(EINVAL, wq_sb_watch(dir, "a", bad_flags[i],
						 q->fd, 1));
	ASSERT_FAILS(EINVAL, wq_sb_watch(dir, "a", 0, q->fd, 256));
	ASSERT_FAILS(EINVAL, wq_sb_watch(dir, "a", 0, q->fd, -2));
	ASSERT_FAILS(EINVAL, wq_sb_watch(dir, "a", 0, q->fd, INT_MIN));
	ASSERT_FAILS(ENOENT, wq_sb_watch(dir, "missing", 0, q->fd, 1));
	ASSERT_FAILS(ENOENT, wq_sb_watch(dir, "", 0, q->fd, 1));
	ASSERT_FAILS(ENOENT, wq_sb_unwatch(q->fd, 1));

	/* Nothing was attached. */
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_NO_RECS(q);

	/* AT_EMPTY_PATH on an O_PATH descriptor, and the extreme IDs. */
	fd = open(AT("a"), O_PATH | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wq_sb_watch(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT,
				 q->fd, 255));
	close(fd);
	ASSERT_EQ(0, mount_tmpfs(AT("b"), NULL));
	ASSERT_EQ(0, symlink(AT("b"), AT("lnk")));
	/* The link is on base's superblock: already watched. */
	ASSERT_FAILS(EBUSY, wq_sb_watch(AT_FDCWD, AT("lnk"),
					AT_SYMLINK_NOFOLLOW, q->fd, 0));
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, AT("lnk"), 0, q->fd, 0));
	ASSERT_EQ(0, mount(NULL, AT("b"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_RECS(q, SB(READONLY, IS_NOW_RO, 0, wq_sb_id(AT("b"))));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_RECS(q, SB(READONLY, IS_NOW_RO, 255, self->sb_id));

	close(pfd[0]);
	close(pfd[1]);
	close(null);
	close(dir);
}

/* Without search permission on the path: EACCES, and nothing attached. */
TEST_F(sb, eacces)
{
	struct wq_queue *q = &self->q;
	int status, ret;
	pid_t pid;

	ASSERT_EQ(0, mkdir(AT("priv"), 0700));
	ASSERT_EQ(0, mount_tmpfs(AT("priv/m"), NULL));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (wq_become_nobody())
			_exit(100);
		ret = wq_sb_watch(AT_FDCWD, AT("priv/m"), 0, q->fd, 1);
		_exit(ret == -1 ? errno : 101);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(EACCES, WEXITSTATUS(status))
		TH_LOG("as uid 65534: %d (%s)", WEXITSTATUS(status),
		       "100: setuid failed, 101: watched, else errno");

	ASSERT_FAILS(ENOENT, wq_sb_unwatch(q->fd, 1));
	ASSERT_EQ(0, mount(NULL, AT("priv/m"), NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_NO_RECS(q);
}

/*
 * Mount the ext4 disk with @options on @dir, which it makes, and keep @dir
 * in @disk for the teardown: 1 if mounted, 0 if there is no disk (the
 * caller skips), -1 on failure.
 */
static int mount_disk(char *disk, size_t size, const char *dir,
		      const char *options)
{
	if (access(DISK, F_OK))
		return 0;
	if (mkdir(dir, 0755) || mount(DISK, dir, "ext4", 0, options)) {
		ksft_print_msg("mount %s on %s -o %s: %s\n", DISK, dir,
			       options, strerror(errno));
		return -1;
	}
	snprintf(disk, size, "%s", dir);
	return 1;
}

#define NO_DISK	"no " DISK ": boot the guest with the harness's disk (--disk)"

#define NR_ERRORS	5

/*
 * ext4 with errors=continue: each error through the common error path
 * (trigger_fs_error) is one ERROR record, EUCLEAN, with a cookie counting
 * the superblock's errors: 1, 2, 3...
 */
TEST_F(sb, ext4_errors_continue)
{
	struct wq_queue *q = &self->q;
	struct wq_want want[NR_ERRORS];
	char err[2048];
	__u64 sb;
	int i, ret;

	ret = mount_disk(self->disk, sizeof(self->disk), AT("disk"),
			 "errors=continue");
	if (!ret)
		SKIP(return, NO_DISK);
	ASSERT_EQ(1, ret);
	sb = wq_sb_id(self->disk);
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->disk, 0, q->fd, 1));

	for (i = 0; i < NR_ERRORS; i++) {
		ASSERT_EQ(0, trigger_fs_error())
			TH_LOG("%s: %s", DISK_ERROR, strerror(errno));
		want[i] = (struct wq_want)SB_ERROR(1, sb, EUCLEAN, i + 1);
	}
	ASSERT_TRUE(wq_check_recs(q, want, NR_ERRORS, 1, WAIT_MS, SETTLE_MS,
				  err, sizeof(err)))
		TH_LOG("%s", err);
}

/*
 * ext4 with errors=remount-ro: an error is one ERROR record, then the
 * filesystem turns read-only: READONLY with IS_NOW_RO.
 */
TEST_F(sb, ext4_errors_remount_ro)
{
	struct wq_queue *q = &self->q;
	__u64 sb;
	int ret;

	ret = mount_disk(self->disk, sizeof(self->disk), AT("disk"),
			 "errors=remount-ro");
	if (!ret)
		SKIP(return, NO_DISK);
	ASSERT_EQ(1, ret);
	sb = wq_sb_id(self->disk);
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->disk, 0, q->fd, 2));

	ASSERT_EQ(0, trigger_fs_error())
		TH_LOG("%s: %s", DISK_ERROR, strerror(errno));
	ASSERT_RECS_IN_ORDER(q,
			     SB_ERROR(2, sb, EUCLEAN, 1),
			     SB(READONLY, IS_NOW_RO, 2, sb));
}

/* As uid 65534, write to @path until the quota stops it; errno of that. */
static int fill_as_nobody(const char *path, int truncate_first,
			  long *written)
{
	static char chunk[64 * 1024];
	int fd, ret = 0, i;
	ssize_t len;

	*written = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	if (truncate_first && ftruncate(fd, 0))
		return errno;
	memset(chunk, 'q', sizeof(chunk));
	for (i = 0; i < 64; i++) {
		len = write(fd, chunk, sizeof(chunk));
		if (len < 0) {
			ret = errno;
			break;
		}
		*written += len;
	}
	/* Past the limit, more writes fail the same way. */
	for (i = 0; ret && i < 3; i++)
		if (write(fd, chunk, sizeof(chunk)) != -1 || errno != ret)
			ret = EPROTO;
	close(fd);
	return ret;
}

/* Run fill_as_nobody() in a child; its errno, -1 if it could not run. */
static int nobody_fills(const char *path, int truncate_first, long *written)
{
	int pfd[2], status, ret = -1;
	long result[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		result[0] = wq_become_nobody() ? -1 :
			    fill_as_nobody(path, truncate_first, &result[1]);
		if (write(pfd[1], result, sizeof(result)) != sizeof(result))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], result, sizeof(result)) == sizeof(result)) {
		ret = result[0];
		*written = result[1];
	}
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return ret;
}

/*
 * tmpfs quotas: uid 65534 writing past its 1M hard limit gets EDQUOT and
 * the superblock's watch one EDQUOT record (its user quota, its uid, the
 * block hard limit warning), only one however often it tries again, and
 * one more once it went below the limit and past it again.
 */
TEST_F(sb, edquot)
{
	struct wq_queue *q = &self->q;
	char file[300];
	long written;
	__u64 sb;
	int ret;

	snprintf(self->quota, sizeof(self->quota), "%s", AT("quota"));
	ret = mount_tmpfs(self->quota,
			  "quota,usrquota_block_hardlimit=1M,mode=0777");
	if (ret && errno == EINVAL) {
		self->quota[0] = '\0';
		SKIP(return, "%s (EINVAL): the kernel lacks CONFIG_TMPFS_QUOTA",
		     "tmpfs refused -o quota,usrquota_block_hardlimit=1M");
	}
	ASSERT_EQ(0, ret) TH_LOG("mount: %s", strerror(errno));
	sb = wq_sb_id(self->quota);
	snprintf(file, sizeof(file), "%s/f", self->quota);
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->quota, 0, q->fd, 7));

	ret = nobody_fills(file, 0, &written);
	ASSERT_EQ(EDQUOT, ret) TH_LOG("write: %s after %ld bytes",
				      strerror(ret), written);
	ASSERT_GE(1024 * 1024, written);
	ASSERT_LT(512 * 1024, written);
	ASSERT_RECS(q, SB_QUOTA(7, sb, USRQUOTA, 65534, QUOTA_NL_BHARDWARN));

	/* Still over: no new warning. */
	ret = nobody_fills(file, 0, &written);
	ASSERT_EQ(EDQUOT, ret) TH_LOG("write: %s", strerror(ret));
	ASSERT_EQ(0, written);
	ASSERT_NO_RECS(q);

	/* Below the limit, then past it again. */
	ret = nobody_fills(file, 1, &written);
	ASSERT_EQ(EDQUOT, ret) TH_LOG("write: %s", strerror(ret));
	ASSERT_LT(0, written);
	ASSERT_RECS(q, SB_QUOTA(7, sb, USRQUOTA, 65534, QUOTA_NL_BHARDWARN));
}

#define RACE_ROUNDS	100

/* Remount, then the last unmount: posts, then the removal. */
static int race_remount_unmount(struct wq_race *r)
{
	int ret;

	ret = mount(NULL, r->path, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	if (!ret)
		ret = umount(r->path);
	return ret;
}

/*
 * Close a queue while the superblock it watches is remounted and goes
 * away, at the same time: the remount and the unmount succeed, and the
 * kernel logs no report.  Every other round the removal notice is read
 * before the close instead.
 */
TEST_F_TIMEOUT(sb, close_vs_last_unmount, 240)
{
	struct wq_queue *q = &self->q;
	struct wq_race r = { 0 };
	int i, kmsg;
	__u64 sb;

	kmsg = wq_kmsg_open();
	wq_queue_close(q);
	snprintf(r.path, sizeof(r.path), "%s", AT("s"));
	ASSERT_EQ(0, wq_race_start(&r, race_remount_unmount));

	for (i = 0; i < RACE_ROUNDS; i++) {
		ASSERT_EQ(0, mount_tmpfs(r.path, NULL));
		sb = wq_sb_id(r.path);
		ASSERT_NE(0ULL, sb);
		ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
		ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, r.path, 0, q->fd, 1));
		wq_race_go(&r);
		if (i & 1)
			ASSERT_EQ(0, wq_queue_close(q));
		wq_race_wait(&r);
		ASSERT_EQ(0, r.ret)
			TH_LOG("round %d: %s", i, strerror(r.err));
		if (!(i & 1))
			ASSERT_RECS_IN_ORDER(q, SB(READONLY, IS_NOW_RO, 1, sb),
					     GONE(1, sb));
		wq_queue_close(q);
	}
	wq_race_stop(&r);
	EXPECT_NO_KERNEL_REPORT(kmsg);
}

/* Two errors at once, from two threads, to race ext4's shutdown. */
static int race_fs_error(struct wq_race *r)
{
	return trigger_fs_error();
}

#define SHUTDOWN_ROUNDS	12

/*
 * errors=remount-ro turns the filesystem read-only once, however many
 * errors race to do it: one READONLY record with IS_NOW_RO per shutdown,
 * after the first ERROR record, and an ERROR record for each error that
 * ext4 reported (those that came in before the shutdown; ext4 drops the
 * later ones).  Each round errors two threads at once, then once more.
 */
TEST_F_TIMEOUT(sb, ext4_shutdown_posted_once, 300)
{
	unsigned char recs[64][WQ_REC_MAX];
	struct wq_queue *q = &self->q;
	struct wq_race r = { 0 };
	const struct superblock_error_notification *e;
	int i, j, n, ret, ro, errs, cookies;
	size_t lens[64];
	__u64 sb;

	ASSERT_EQ(0, wq_race_start(&r, race_fs_error));
	for (i = 0; i < SHUTDOWN_ROUNDS; i++) {
		ret = mount_disk(self->disk, sizeof(self->disk), AT("disk"),
				 "errors=remount-ro");
		if (!ret) {
			wq_race_stop(&r);
			SKIP(return, NO_DISK);
		}
		ASSERT_EQ(1, ret);
		sb = wq_sb_id(self->disk);
		ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->disk, 0, q->fd, 2));
		wq_race_go(&r);
		ASSERT_EQ(0, trigger_fs_error());
		wq_race_wait(&r);
		ASSERT_EQ(0, r.ret);
		ASSERT_EQ(0, trigger_fs_error());

		n = wq_collect(q, recs, lens, 64, 2, WAIT_MS, SETTLE_MS);
		ASSERT_LE(2, n);
		ro = 0;
		errs = 0;
		cookies = 0;
		for (j = 0; j < n; j++) {
			e = (const void *)recs[j];
			ASSERT_EQ(WATCH_TYPE_SB_NOTIFY,
				  (int)wq_type(&e->s.watch));
			if (wq_subtype(&e->s.watch) ==
			    NOTIFY_SUPERBLOCK_READONLY) {
				ASSERT_EQ((unsigned int)IS_NOW_RO,
					  watchq_rec_flags(&e->s.watch));
				/* After an error. */
				ASSERT_LT(0, errs);
				ro++;
				continue;
			}
			ASSERT_EQ(NOTIFY_SUPERBLOCK_ERROR,
				  (int)wq_subtype(&e->s.watch));
			ASSERT_EQ((ssize_t)sizeof(*e), (ssize_t)lens[j]);
			ASSERT_EQ(EUCLEAN, (int)e->error_number);
			/* Racing errors may post in either order. */
			ASSERT_LT(0U, e->error_cookie);
			ASSERT_GE(2U, e->error_cookie);
			cookies |= 1 << e->error_cookie;
			errs++;
		}
		/* Cookies 1 to errs, each once. */
		ASSERT_EQ((1 << (errs + 1)) - 2, cookies);
		EXPECT_EQ(1, ro) TH_LOG("round %d: %d IS_NOW_RO, %d errors",
					i, ro, errs);
		ASSERT_GE(2, errs);
		ASSERT_EQ(0, umount(self->disk));
		rmdir(self->disk);
		self->disk[0] = '\0';
		ASSERT_RECS(q, GONE(2, sb));
	}
	wq_race_stop(&r);
}

/*
 * A record's sb_id is what statmount() reports with STATMOUNT_SB_ID, and
 * its device number what statmount() reports in sb_dev_major and
 * sb_dev_minor (stat(2)'s st_dev is the same for most filesystems, but
 * not for every one, such as btrfs subvolumes).  IDs are above 2^32, so
 * never a device number, and a new superblock gets a new, larger one,
 * even when it gets the device number of one that went away.
 */
TEST_F(sb, sb_id_matches_statmount)
{
	struct wq_queue *q = &self->q;
	struct statmount sm;
	__u64 id, id2, id3;
	__u32 dev, dev3;

	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 1));
	id = probe_sb_id(q, self->base, 1, &dev);
	ASSERT_NE(0ULL, id);

	ASSERT_EQ(0, wq_statmount_path(self->base, STATMOUNT_SB_BASIC |
				       STATMOUNT_SB_ID, &sm, sizeof(sm)))
		TH_LOG("statmount: %s", strerror(errno));
	ASSERT_TRUE(sm.mask & STATMOUNT_SB_BASIC);
	ASSERT_TRUE(sm.mask & STATMOUNT_SB_ID);
	EXPECT_EQ(sm.sb_id, id);
	EXPECT_EQ(sm.sb_dev_major, major(dev));
	EXPECT_EQ(sm.sb_dev_minor, minor(dev));
	EXPECT_LT(0xffffffffULL, id);

	/* Without STATMOUNT_SB_ID, the field stays zero. */
	ASSERT_EQ(0, wq_statmount_path(self->base, STATMOUNT_SB_BASIC, &sm,
				       sizeof(sm)));
	EXPECT_FALSE(sm.mask & STATMOUNT_SB_ID);
	EXPECT_EQ(0ULL, sm.sb_id);

	/* Another superblock, then one more in the place of the first. */
	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	id2 = wq_sb_id(AT("a"));
	EXPECT_LT(id, id2);
	ASSERT_EQ(0, umount(AT("a")));
	ASSERT_EQ(0, mount_tmpfs(AT("a"), NULL));
	id3 = wq_sb_id(AT("a"));
	dev3 = dev_of(AT("a"));
	EXPECT_LT(id2, id3);
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, AT("a"), 0, q->fd, 2));
	ASSERT_EQ(id3, probe_sb_id(q, AT("a"), 2, &dev));
	EXPECT_EQ(dev3, dev);
}

/*
 * A reconfiguration that keeps read-only as it was is a RECONFIGURE
 * record (IS_NOW_RO if the superblock is read-only), by mount(2) and by
 * fsconfig(FSCONFIG_CMD_RECONFIGURE); one that changes it, READONLY only.
 */
TEST_F(sb, reconfigure)
{
	struct wq_queue *q = &self->q;
	int fsfd;

	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 1));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, "size=2m"));
	ASSERT_RECS(q, SB(RECONFIGURE, 0, 1, self->sb_id));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_RECS(q, SB(READONLY, IS_NOW_RO, 1, self->sb_id));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   "size=3m"));
	ASSERT_RECS(q, SB(RECONFIGURE, IS_NOW_RO, 1, self->sb_id));

	fsfd = wq_fspick(AT_FDCWD, self->base, FSPICK_CLOEXEC);
	ASSERT_LE(0, fsfd) TH_LOG("fspick: %s", strerror(errno));
	ASSERT_EQ(0, wq_fsconfig(fsfd, FSCONFIG_SET_STRING, "size",
				 "4m", 0));
	ASSERT_EQ(0, wq_fsconfig(fsfd, FSCONFIG_CMD_RECONFIGURE,
				 NULL, NULL, 0));
	ASSERT_RECS(q, SB(RECONFIGURE, IS_NOW_RO, 1, self->sb_id));
	ASSERT_EQ(0, wq_fsconfig(fsfd, FSCONFIG_SET_FLAG, "rw",
				 NULL, 0));
	ASSERT_EQ(0, wq_fsconfig(fsfd, FSCONFIG_CMD_RECONFIGURE,
				 NULL, NULL, 0));
	ASSERT_RECS(q, SB(READONLY, 0, 1, self->sb_id));
	close(fsfd);

	/* A failed reconfiguration reports nothing. */
	ASSERT_FAILS(EINVAL, mount(NULL, self->base, NULL, MS_REMOUNT,
				   "size=nonsense"));
	ASSERT_NO_RECS(q);
}

/*
 * A watch on the superblock of a mount named by its unique ID (and, or
 * not, its namespace's ID): the same superblock as by a path.
 */
TEST_F(sb, watch_by_mount_id)
{
	struct wq_queue *q = &self->q;
	struct watch_queue_watch w = {
		.type = WATCH_TYPE_SB_NOTIFY,
		.watch_id = 3,
		.object = WATCH_OBJECT_ID,
	};

	w.object_id = wq_mount_id(AT_FDCWD, self->base, 0);
	ASSERT_NE(0ULL, w.object_id);
	ASSERT_EQ(0, wq_ret(watchq_watch(q->fd, &w)));
	ASSERT_FAILS(EBUSY, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 4));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_RECS(q, SB(READONLY, IS_NOW_RO, 3, self->sb_id));
	ASSERT_EQ(0, wq_sb_unwatch(q->fd, 3));
	ASSERT_RECS(q, GONE(3, self->sb_id));

	w.ns_id = wq_expect_ns_id;
	ASSERT_EQ(0, wq_ret(watchq_watch(q->fd, &w)));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	ASSERT_RECS(q, SB(READONLY, 0, 3, self->sb_id));

	/* AT_RECURSIVE means nothing for a superblock. */
	w.watch_id = 5;
	w.at_flags = AT_RECURSIVE;
	ASSERT_FAILS(EINVAL, wq_ret(watchq_watch(q->fd, &w)));
	/* Nor does a namespace file. */
	w.at_flags = 0;
	w.object = WATCH_OBJECT_FD;
	w.object_id = 0;
	w.ns_id = 0;
	w.fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, w.fd);
	ASSERT_FAILS(EINVAL, wq_ret(watchq_watch(q->fd, &w)));
	close(w.fd);
}

/*
 * Who may watch a superblock: CAP_SYS_ADMIN over its user namespace.  As
 * uid 65534, the root filesystem's and base's superblocks are refused
 * (EPERM), by path and by mount ID; in a user and mount namespace of its
 * own, the tmpfs it mounts there is its own to watch, and its records
 * come.
 */
TEST_F(sb, permission)
{
	struct wq_queue *q = &self->q;
	int status;
	pid_t pid;

	ASSERT_EQ(0, mkdir(AT("own"), 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct watch_queue_watch w = {
			.type = WATCH_TYPE_SB_NOTIFY,
			.watch_id = 2,
			.object = WATCH_OBJECT_ID,
		};
		unsigned char buf[WQ_REC_MAX];
		const struct superblock_notification *s = (const void *)buf;
		struct wq_queue own;
		char mnt[128];

		w.object_id = wq_mount_id(AT_FDCWD, "/", 0);
		if (wq_become_nobody())
			_exit(100);
		/* A queue of its own, as its records are its to read. */
		wq_queue_close(q);
		if (wq_queue_open(&own, variant->use_pipe))
			_exit(101);
		q = &own;
		if (wq_sb_watch(AT_FDCWD, "/", 0, q->fd, 1) != -1 ||
		    errno != EPERM)
			_exit(1);
		if (wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 1) != -1 ||
		    errno != EPERM)
			_exit(2);
		if (watchq_watch(q->fd, &w) != -EPERM)
			_exit(3);
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
		    unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
		    wq_write_file("/proc/self/setgroups", "deny") ||
		    wq_write_file("/proc/self/uid_map", "0 65534 1") ||
		    wq_write_file("/proc/self/gid_map", "0 65534 1") ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(4);
		/* Root in the namespace, but not over the initial one. */
		if (wq_sb_watch(AT_FDCWD, "/", 0, q->fd, 1) != -1 ||
		    errno != EPERM)
			_exit(5);
		snprintf(mnt, sizeof(mnt), "%s", AT("own"));
		if (mount_tmpfs(mnt, NULL))
			_exit(6);
		if (wq_sb_watch(AT_FDCWD, mnt, 0, q->fd, 1))
			_exit(7);
		if (mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL))
			_exit(8);
		if (wq_queue_next(q, buf, sizeof(buf), WAIT_MS) !=
		    SUPERBLOCK_NOTIFICATION_SIZE_VER1 ||
		    wq_subtype(&s->watch) != NOTIFY_SUPERBLOCK_READONLY ||
		    watchq_rec_id(&s->watch) != 1 || s->sb_id != wq_sb_id(mnt))
			_exit(9);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("as uid 65534, step %d failed (100: setuid, 101: queue)",
		       WEXITSTATUS(status));
	/* Nothing of base's was watched. */
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->base, 0, q->fd, 1));
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	ASSERT_RECS(q, SB(READONLY, IS_NOW_RO, 1, self->sb_id));
}

/*
 * error_cookie counts the superblock's errors since it was set up, the
 * ones before the first watch included: two errors unwatched, then a
 * watch, and the next error is number 3.
 */
TEST_F(sb, ext4_error_cookie_counts_all)
{
	struct wq_queue *q = &self->q;
	__u64 sb;
	int ret;

	ret = mount_disk(self->disk, sizeof(self->disk), AT("disk"),
			 "errors=continue");
	if (!ret)
		SKIP(return, NO_DISK);
	ASSERT_EQ(1, ret);
	sb = wq_sb_id(self->disk);
	ASSERT_EQ(0, trigger_fs_error());
	ASSERT_EQ(0, trigger_fs_error());
	ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, self->disk, 0, q->fd, 1));
	ASSERT_EQ(0, trigger_fs_error());
	ASSERT_RECS(q, SB_ERROR(1, sb, EUCLEAN, 3));
}

TEST_HARNESS_MAIN
